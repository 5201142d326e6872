// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/tcptablecodec.h"

#include <QtTest>

using namespace prc;

namespace {

QByteArray bytes(const char *data, qsizetype size)
{
    return QByteArray(data, size);
}

} // namespace

class TestTcpTableCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void takeLine_data();
    void takeLine();
    void takeLine_pipelined();
    void takeLine_byteByByte();
    void parseRequest_data();
    void parseRequest();
    void decode_data();
    void decode();
    void encode_data();
    void encode();
    void encode_byteClasses();
    void roundTrip_data();
    void roundTrip();
    void roundTrip_allBytesInOneString();
    void reply_data();
    void reply();
    void requestLine();
    void parseReply_data();
    void parseReply();
    void replyThroughTakeLineAndParseReply();
};

void TestTcpTableCodec::takeLine_data()
{
    QTest::addColumn<QByteArray>("buffer");
    QTest::addColumn<int>("maxLineSize");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("remaining");

    const int complete = int(Frame::Status::Complete);
    const int incomplete = int(Frame::Status::Incomplete);
    const int invalid = int(Frame::Status::Invalid);
    const QByteArray ten("0123456789");

    QTest::newRow("complete") << QByteArray("get a\n") << 100 << complete << QByteArray("get a")
                              << QByteArray();
    QTest::newRow("crlf") << QByteArray("get a\r\n") << 100 << complete << QByteArray("get a")
                          << QByteArray();
    QTest::newRow("inner cr kept") << QByteArray("get a\rb\n") << 100 << complete << QByteArray("get a\rb")
                                   << QByteArray();
    QTest::newRow("only one cr dropped")
        << QByteArray("get a\r\r\n") << 100 << complete << QByteArray("get a\r") << QByteArray();
    QTest::newRow("empty line") << QByteArray("\n") << 100 << complete << QByteArray() << QByteArray();
    QTest::newRow("bare crlf") << QByteArray("\r\n") << 100 << complete << QByteArray() << QByteArray();
    QTest::newRow("empty buffer") << QByteArray() << 100 << incomplete << QByteArray() << QByteArray();
    QTest::newRow("incomplete") << QByteArray("get a") << 100 << incomplete << QByteArray()
                                << QByteArray("get a");
    QTest::newRow("incomplete after cr")
        << QByteArray("get a\r") << 100 << incomplete << QByteArray() << QByteArray("get a\r");
    QTest::newRow("two lines") << QByteArray("get a\nget b\n") << 100 << complete << QByteArray("get a")
                               << QByteArray("get b\n");
    QTest::newRow("line and partial")
        << QByteArray("get a\nget b") << 100 << complete << QByteArray("get a") << QByteArray("get b");
    QTest::newRow("nul byte kept") << bytes("get a\0b\n", 8) << 100 << complete << bytes("get a\0b", 7)
                                   << QByteArray();
    QTest::newRow("at limit with newline") << ten + '\n' << 10 << complete << ten << QByteArray();
    QTest::newRow("over limit with newline") << ten + "x\n" << 10 << invalid << QByteArray() << QByteArray();
    QTest::newRow("at limit without newline") << ten << 10 << incomplete << QByteArray() << ten;
    QTest::newRow("over limit without newline") << ten + 'x' << 10 << invalid << QByteArray() << QByteArray();
    QTest::newRow("far over limit without newline")
        << QByteArray(100000, 'k') << 4096 << invalid << QByteArray() << QByteArray();
    QTest::newRow("short line then long rest") << QByteArray("get a\n") + QByteArray(50, 'x') << 10
                                               << complete << QByteArray("get a") << QByteArray(50, 'x');
}

void TestTcpTableCodec::takeLine()
{
    QFETCH(QByteArray, buffer);
    QFETCH(int, maxLineSize);
    QFETCH(int, status);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, remaining);

    const Frame frame = TcpTableCodec::takeLine(buffer, maxLineSize);
    QCOMPARE(int(frame.status), status);
    QCOMPARE(frame.payload, payload);
    if (status == int(Frame::Status::Invalid)) {
        QVERIFY(!frame.error.isEmpty());
        QVERIFY2(frame.error.contains(QString::number(maxLineSize)), qPrintable(frame.error));
    } else {
        QVERIFY(frame.error.isEmpty());
        QCOMPARE(buffer, remaining);
    }
}

void TestTcpTableCodec::takeLine_pipelined()
{
    QByteArray buffer("get a\nget b%20c\r\n\nget d\nget e");
    QList<QByteArray> lines;
    for (;;) {
        const Frame frame = TcpTableCodec::takeLine(buffer, 4096);
        if (frame.status != Frame::Status::Complete) {
            QCOMPARE(int(frame.status), int(Frame::Status::Incomplete));
            break;
        }
        lines.append(frame.payload);
    }
    const QList<QByteArray> expected{"get a", "get b%20c", "", "get d"};
    QCOMPARE(lines, expected);
    QCOMPARE(buffer, QByteArray("get e"));
}

void TestTcpTableCodec::takeLine_byteByByte()
{
    const QByteArray wire("get user%40example.com\r\n");
    QByteArray buffer;
    for (qsizetype i = 0; i < wire.size(); ++i) {
        buffer.append(wire.at(i));
        const Frame frame = TcpTableCodec::takeLine(buffer, 4096);
        if (i + 1 < wire.size()) {
            QCOMPARE(int(frame.status), int(Frame::Status::Incomplete));
            QCOMPARE(buffer, wire.left(i + 1));
        } else {
            QCOMPARE(int(frame.status), int(Frame::Status::Complete));
            QCOMPARE(frame.payload, QByteArray("get user%40example.com"));
            QVERIFY(buffer.isEmpty());
        }
    }
}

void TestTcpTableCodec::parseRequest_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("plain") << QByteArray("get example.com") << true << QByteArray("example.com") << QString();
    QTest::newRow("at sign encoded") << QByteArray("get user%40example.com") << true
                                     << QByteArray("user@example.com") << QString();
    QTest::newRow("space encoded") << QByteArray("get a%20b") << true << QByteArray("a b") << QString();
    QTest::newRow("plus literal") << QByteArray("get a+b") << true << QByteArray("a+b") << QString();
    QTest::newRow("utf8") << QByteArray("get j%C3%BCrgen") << true << QByteArray("j\xC3\xBCrgen")
                          << QString();
    QTest::newRow("raw space after get kept")
        << QByteArray("get  a") << true << QByteArray(" a") << QString();
    QTest::newRow("empty key") << QByteArray("get ") << true << QByteArray() << QString();
    QTest::newRow("put") << QByteArray("put key value") << false << QByteArray() << QStringLiteral("put");
    QTest::newRow("upper case GET") << QByteArray("GET a") << false << QByteArray()
                                    << QStringLiteral("unknown request");
    QTest::newRow("get without space")
        << QByteArray("get") << false << QByteArray() << QStringLiteral("unknown request");
    QTest::newRow("getx") << QByteArray("getx a") << false << QByteArray()
                          << QStringLiteral("unknown request");
    QTest::newRow("leading space") << QByteArray(" get a") << false << QByteArray()
                                   << QStringLiteral("unknown request");
    QTest::newRow("empty line") << QByteArray() << false << QByteArray() << QStringLiteral("unknown request");
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02") << false << QByteArray()
                             << QStringLiteral("unknown request");
    QTest::newRow("http request") << QByteArray("GET / HTTP/1.1") << false << QByteArray()
                                  << QStringLiteral("unknown request");
    QTest::newRow("truncated escape")
        << QByteArray("get a%4") << false << QByteArray() << QStringLiteral("malformed %-encoding");
    QTest::newRow("lone percent") << QByteArray("get 100%") << false << QByteArray()
                                  << QStringLiteral("malformed %-encoding");
    QTest::newRow("non-hex escape") << QByteArray("get a%zzb") << false << QByteArray()
                                    << QStringLiteral("malformed %-encoding");
}

void TestTcpTableCodec::parseRequest()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, ok);
    QFETCH(QByteArray, key);
    QFETCH(QString, errorContains);

    QString error;
    const auto request = TcpTableCodec::parseRequest(line, &error);
    QCOMPARE(request.has_value(), ok);
    if (ok) {
        QCOMPARE(request->key, key);
        QVERIFY(error.isEmpty());
    } else {
        QVERIFY2(error.contains(errorContains), qPrintable(error));
    }
}

void TestTcpTableCodec::decode_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("decoded");

    QTest::newRow("empty") << QByteArray() << true << QByteArray();
    QTest::newRow("plain") << QByteArray("abc") << true << QByteArray("abc");
    QTest::newRow("upper hex") << QByteArray("%4A%4B") << true << QByteArray("JK");
    QTest::newRow("lower hex") << QByteArray("%4a%4b") << true << QByteArray("JK");
    QTest::newRow("mixed case hex") << QByteArray("%c3%A9") << true << QByteArray("\xC3\xA9");
    QTest::newRow("plus literal") << QByteArray("a+b") << true << QByteArray("a+b");
    QTest::newRow("encoded plus") << QByteArray("a%2Bb") << true << QByteArray("a+b");
    QTest::newRow("nul") << QByteArray("a%00b") << true << bytes("a\0b", 3);
    QTest::newRow("escaped percent not decoded twice") << QByteArray("%2541") << true << QByteArray("%41");
    QTest::newRow("escape at end") << QByteArray("ab%20") << true << QByteArray("ab ");
    QTest::newRow("escape at start") << QByteArray("%20ab") << true << QByteArray(" ab");
    QTest::newRow("invalid utf8 bytes") << QByteArray("%FF%FE%C3") << true << QByteArray("\xFF\xFE\xC3");
    QTest::newRow("raw high byte passes") << QByteArray("\xFF") << true << QByteArray("\xFF");
    QTest::newRow("lone percent") << QByteArray("%") << false << QByteArray();
    QTest::newRow("percent at end") << QByteArray("abc%") << false << QByteArray();
    QTest::newRow("truncated escape") << QByteArray("%4") << false << QByteArray();
    QTest::newRow("truncated escape after text") << QByteArray("ab%4") << false << QByteArray();
    QTest::newRow("truncated after valid escape") << QByteArray("%41%") << false << QByteArray();
    QTest::newRow("%G1") << QByteArray("%G1") << false << QByteArray();
    QTest::newRow("%1G") << QByteArray("%1G") << false << QByteArray();
    QTest::newRow("%%41") << QByteArray("%%41") << false << QByteArray();
    QTest::newRow("percent space") << QByteArray("% 1") << false << QByteArray();
    QTest::newRow("sign in escape") << QByteArray("%-1") << false << QByteArray();
    QTest::newRow("x in escape") << QByteArray("%x1") << false << QByteArray();
}

void TestTcpTableCodec::decode()
{
    QFETCH(QByteArray, encoded);
    QFETCH(bool, ok);
    QFETCH(QByteArray, decoded);

    const auto result = TcpTableCodec::decode(encoded);
    QCOMPARE(result.has_value(), ok);
    if (ok)
        QCOMPARE(*result, decoded);
}

void TestTcpTableCodec::encode_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("encoded");

    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("plain") << QByteArray("user@example.com") << QByteArray("user@example.com");
    QTest::newRow("percent") << QByteArray("100%") << QByteArray("100%25");
    QTest::newRow("space") << QByteArray("a b") << QByteArray("a%20b");
    QTest::newRow("tab") << QByteArray("\t") << QByteArray("%09");
    QTest::newRow("newline") << QByteArray("\n") << QByteArray("%0A");
    QTest::newRow("carriage return") << QByteArray("\r") << QByteArray("%0D");
    QTest::newRow("vertical tab") << QByteArray("\v") << QByteArray("%0B");
    QTest::newRow("form feed") << QByteArray("\f") << QByteArray("%0C");
    QTest::newRow("nul") << bytes("\0", 1) << QByteArray("%00");
    QTest::newRow("control 0x01") << QByteArray("\x01") << QByteArray("%01");
    QTest::newRow("control 0x1b") << QByteArray("\x1b") << QByteArray("%1B");
    QTest::newRow("control 0x1f") << QByteArray("\x1f") << QByteArray("%1F");
    QTest::newRow("del") << QByteArray("\x7f") << QByteArray("%7F");
    QTest::newRow("0x80") << QByteArray("\x80") << QByteArray("%80");
    QTest::newRow("0xff") << QByteArray("\xff") << QByteArray("%FF");
    QTest::newRow("utf8") << QByteArray("\xC3\xA9t\xC3\xA9") << QByteArray("%C3%A9t%C3%A9");
    QTest::newRow("plus unchanged") << QByteArray("a+b") << QByteArray("a+b");
    QTest::newRow("punctuation unchanged")
        << QByteArray("!\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~") << QByteArray("!\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~");
    QTest::newRow("mixed") << QByteArray("a b\tc%d\r\n") << QByteArray("a%20b%09c%25d%0D%0A");
}

void TestTcpTableCodec::encode()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, encoded);
    QCOMPARE(TcpTableCodec::encode(raw), encoded);
}

void TestTcpTableCodec::encode_byteClasses()
{
    // Postfix's hex_quote(): printable ASCII except '%' and space passes, everything else is %XX (upper
    // case).
    for (int value = 0; value < 256; ++value) {
        const char c = char(value);
        const QByteArray raw(1, c);
        const QByteArray encoded = TcpTableCodec::encode(raw);
        const bool passes = value > 0x20 && value < 0x7f && value != '%';
        if (passes) {
            QVERIFY2(encoded == raw,
                     qPrintable(QStringLiteral("byte 0x%1").arg(value, 2, 16, QLatin1Char('0'))));
        } else {
            const QByteArray expected = '%' + QByteArray::number(value, 16).rightJustified(2, '0').toUpper();
            QVERIFY2(encoded == expected, qPrintable(QStringLiteral("byte 0x%1 encoded as %2")
                                                         .arg(value, 2, 16, QLatin1Char('0'))
                                                         .arg(QString::fromLatin1(encoded))));
        }
    }
}

void TestTcpTableCodec::roundTrip_data()
{
    QTest::addColumn<QByteArray>("raw");
    for (int value = 0; value < 256; ++value)
        QTest::addRow("0x%02x", value) << QByteArray(1, char(value));
    QTest::newRow("text") << QByteArray("Jürgen <j@example.com>\t100% sure\r\n");
}

void TestTcpTableCodec::roundTrip()
{
    QFETCH(QByteArray, raw);
    const auto decoded = TcpTableCodec::decode(TcpTableCodec::encode(raw));
    QVERIFY(decoded.has_value());
    QCOMPARE(*decoded, raw);
}

void TestTcpTableCodec::roundTrip_allBytesInOneString()
{
    QByteArray raw;
    for (int value = 0; value < 256; ++value)
        raw.append(char(value));
    const QByteArray encoded = TcpTableCodec::encode(raw);
    // The encoded form must be safe to put on one protocol line.
    QVERIFY(!encoded.contains('\n'));
    QVERIFY(!encoded.contains('\r'));
    QVERIFY(!encoded.contains(' '));
    const auto decoded = TcpTableCodec::decode(encoded);
    QVERIFY(decoded.has_value());
    QCOMPARE(*decoded, raw);
}

void TestTcpTableCodec::reply_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("found") << 200 << QByteArray("relay:[mx.example.com]")
                           << QByteArray("200 relay:[mx.example.com]\n");
    QTest::newRow("found list") << 200 << QByteArray("a@x,b@y") << QByteArray("200 a@x,b@y\n");
    QTest::newRow("not found empty") << 500 << QByteArray() << QByteArray("500 \n");
    QTest::newRow("not found text") << 500 << QByteArray("id - key not found")
                                    << QByteArray("500 id%20-%20key%20not%20found\n");
    QTest::newRow("temporary") << 400 << QByteArray("backend down") << QByteArray("400 backend%20down\n");
    QTest::newRow("newline in text encoded") << 200 << QByteArray("a\nb") << QByteArray("200 a%0Ab\n");
    QTest::newRow("percent in text") << 200 << QByteArray("100%") << QByteArray("200 100%25\n");
    QTest::newRow("utf8 text") << 200 << QByteArray("\xC3\xA9") << QByteArray("200 %C3%A9\n");
}

void TestTcpTableCodec::reply()
{
    QFETCH(int, code);
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, expected);
    QCOMPARE(TcpTableCodec::reply(code, text), expected);
}

void TestTcpTableCodec::requestLine()
{
    QCOMPARE(TcpTableCodec::requestLine("user@example.com"), QByteArray("get user@example.com\n"));
    QCOMPARE(TcpTableCodec::requestLine("a b\n"), QByteArray("get a%20b%0A\n"));
    QCOMPARE(TcpTableCodec::requestLine({}), QByteArray("get \n"));

    // What a client sends is what the server parses.
    QByteArray wire = TcpTableCodec::requestLine("k\xC3\xA9y %x");
    const Frame frame = TcpTableCodec::takeLine(wire, 4096);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    QString error;
    const auto request = TcpTableCodec::parseRequest(frame.payload, &error);
    QVERIFY2(request.has_value(), qPrintable(error));
    QCOMPARE(request->key, QByteArray("k\xC3\xA9y %x"));
}

void TestTcpTableCodec::parseReply_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("found") << QByteArray("200 value") << true << 200 << QByteArray("value");
    QTest::newRow("not found empty text") << QByteArray("500 ") << true << 500 << QByteArray();
    QTest::newRow("temporary decoded") << QByteArray("400 a%20b") << true << 400 << QByteArray("a b");
    QTest::newRow("text with raw spaces")
        << QByteArray("500 key not found") << true << 500 << QByteArray("key not found");
    QTest::newRow("bad escape") << QByteArray("200 a%zz") << false << 0 << QByteArray();
    QTest::newRow("code only") << QByteArray("200") << false << 0 << QByteArray();
    QTest::newRow("two digits") << QByteArray("20 x") << false << 0 << QByteArray();
    QTest::newRow("four digits") << QByteArray("2000 x") << false << 0 << QByteArray();
    QTest::newRow("letters") << QByteArray("abc x") << false << 0 << QByteArray();
    QTest::newRow("no space") << QByteArray("200x") << false << 0 << QByteArray();
    QTest::newRow("sign") << QByteArray("-20 x") << false << 0 << QByteArray();
    QTest::newRow("empty") << QByteArray() << false << 0 << QByteArray();
}

void TestTcpTableCodec::parseReply()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, ok);
    QFETCH(int, code);
    QFETCH(QByteArray, text);

    QString error;
    const auto reply = TcpTableCodec::parseReply(line, &error);
    QCOMPARE(reply.has_value(), ok);
    if (ok) {
        QCOMPARE(reply->code, code);
        QCOMPARE(reply->text, text);
    } else {
        QVERIFY(!error.isEmpty());
    }
}

void TestTcpTableCodec::replyThroughTakeLineAndParseReply()
{
    const QByteArray text("v1,v2 \t%\r\n\xC3\xA9");
    QByteArray wire = TcpTableCodec::reply(200, text) + TcpTableCodec::reply(500, {});
    Frame frame = TcpTableCodec::takeLine(wire, TcpTableCodec::MaxReplySize);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    QString error;
    auto reply = TcpTableCodec::parseReply(frame.payload, &error);
    QVERIFY2(reply.has_value(), qPrintable(error));
    QCOMPARE(reply->code, 200);
    QCOMPARE(reply->text, text);

    frame = TcpTableCodec::takeLine(wire, TcpTableCodec::MaxReplySize);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    reply = TcpTableCodec::parseReply(frame.payload, &error);
    QVERIFY(reply.has_value());
    QCOMPARE(reply->code, 500);
    QVERIFY(reply->text.isEmpty());
    QVERIFY(wire.isEmpty());
}

QTEST_APPLESS_MAIN(TestTcpTableCodec)
#include "tst_tcptablecodec.moc"
