// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/policycodec.h"

#include <QtTest>
#include <QUrlQuery>

using namespace prc;

using Attributes = PolicyCodec::Attributes;

namespace {

const QByteArray PostfixRequest("request=smtpd_access_policy\n"
                                "protocol_state=RCPT\n"
                                "protocol_name=ESMTP\n"
                                "client_address=192.0.2.1\n"
                                "helo_name=mail.example.com\n"
                                "sender=a@example.com\n"
                                "recipient=b@example.net\n"
                                "ccert_subject=CN=mx,O=Example\n"
                                "sasl_method=\n"
                                "\n");

} // namespace

class TestPolicyCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void takeRequest_data();
    void takeRequest();
    void takeRequest_everySplitPoint();
    void takeRequest_pipelined();
    void parseAttributes_data();
    void parseAttributes();
    void request();
    void formEncode_data();
    void formEncode();
    void formEncode_decodesBack();
    void firstLine_data();
    void firstLine();
    void reply_data();
    void reply();
    void parseReply_data();
    void parseReply();
};

void TestPolicyCodec::takeRequest_data()
{
    QTest::addColumn<QByteArray>("buffer");
    QTest::addColumn<int>("maxRequestSize");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("remaining");

    const int complete = int(Frame::Status::Complete);
    const int incomplete = int(Frame::Status::Incomplete);
    const int invalid = int(Frame::Status::Invalid);

    QTest::newRow("complete") << QByteArray("a=1\nb=2\n\n") << 1000 << complete << QByteArray("a=1\nb=2")
                              << QByteArray();
    QTest::newRow("crlf") << QByteArray("a=1\r\nb=2\r\n\r\n") << 1000 << complete << QByteArray("a=1\r\nb=2")
                          << QByteArray();
    QTest::newRow("lf lines, crlf terminator")
        << QByteArray("a=1\n\r\n") << 1000 << complete << QByteArray("a=1") << QByteArray();
    QTest::newRow("empty request") << QByteArray("\n") << 1000 << complete << QByteArray() << QByteArray();
    QTest::newRow("empty buffer") << QByteArray() << 1000 << incomplete << QByteArray() << QByteArray();
    QTest::newRow("one line") << QByteArray("a=1\n") << 1000 << incomplete << QByteArray()
                              << QByteArray("a=1\n");
    QTest::newRow("partial line") << QByteArray("a=1\nb=") << 1000 << incomplete << QByteArray()
                                  << QByteArray("a=1\nb=");
    QTest::newRow("cr without lf") << QByteArray("a=1\n\r") << 1000 << incomplete << QByteArray()
                                   << QByteArray("a=1\n\r");
    QTest::newRow("line with only spaces is not the end")
        << QByteArray("a=1\n \n") << 1000 << incomplete << QByteArray() << QByteArray("a=1\n \n");
    QTest::newRow("two requests") << QByteArray("a=1\n\nb=2\n\n") << 1000 << complete << QByteArray("a=1")
                                  << QByteArray("b=2\n\n");
    QTest::newRow("request and partial")
        << QByteArray("a=1\n\nb=") << 1000 << complete << QByteArray("a=1") << QByteArray("b=");
    QTest::newRow("at limit") << QByteArray("a=1234567\n\n") << 10 << complete << QByteArray("a=1234567")
                              << QByteArray();
    QTest::newRow("over limit, terminated")
        << QByteArray("a=12345678\n\n") << 10 << invalid << QByteArray() << QByteArray();
    QTest::newRow("over limit, unterminated")
        << QByteArray(11, 'x') << 10 << invalid << QByteArray() << QByteArray();
    QTest::newRow("over limit, many lines")
        << QByteArray("a=1\n").repeated(100) << 64 << invalid << QByteArray() << QByteArray();
    QTest::newRow("at limit, unterminated")
        << QByteArray(10, 'x') << 10 << incomplete << QByteArray() << QByteArray(10, 'x');
    QTest::newRow("small request before a long rest")
        << QByteArray("a=1\n\n") + QByteArray(100, 'x') << 10 << complete << QByteArray("a=1")
        << QByteArray(100, 'x');
}

void TestPolicyCodec::takeRequest()
{
    QFETCH(QByteArray, buffer);
    QFETCH(int, maxRequestSize);
    QFETCH(int, status);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, remaining);

    const Frame frame = PolicyCodec::takeRequest(buffer, maxRequestSize);
    QCOMPARE(int(frame.status), status);
    QCOMPARE(frame.payload, payload);
    if (status == int(Frame::Status::Invalid)) {
        QVERIFY2(frame.error.contains(QString::number(maxRequestSize)), qPrintable(frame.error));
    } else {
        QVERIFY(frame.error.isEmpty());
        QCOMPARE(buffer, remaining);
    }
}

void TestPolicyCodec::takeRequest_everySplitPoint()
{
    for (qsizetype split = 0; split < PostfixRequest.size(); ++split) {
        QByteArray buffer = PostfixRequest.left(split);
        const Frame partial = PolicyCodec::takeRequest(buffer, 64 * 1024);
        QVERIFY2(partial.status == Frame::Status::Incomplete,
                 qPrintable(QStringLiteral("split at %1").arg(split)));
        QCOMPARE(buffer, PostfixRequest.left(split));
        buffer += PostfixRequest.mid(split);
        const Frame whole = PolicyCodec::takeRequest(buffer, 64 * 1024);
        QCOMPARE(int(whole.status), int(Frame::Status::Complete));
        QCOMPARE(whole.payload, PostfixRequest.chopped(2));
        QVERIFY(buffer.isEmpty());
    }
}

void TestPolicyCodec::takeRequest_pipelined()
{
    QByteArray buffer = PostfixRequest + "a=1\n\n" + PostfixRequest + "x=";
    QList<QByteArray> payloads;
    for (;;) {
        const Frame frame = PolicyCodec::takeRequest(buffer, 64 * 1024);
        if (frame.status != Frame::Status::Complete) {
            QCOMPARE(int(frame.status), int(Frame::Status::Incomplete));
            break;
        }
        payloads.append(frame.payload);
    }
    const QList<QByteArray> expected{PostfixRequest.chopped(2), "a=1", PostfixRequest.chopped(2)};
    QCOMPARE(payloads, expected);
    QCOMPARE(buffer, QByteArray("x="));
}

void TestPolicyCodec::parseAttributes_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<Attributes>("attributes");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("postfix request") << PostfixRequest.chopped(1) << true
                                     << Attributes{{"request", "smtpd_access_policy"},
                                                   {"protocol_state", "RCPT"},
                                                   {"protocol_name", "ESMTP"},
                                                   {"client_address", "192.0.2.1"},
                                                   {"helo_name", "mail.example.com"},
                                                   {"sender", "a@example.com"},
                                                   {"recipient", "b@example.net"},
                                                   {"ccert_subject", "CN=mx,O=Example"},
                                                   {"sasl_method", ""}}
                                     << QString();
    QTest::newRow("order kept") << QByteArray("z=1\na=2\nm=3\n") << true
                                << Attributes{{"z", "1"}, {"a", "2"}, {"m", "3"}} << QString();
    QTest::newRow("equals inside value") << QByteArray("ccert_subject=CN=a=b\n") << true
                                         << Attributes{{"ccert_subject", "CN=a=b"}} << QString();
    QTest::newRow("empty value") << QByteArray("sasl_username=\n") << true
                                 << Attributes{{"sasl_username", ""}} << QString();
    QTest::newRow("unknown names kept")
        << QByteArray("request=smtpd_access_policy\nnew_in_postfix_9=x\n") << true
        << Attributes{{"request", "smtpd_access_policy"}, {"new_in_postfix_9", "x"}} << QString();
    QTest::newRow("duplicates kept") << QByteArray("a=1\na=2\n") << true << Attributes{{"a", "1"}, {"a", "2"}}
                                     << QString();
    QTest::newRow("crlf") << QByteArray("a=1\r\nb=2\r\n") << true << Attributes{{"a", "1"}, {"b", "2"}}
                          << QString();
    QTest::newRow("no final newline") << QByteArray("a=1") << true << Attributes{{"a", "1"}} << QString();
    QTest::newRow("spaces and utf8 in value") << QByteArray("helo_name= j\xC3\xBCrgen x \n") << true
                                              << Attributes{{"helo_name", " j\xC3\xBCrgen x "}} << QString();
    QTest::newRow("line without equals")
        << QByteArray("a=1\nbogus\n") << false << Attributes() << QStringLiteral("no '='");
    QTest::newRow("empty name") << QByteArray("=value\n") << false << Attributes()
                                << QStringLiteral("empty name");
    QTest::newRow("empty name after good line")
        << QByteArray("a=1\n=2\n") << false << Attributes() << QStringLiteral("empty name");
    QTest::newRow("empty request") << QByteArray() << false << Attributes()
                                   << QStringLiteral("empty policy request");
    QTest::newRow("blank lines only")
        << QByteArray("\n\r\n") << false << Attributes() << QStringLiteral("empty policy request");
}

void TestPolicyCodec::parseAttributes()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, ok);
    QFETCH(Attributes, attributes);
    QFETCH(QString, errorContains);

    QString error;
    const auto parsed = PolicyCodec::parseAttributes(payload, &error);
    QCOMPARE(parsed.has_value(), ok);
    if (ok)
        QCOMPARE(*parsed, attributes);
    else
        QVERIFY2(error.contains(errorContains), qPrintable(error));
}

void TestPolicyCodec::request()
{
    const Attributes attributes{{"request", "smtpd_access_policy"}, {"sender", ""}, {"x", "a=b"}};
    QByteArray wire = PolicyCodec::request(attributes);
    QCOMPARE(wire, QByteArray("request=smtpd_access_policy\nsender=\nx=a=b\n\n"));

    const Frame frame = PolicyCodec::takeRequest(wire, 1000);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    QVERIFY(wire.isEmpty());
    QString error;
    const auto parsed = PolicyCodec::parseAttributes(frame.payload, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(*parsed, attributes);
}

void TestPolicyCodec::formEncode_data()
{
    QTest::addColumn<Attributes>("attributes");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("none") << Attributes() << QByteArray();
    QTest::newRow("one") << Attributes{{"request", "smtpd_access_policy"}}
                         << QByteArray("request=smtpd_access_policy");
    QTest::newRow("order kept") << Attributes{{"z", "1"}, {"a", "2"}, {"m", "3"}}
                                << QByteArray("z=1&a=2&m=3");
    QTest::newRow("empty value") << Attributes{{"sasl_method", ""}, {"size", "0"}}
                                 << QByteArray("sasl_method=&size=0");
    QTest::newRow("space") << Attributes{{"helo_name", "a b"}} << QByteArray("helo_name=a%20b");
    QTest::newRow("ampersand") << Attributes{{"v", "a&b"}} << QByteArray("v=a%26b");
    QTest::newRow("equals") << Attributes{{"ccert_subject", "CN=x"}} << QByteArray("ccert_subject=CN%3Dx");
    QTest::newRow("plus") << Attributes{{"sender", "a+tag@x"}} << QByteArray("sender=a%2Btag%40x");
    QTest::newRow("percent") << Attributes{{"v", "100%"}} << QByteArray("v=100%25");
    QTest::newRow("unreserved kept") << Attributes{{"v", "aZ09-._~"}} << QByteArray("v=aZ09-._~");
    QTest::newRow("utf8") << Attributes{{"sender", "j\xC3\xBCrgen@x"}}
                          << QByteArray("sender=j%C3%BCrgen%40x");
    QTest::newRow("not utf8 bytes kept")
        << Attributes{{"helo_name", "caf\xE9"}} << QByteArray("helo_name=caf%E9");
    QTest::newRow("control bytes") << Attributes{{"v", "a\nb\r\t"}} << QByteArray("v=a%0Ab%0D%09");
    QTest::newRow("special name") << Attributes{{"a b&c", "1"}} << QByteArray("a%20b%26c=1");
}

void TestPolicyCodec::formEncode()
{
    QFETCH(Attributes, attributes);
    QFETCH(QByteArray, expected);
    QCOMPARE(PolicyCodec::formEncode(attributes), expected);
}

void TestPolicyCodec::formEncode_decodesBack()
{
    // What a form decoder on the backend sees: the same names and values, in order.
    const Attributes attributes{{"sender", "a+b@x"}, {"ccert_subject", "CN=a&b=c"},    {"helo_name", "x y"},
                                {"empty", ""},       {"utf8", "\xC3\xA9\xE2\x82\xAC"}, {"pct", "%41"}};
    const QUrlQuery query(QString::fromLatin1(PolicyCodec::formEncode(attributes)));
    const auto items = query.queryItems(QUrl::FullyDecoded);
    QCOMPARE(items.size(), attributes.size());
    for (int i = 0; i < items.size(); ++i) {
        QCOMPARE(items.at(i).first, QString::fromUtf8(attributes.at(i).first));
        QCOMPARE(items.at(i).second, QString::fromUtf8(attributes.at(i).second));
    }
}

void TestPolicyCodec::firstLine_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << QByteArray("DUNNO") << QByteArray("DUNNO");
    QTest::newRow("with text") << QByteArray("REJECT no such user") << QByteArray("REJECT no such user");
    QTest::newRow("trailing newline") << QByteArray("DUNNO\n") << QByteArray("DUNNO");
    QTest::newRow("surrounding whitespace") << QByteArray(" \t REJECT no \r\n") << QByteArray("REJECT no");
    QTest::newRow("multi-line body") << QByteArray("OK\nREJECT injected\n") << QByteArray("OK");
    QTest::newRow("crlf body") << QByteArray("DEFER_IF_PERMIT later\r\naction=OK\r\n")
                               << QByteArray("DEFER_IF_PERMIT later");
    QTest::newRow("leading blank lines")
        << QByteArray("\n\n  PREPEND X-Test: 1\nmore") << QByteArray("PREPEND X-Test: 1");
    QTest::newRow("whitespace before newline") << QByteArray("OK   \nx") << QByteArray("OK");
    QTest::newRow("lone cr becomes a space") << QByteArray("OK\rREJECT") << QByteArray("OK REJECT");
    QTest::newRow("tab inside becomes a space") << QByteArray("REJECT a\tb") << QByteArray("REJECT a b");
    QTest::newRow("control byte inside") << QByteArray("REJECT a\x01z") << QByteArray("REJECT a z");
    QTest::newRow("nul inside") << QByteArray("REJECT a\0z", 10) << QByteArray("REJECT a z");
    QTest::newRow("escape sequence") << QByteArray("REJECT \x1b[31mred") << QByteArray("REJECT  [31mred");
    QTest::newRow("del inside") << QByteArray("REJECT a\x7fz") << QByteArray("REJECT a z");
    QTest::newRow("utf8 kept") << QByteArray("REJECT gr\xC3\xBC\xC3\x9F")
                               << QByteArray("REJECT gr\xC3\xBC\xC3\x9F");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("whitespace only") << QByteArray(" \r\n\t\n ") << QByteArray();
    // A control byte must not leave a blank, non-empty action behind: Postfix reads "action= " as no action.
    QTest::newRow("control byte only") << QByteArray("\x01") << QByteArray();
    QTest::newRow("trailing control byte") << QByteArray("DUNNO\x7f") << QByteArray("DUNNO");
    QTest::newRow("leading control byte") << QByteArray("\x1b REJECT") << QByteArray("REJECT");
}

void TestPolicyCodec::firstLine()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);
    const QByteArray line = PolicyCodec::firstLine(body);
    QCOMPARE(line, expected);
    QVERIFY(!line.contains('\n'));
    QVERIFY(!line.contains('\r'));
}

void TestPolicyCodec::reply_data()
{
    QTest::addColumn<QByteArray>("action");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("dunno") << QByteArray("DUNNO") << QByteArray("action=DUNNO\n\n");
    QTest::newRow("with text") << QByteArray("REJECT 5.7.1 no") << QByteArray("action=REJECT 5.7.1 no\n\n");
    QTest::newRow("defer code") << QByteArray("451 4.3.5 id - backend down")
                                << QByteArray("action=451 4.3.5 id - backend down\n\n");
    QTest::newRow("utf8") << QByteArray("REJECT \xC3\xA9") << QByteArray("action=REJECT \xC3\xA9\n\n");
}

void TestPolicyCodec::reply()
{
    QFETCH(QByteArray, action);
    QFETCH(QByteArray, expected);
    QByteArray wire = PolicyCodec::reply(action);
    QCOMPARE(wire, expected);

    // A client frames and parses the reply the same way.
    const Frame frame = PolicyCodec::takeRequest(wire, 10000);
    QCOMPARE(int(frame.status), int(Frame::Status::Complete));
    QVERIFY(wire.isEmpty());
    QString error;
    const auto parsed = PolicyCodec::parseReply(frame.payload, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(*parsed, action);
}

void TestPolicyCodec::parseReply_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("action");

    QTest::newRow("with newline") << QByteArray("action=DUNNO\n") << true << QByteArray("DUNNO");
    QTest::newRow("without newline") << QByteArray("action=OK") << true << QByteArray("OK");
    QTest::newRow("crlf") << QByteArray("action=REJECT x\r\n") << true << QByteArray("REJECT x");
    QTest::newRow("empty action") << QByteArray("action=\n") << true << QByteArray();
    QTest::newRow("equals in action")
        << QByteArray("action=PREPEND X-A: b=c\n") << true << QByteArray("PREPEND X-A: b=c");
    QTest::newRow("other attribute") << QByteArray("result=DUNNO\n") << false << QByteArray();
    QTest::newRow("two lines") << QByteArray("action=DUNNO\naction=OK\n") << false << QByteArray();
    QTest::newRow("upper case") << QByteArray("ACTION=DUNNO\n") << false << QByteArray();
    QTest::newRow("empty") << QByteArray() << false << QByteArray();
}

void TestPolicyCodec::parseReply()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, ok);
    QFETCH(QByteArray, action);

    QString error;
    const auto parsed = PolicyCodec::parseReply(payload, &error);
    QCOMPARE(parsed.has_value(), ok);
    if (ok)
        QCOMPARE(*parsed, action);
    else
        QVERIFY(!error.isEmpty());
}

QTEST_APPLESS_MAIN(TestPolicyCodec)
#include "tst_policycodec.moc"
