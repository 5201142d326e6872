// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/netstring.h"
#include "protocol/socketmapcodec.h"

#include <QtTest>

using namespace prc;

class TestSocketmapCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseRequest_data();
    void parseRequest();
    void request_data();
    void request();
    void replies_data();
    void replies();
    void parseReply_data();
    void parseReply();
    void replyRoundTrip_data();
    void replyRoundTrip();
};

void TestSocketmapCodec::parseRequest_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("name and key") << QByteArray("virtual user@example.com") << true << QByteArray("virtual")
                                  << QByteArray("user@example.com") << QString();
    QTest::newRow("key with spaces") << QByteArray("map key with spaces") << true << QByteArray("map")
                                     << QByteArray("key with spaces") << QString();
    QTest::newRow("key starting with space")
        << QByteArray("map  key") << true << QByteArray("map") << QByteArray(" key") << QString();
    QTest::newRow("empty key") << QByteArray("map ") << true << QByteArray("map") << QByteArray()
                               << QString();
    QTest::newRow("utf8 key") << QByteArray("m j\xC3\xBCrgen@example.com") << true << QByteArray("m")
                              << QByteArray("j\xC3\xBCrgen@example.com") << QString();
    QTest::newRow("key not percent-decoded")
        << QByteArray("m a%20b") << true << QByteArray("m") << QByteArray("a%20b") << QString();
    QTest::newRow("nul in key") << QByteArray("m a\0b", 5) << true << QByteArray("m") << QByteArray("a\0b", 3)
                                << QString();
    QTest::newRow("no space") << QByteArray("virtual") << false << QByteArray() << QByteArray()
                              << QStringLiteral("expected \"name key\"");
    QTest::newRow("empty payload") << QByteArray() << false << QByteArray() << QByteArray()
                                   << QStringLiteral("expected \"name key\"");
    QTest::newRow("empty name") << QByteArray(" key") << false << QByteArray() << QByteArray()
                                << QStringLiteral("empty map name");
    QTest::newRow("single space") << QByteArray(" ") << false << QByteArray() << QByteArray()
                                  << QStringLiteral("empty map name");
}

void TestSocketmapCodec::parseRequest()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, ok);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, key);
    QFETCH(QString, errorContains);

    QString error;
    const auto request = SocketmapCodec::parseRequest(payload, &error);
    QCOMPARE(request.has_value(), ok);
    if (ok) {
        QCOMPARE(request->name, name);
        QCOMPARE(request->key, key);
        QVERIFY(error.isEmpty());
    } else {
        QVERIFY2(error.contains(errorContains), qPrintable(error));
    }
}

void TestSocketmapCodec::request_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("simple") << QByteArray("virtual") << QByteArray("user@example.com")
                            << QByteArray("24:virtual user@example.com,");
    QTest::newRow("key with space") << QByteArray("m") << QByteArray("a b") << QByteArray("5:m a b,");
    QTest::newRow("empty key") << QByteArray("m") << QByteArray() << QByteArray("2:m ,");
}

void TestSocketmapCodec::request()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, expected);

    QByteArray wire = SocketmapCodec::request(name, key);
    QCOMPARE(wire, expected);

    // What a client sends is what the server parses.
    const Frame frame = Netstring::take(wire, 100000);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    QString error;
    const auto parsed = SocketmapCodec::parseRequest(frame.payload, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(parsed->name, name);
    QCOMPARE(parsed->key, key);
}

void TestSocketmapCodec::replies_data()
{
    QTest::addColumn<QByteArray>("actual");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("ok empty keeps the space") << SocketmapCodec::ok("") << QByteArray("3:OK ,");
    QTest::newRow("ok value") << SocketmapCodec::ok("a@x,b@y") << QByteArray("10:OK a@x,b@y,");
    QTest::newRow("ok ten bytes") << SocketmapCodec::ok("0123456789") << QByteArray("13:OK 0123456789,");
    QTest::newRow("ok utf8") << SocketmapCodec::ok("\xC3\xA9") << QByteArray("5:OK \xC3\xA9,");
    QTest::newRow("not found") << SocketmapCodec::notFound() << QByteArray("9:NOTFOUND ,");
    QTest::newRow("temp") << SocketmapCodec::temp("backend down") << QByteArray("17:TEMP backend down,");
    QTest::newRow("timeout") << SocketmapCodec::timeout("t") << QByteArray("9:TIMEOUT t,");
    QTest::newRow("perm") << SocketmapCodec::perm("bad config") << QByteArray("15:PERM bad config,");
    QTest::newRow("perm empty") << SocketmapCodec::perm("") << QByteArray("5:PERM ,");
}

void TestSocketmapCodec::replies()
{
    QFETCH(QByteArray, actual);
    QFETCH(QByteArray, expected);
    QCOMPARE(actual, expected);
}

void TestSocketmapCodec::parseReply_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("status");
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("ok") << QByteArray("OK a@x") << QByteArray("OK") << QByteArray("a@x");
    QTest::newRow("ok empty") << QByteArray("OK ") << QByteArray("OK") << QByteArray();
    QTest::newRow("bare ok") << QByteArray("OK") << QByteArray("OK") << QByteArray();
    QTest::newRow("not found") << QByteArray("NOTFOUND ") << QByteArray("NOTFOUND") << QByteArray();
    QTest::newRow("reason with spaces")
        << QByteArray("TEMP id - backend down") << QByteArray("TEMP") << QByteArray("id - backend down");
    QTest::newRow("unknown status kept")
        << QByteArray("WHATEVER x") << QByteArray("WHATEVER") << QByteArray("x");
    QTest::newRow("empty") << QByteArray() << QByteArray() << QByteArray();
}

void TestSocketmapCodec::parseReply()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, status);
    QFETCH(QByteArray, data);
    const SocketmapCodec::Reply reply = SocketmapCodec::parseReply(payload);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.data, data);
}

void TestSocketmapCodec::replyRoundTrip_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArray>("status");
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("ok") << SocketmapCodec::ok("v1,v2 v3") << QByteArray("OK") << QByteArray("v1,v2 v3");
    QTest::newRow("not found") << SocketmapCodec::notFound() << QByteArray("NOTFOUND") << QByteArray();
    QTest::newRow("temp") << SocketmapCodec::temp("r") << QByteArray("TEMP") << QByteArray("r");
    QTest::newRow("timeout") << SocketmapCodec::timeout("r") << QByteArray("TIMEOUT") << QByteArray("r");
    QTest::newRow("perm") << SocketmapCodec::perm("r") << QByteArray("PERM") << QByteArray("r");
    QTest::newRow("ok at postfix limit")
        << SocketmapCodec::ok(QByteArray(SocketmapCodec::MaxReplySize - 3, 'v')) << QByteArray("OK")
        << QByteArray(SocketmapCodec::MaxReplySize - 3, 'v');
}

void TestSocketmapCodec::replyRoundTrip()
{
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, status);
    QFETCH(QByteArray, data);

    const Frame frame = Netstring::take(wire, SocketmapCodec::MaxReplySize);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    QVERIFY(wire.isEmpty());
    const SocketmapCodec::Reply reply = SocketmapCodec::parseReply(frame.payload);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.data, data);
}

QTEST_APPLESS_MAIN(TestSocketmapCodec)
#include "tst_socketmapcodec.moc"
