// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/netstring.h"

#include <QtTest>

using namespace prc;

class TestNetstring : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encode_data();
    void encode();
    void take_data();
    void take();
    void take_everySplitPoint_data();
    void take_everySplitPoint();
    void take_pipelined();
    void take_rejectsLengthBeforePayload_data();
    void take_rejectsLengthBeforePayload();
    void roundTrip_data();
    void roundTrip();
};

void TestNetstring::encode_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("empty") << QByteArray() << QByteArray("0:,");
    QTest::newRow("short") << QByteArray("abc") << QByteArray("3:abc,");
    QTest::newRow("two-digit length") << QByteArray("hello world") << QByteArray("11:hello world,");
    QTest::newRow("separators inside") << QByteArray("a,b:c") << QByteArray("5:a,b:c,");
    QTest::newRow("nul inside") << QByteArray("a\0b", 3) << QByteArray("3:a\0b,", 6);
    QTest::newRow("utf8") << QByteArray("\xC3\xA9") << QByteArray("2:\xC3\xA9,");
    QTest::newRow("large") << QByteArray(100000, 'x')
                           << QByteArray("100000:") + QByteArray(100000, 'x') + ',';
}

void TestNetstring::encode()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);
    QCOMPARE(Netstring::encode(payload), expected);
}

void TestNetstring::take_data()
{
    QTest::addColumn<QByteArray>("buffer");
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("remaining");
    QTest::addColumn<QString>("errorContains");

    const int complete = int(Frame::Status::Complete);
    const int incomplete = int(Frame::Status::Incomplete);
    const int invalid = int(Frame::Status::Invalid);

    QTest::newRow("complete") << QByteArray("3:abc,") << 100 << complete << QByteArray("abc") << QByteArray()
                              << QString();
    QTest::newRow("zero length") << QByteArray("0:,") << 100 << complete << QByteArray() << QByteArray()
                                 << QString();
    QTest::newRow("payload with separators")
        << QByteArray("5:a,b:c,") << 100 << complete << QByteArray("a,b:c") << QByteArray() << QString();
    QTest::newRow("payload with nul")
        << QByteArray("3:a\0b,", 6) << 100 << complete << QByteArray("a\0b", 3) << QByteArray() << QString();
    QTest::newRow("pipelined") << QByteArray("3:abc,4:defg,") << 100 << complete << QByteArray("abc")
                               << QByteArray("4:defg,") << QString();
    QTest::newRow("followed by partial")
        << QByteArray("3:abc,4:d") << 100 << complete << QByteArray("abc") << QByteArray("4:d") << QString();
    QTest::newRow("leading zeros") << QByteArray("03:abc,") << 100 << complete << QByteArray("abc")
                                   << QByteArray() << QString();
    QTest::newRow("at max length") << QByteArray("5:abcde,") << 5 << complete << QByteArray("abcde")
                                   << QByteArray() << QString();
    QTest::newRow("empty buffer") << QByteArray() << 100 << incomplete << QByteArray() << QByteArray()
                                  << QString();
    QTest::newRow("digits only") << QByteArray("12") << 100 << incomplete << QByteArray() << QByteArray("12")
                                 << QString();
    QTest::newRow("length and colon")
        << QByteArray("3:") << 100 << incomplete << QByteArray() << QByteArray("3:") << QString();
    QTest::newRow("payload without comma")
        << QByteArray("3:abc") << 100 << incomplete << QByteArray() << QByteArray("3:abc") << QString();
    QTest::newRow("digits at max length")
        << QByteArray("100") << 100 << incomplete << QByteArray() << QByteArray("100") << QString();
    QTest::newRow("wrong terminator") << QByteArray("3:abcX") << 100 << invalid << QByteArray()
                                      << QByteArray() << QStringLiteral("missing ','");
    QTest::newRow("payload longer than length") << QByteArray("3:abcd,") << 100 << invalid << QByteArray()
                                                << QByteArray() << QStringLiteral("missing ','");
    QTest::newRow("newline terminator") << QByteArray("3:abc\n") << 100 << invalid << QByteArray()
                                        << QByteArray() << QStringLiteral("missing ','");
    QTest::newRow("letter in length")
        << QByteArray("a:abc,") << 100 << invalid << QByteArray() << QByteArray() << QStringLiteral("0x61");
    QTest::newRow("letter after digits")
        << QByteArray("3x") << 100 << invalid << QByteArray() << QByteArray() << QStringLiteral("0x78");
    QTest::newRow("negative length") << QByteArray("-1:,") << 100 << invalid << QByteArray() << QByteArray()
                                     << QStringLiteral("0x2d");
    QTest::newRow("leading space") << QByteArray(" 3:abc,") << 100 << invalid << QByteArray() << QByteArray()
                                   << QStringLiteral("0x20");
    QTest::newRow("high byte in length")
        << QByteArray("\xff") << 100 << invalid << QByteArray() << QByteArray() << QStringLiteral("0xff");
    QTest::newRow("plain text request") << QByteArray("get foo\n") << 100 << invalid << QByteArray()
                                        << QByteArray() << QStringLiteral("0x67");
    QTest::newRow("empty length") << QByteArray(":abc,") << 100 << invalid << QByteArray() << QByteArray()
                                  << QStringLiteral("empty length");
    QTest::newRow("colon only") << QByteArray(":") << 100 << invalid << QByteArray() << QByteArray()
                                << QStringLiteral("empty length");
    QTest::newRow("length over max with payload") << QByteArray("6:abcdef,") << 5 << invalid << QByteArray()
                                                  << QByteArray() << QStringLiteral("exceeds 5");
}

void TestNetstring::take()
{
    QFETCH(QByteArray, buffer);
    QFETCH(int, maxLength);
    QFETCH(int, status);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, remaining);
    QFETCH(QString, errorContains);

    const Frame frame = Netstring::take(buffer, maxLength);
    QCOMPARE(int(frame.status), status);
    QCOMPARE(frame.payload, payload);
    if (status == int(Frame::Status::Invalid)) {
        QVERIFY2(frame.error.contains(errorContains), qPrintable(frame.error));
    } else {
        QVERIFY(frame.error.isEmpty());
        QCOMPARE(buffer, remaining);
    }
}

void TestNetstring::take_everySplitPoint_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("socketmap request") << QByteArray("virtual user@example.com");
    QTest::newRow("separators") << QByteArray(",:,:");
    QTest::newRow("ten bytes") << QByteArray("0123456789");
}

void TestNetstring::take_everySplitPoint()
{
    QFETCH(QByteArray, payload);
    const QByteArray wire = Netstring::encode(payload);
    for (qsizetype split = 0; split < wire.size(); ++split) {
        QByteArray buffer = wire.left(split);
        const Frame partial = Netstring::take(buffer, 1000);
        QVERIFY2(partial.status == Frame::Status::Incomplete,
                 qPrintable(QStringLiteral("split at %1").arg(split)));
        QCOMPARE(buffer, wire.left(split)); // nothing consumed
        buffer.append(wire.mid(split));
        const Frame whole = Netstring::take(buffer, 1000);
        QCOMPARE(int(whole.status), int(Frame::Status::Complete));
        QCOMPARE(whole.payload, payload);
        QVERIFY(buffer.isEmpty());
    }
}

void TestNetstring::take_pipelined()
{
    const QList<QByteArray> payloads{"a b", QByteArray(), "map key with spaces", QByteArray(200, 'z')};
    QByteArray buffer;
    for (const QByteArray &payload : payloads)
        buffer += Netstring::encode(payload);
    buffer += "7:partial";

    QList<QByteArray> taken;
    for (;;) {
        const Frame frame = Netstring::take(buffer, 1000);
        if (frame.status != Frame::Status::Complete) {
            QCOMPARE(int(frame.status), int(Frame::Status::Incomplete));
            break;
        }
        taken.append(frame.payload);
    }
    QCOMPARE(taken, payloads);
    QCOMPARE(buffer, QByteArray("7:partial"));
}

void TestNetstring::take_rejectsLengthBeforePayload_data()
{
    QTest::addColumn<QByteArray>("buffer");
    QTest::addColumn<int>("maxLength");

    QTest::newRow("one over, digits only") << QByteArray("100001") << 100000;
    QTest::newRow("one over, with colon") << QByteArray("100001:") << 100000;
    QTest::newRow("far over, digits only") << QByteArray("1000000000") << 100000;
    QTest::newRow("overflowing digits") << QByteArray("99999999999999999999:") << 100000;
    QTest::newRow("overflowing digits, huge limit")
        << QByteArray("99999999999999999999999999999:") << 2000000000;
    QTest::newRow("small limit") << QByteArray("11") << 10;
    QTest::newRow("over limit after leading zeros") << QByteArray("000011") << 10;
}

void TestNetstring::take_rejectsLengthBeforePayload()
{
    QFETCH(QByteArray, buffer);
    QFETCH(int, maxLength);
    const Frame frame = Netstring::take(buffer, maxLength);
    QCOMPARE(int(frame.status), int(Frame::Status::Invalid));
    QVERIFY2(frame.error.contains(QStringLiteral("exceeds %1").arg(maxLength)), qPrintable(frame.error));
}

void TestNetstring::roundTrip_data()
{
    QTest::addColumn<QByteArray>("payload");
    QByteArray all;
    for (int value = 0; value < 256; ++value)
        all.append(char(value));
    QTest::newRow("all bytes") << all;
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("100000 bytes") << QByteArray(100000, '\x01');
}

void TestNetstring::roundTrip()
{
    QFETCH(QByteArray, payload);
    QByteArray buffer = Netstring::encode(payload);
    const Frame frame = Netstring::take(buffer, 100000);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    QCOMPARE(frame.payload, payload);
    QVERIFY(buffer.isEmpty());
}

QTEST_APPLESS_MAIN(TestNetstring)
#include "tst_netstring.moc"
