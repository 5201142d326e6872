// SPDX-License-Identifier: GPL-3.0-or-later
// The reply tables: what each backend answer becomes in each Postfix protocol (README "Reply mapping").
#include "backend/backendcall.h"
#include "listen/endpointcontext.h"
#include "metrics/resultclass.h"
#include "modes/modehandler.h"
#include "protocol/netstring.h"

#include <QTest>

using namespace prc;

Q_DECLARE_METATYPE(prc::EndpointMode)
Q_DECLARE_METATYPE(prc::BackendResult::Outcome)

namespace {

const QByteArray Id = QByteArrayLiteral("RID");

EndpointConfig endpoint(EndpointMode mode)
{
    EndpointConfig config;
    config.name = QStringLiteral("t");
    config.mode = mode;
    config.target = QUrl(QStringLiteral("http://backend.test/lookup"));
    config.listSeparator = QStringLiteral(",");
    return config;
}

BackendResult response(int status, const QByteArray &body)
{
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = status;
    result.body = body;
    return result;
}

QByteArray ns(const char *payload)
{
    return Netstring::encode(payload);
}

BackendResult failure(BackendResult::Outcome outcome, const QString &error)
{
    BackendResult result;
    result.outcome = outcome;
    result.error = error;
    return result;
}

} // namespace

class TestModeHandlers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replyMapping_data();
    void replyMapping();
    void oversizedReplies_data();
    void oversizedReplies();
    void requestMapping_data();
    void requestMapping();
    void malformedRequests_data();
    void malformedRequests();
    void configuredReplies_data();
    void configuredReplies();
};

void TestModeHandlers::replyMapping_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<BackendResult>("result");
    QTest::addColumn<QByteArray>("expected");

    using O = BackendResult::Outcome;
    const auto tcp = EndpointMode::TcpLookup;
    const auto sm = EndpointMode::SocketmapLookup;
    const auto pol = EndpointMode::Policy;

    // tcp_table: 200 found, 500 not found, 400 everything else (no permanent error exists).
    QTest::newRow("tcp 200 one value")
        << tcp << response(200, R"(["a@example.com"])") << QByteArray("200 a@example.com\n");
    QTest::newRow("tcp 200 two values") << tcp << response(200, R"(["a","b"])") << QByteArray("200 a,b\n");
    QTest::newRow("tcp 200 value with space and percent")
        << tcp << response(200, R"(["a b%c"])") << QByteArray("200 a%20b%25c\n");
    QTest::newRow("tcp 200 non-ascii value")
        << tcp << response(200, R"(["m\u00fcller"])") << QByteArray("200 m%C3%BCller\n");
    QTest::newRow("tcp 200 value with newline")
        << tcp << response(200, R"(["a\nb"])") << QByteArray("200 a%0Ab\n");
    QTest::newRow("tcp 200 empty array")
        << tcp << response(200, "[]") << QByteArray("500 RID%20-%20key%20not%20found\n");
    QTest::newRow("tcp 404") << tcp << response(404, "") << QByteArray("500 RID%20-%20key%20not%20found\n");
    QTest::newRow("tcp 403")
        << tcp << response(403, "")
        << QByteArray("400 RID%20-%20backend%20rejected%20the%20request%20with%20status%20403\n");
    QTest::newRow("tcp 500") << tcp << response(500, "")
                             << QByteArray("400 RID%20-%20unexpected%20backend%20status%20500\n");
    QTest::newRow("tcp 204") << tcp << response(204, "")
                             << QByteArray("400 RID%20-%20unexpected%20backend%20status%20204\n");
    QTest::newRow("tcp 302") << tcp << response(302, "")
                             << QByteArray("400 RID%20-%20unexpected%20backend%20status%20302\n");
    QTest::newRow("tcp invalid json")
        << tcp << response(200, "not json")
        << QByteArray("400 RID%20-%20invalid%20JSON%20from%20backend:%20illegal%20value\n");
    QTest::newRow("tcp object not array")
        << tcp << response(200, "{}")
        << QByteArray("400 RID%20-%20backend%20response%20is%20not%20a%20JSON%20array\n");
    QTest::newRow("tcp array of numbers")
        << tcp << response(200, "[1]")
        << QByteArray("400 RID%20-%20backend%20response%20array%20holds%20a%20non-string%20value\n");
    QTest::newRow("tcp timeout") << tcp << failure(O::Timeout, QStringLiteral("slow"))
                                 << QByteArray("400 RID%20-%20slow\n");
    QTest::newRow("tcp network error")
        << tcp << failure(O::NetworkError, QStringLiteral("Connection refused"))
        << QByteArray("400 RID%20-%20Connection%20refused\n");
    QTest::newRow("tcp too large") << tcp << failure(O::TooLarge, QStringLiteral("big"))
                                   << QByteArray("400 RID%20-%20big\n");

    // socketmap: OK, NOTFOUND, TEMP, TIMEOUT, PERM.
    QTest::newRow("socketmap 200") << sm << response(200, R"(["a","b"])") << ns("OK a,b");
    QTest::newRow("socketmap 200 utf-8 raw")
        << sm << response(200, R"(["m\u00fcller"])") << ns("OK m\xc3\xbcller");
    QTest::newRow("socketmap []") << sm << response(200, "[]") << ns("NOTFOUND ");
    QTest::newRow("socketmap 404") << sm << response(404, "nope") << ns("NOTFOUND ");
    QTest::newRow("socketmap 401") << sm << response(401, "")
                                   << ns("PERM RID - backend rejected the request with status 401");
    QTest::newRow("socketmap 503") << sm << response(503, "")
                                   << ns("TEMP RID - unexpected backend status 503");
    QTest::newRow("socketmap invalid json")
        << sm << response(200, "[") << ns("TEMP RID - invalid JSON from backend: unterminated array");
    QTest::newRow("socketmap timeout")
        << sm << failure(O::Timeout, QStringLiteral("slow")) << ns("TIMEOUT RID - slow");
    QTest::newRow("socketmap network error")
        << sm << failure(O::NetworkError, QStringLiteral("refused")) << ns("TEMP RID - refused");

    // policy: the first line of the body, or a 451 deferral; never an empty action.
    QTest::newRow("policy 200 DUNNO") << pol << response(200, "DUNNO") << QByteArray("action=DUNNO\n\n");
    QTest::newRow("policy 200 trimmed")
        << pol << response(200, "  REJECT go away \r\n") << QByteArray("action=REJECT go away\n\n");
    QTest::newRow("policy 200 first line only")
        << pol << response(200, "OK\nPREPEND X: y") << QByteArray("action=OK\n\n");
    QTest::newRow("policy 200 empty body")
        << pol << response(200, "")
        << QByteArray("action=451 4.3.0 RID backend returned an empty action\n\n");
    QTest::newRow("policy 200 whitespace body")
        << pol << response(200, " \n ")
        << QByteArray("action=451 4.3.0 RID backend returned an empty action\n\n");
    QTest::newRow("policy 204") << pol << response(204, "")
                                << QByteArray("action=451 4.3.0 RID unexpected backend status 204\n\n");
    QTest::newRow("policy 301") << pol << response(301, "")
                                << QByteArray("action=451 4.3.0 RID unexpected backend status 301\n\n");
    QTest::newRow("policy 400")
        << pol << response(400, "bad")
        << QByteArray(
               "action=451 4.3.5 RID backend rejected the request (misconfiguration?) with status 400\n\n");
    QTest::newRow("policy 404")
        << pol << response(404, "")
        << QByteArray(
               "action=451 4.3.5 RID backend rejected the request (misconfiguration?) with status 404\n\n");
    QTest::newRow("policy 500") << pol << response(500, "REJECT")
                                << QByteArray("action=451 4.3.0 RID unexpected backend status 500\n\n");
    QTest::newRow("policy timeout") << pol << failure(O::Timeout, QStringLiteral("too slow"))
                                    << QByteArray("action=451 4.3.0 RID too slow\n\n");
    QTest::newRow("policy network error") << pol << failure(O::NetworkError, QStringLiteral("refused\nline"))
                                          << QByteArray("action=451 4.3.0 RID refused\n\n");
}

void TestModeHandlers::replyMapping()
{
    QFETCH(EndpointMode, mode);
    QFETCH(BackendResult, result);
    QFETCH(QByteArray, expected);
    const auto handler = EndpointContext::createHandler(endpoint(mode));
    QCOMPARE(handler->reply(result, Id), expected);
}

void TestModeHandlers::oversizedReplies_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<int>("valueSize");
    QTest::addColumn<QByteArray>("expectedPrefix");

    // tcp_table: 4096 bytes including "200 " and the newline is the most Postfix accepts.
    QTest::newRow("tcp at limit") << EndpointMode::TcpLookup << 4091 << QByteArray("200 ");
    QTest::newRow("tcp over limit") << EndpointMode::TcpLookup << 4092 << QByteArray("400 RID");
    QTest::newRow("socketmap at limit") << EndpointMode::SocketmapLookup << 99997 << QByteArray("100000:OK ");
    QTest::newRow("socketmap over limit") << EndpointMode::SocketmapLookup << 99998 << QByteArray("TEMP RID");
    QTest::newRow("policy over limit") << EndpointMode::Policy << 9000 << QByteArray("action=451 4.3.0 RID");
}

void TestModeHandlers::oversizedReplies()
{
    QFETCH(EndpointMode, mode);
    QFETCH(int, valueSize);
    QFETCH(QByteArray, expectedPrefix);
    const auto handler = EndpointContext::createHandler(endpoint(mode));
    const QByteArray value(valueSize, 'v');
    const QByteArray body = mode == EndpointMode::Policy ? value : QByteArray("[\"" + value + "\"]");
    const QByteArray reply = handler->reply(response(200, body), Id);
    QVERIFY2(reply.startsWith(expectedPrefix) || reply.mid(reply.indexOf(':') + 1).startsWith(expectedPrefix),
             reply.left(60).constData());
    if (mode == EndpointMode::TcpLookup)
        QVERIFY(reply.size() <= 4096);
}

void TestModeHandlers::requestMapping_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QByteArray>("expectedUrl");
    QTest::addColumn<QByteArray>("expectedBody");

    const QString plain = QStringLiteral("http://backend.test/lookup");
    const QString withQuery = QStringLiteral("http://backend.test/lookup?table=virtual");
    QTest::newRow("tcp simple") << EndpointMode::TcpLookup << plain << QByteArray("get example.com")
                                << QByteArray("http://backend.test/lookup?key=example.com") << QByteArray();
    QTest::newRow("tcp decoded key re-encoded")
        << EndpointMode::TcpLookup << plain << QByteArray("get a%20b+c%25d")
        << QByteArray("http://backend.test/lookup?key=a%20b%2Bc%25d") << QByteArray();
    QTest::newRow("tcp utf-8 key") << EndpointMode::TcpLookup << plain
                                   << QByteArray("get m%C3%BCller@example.com")
                                   << QByteArray("http://backend.test/lookup?key=m%C3%BCller%40example.com")
                                   << QByteArray();
    QTest::newRow("tcp invalid utf-8 key kept as bytes")
        << EndpointMode::TcpLookup << plain << QByteArray("get %FF%FE")
        << QByteArray("http://backend.test/lookup?key=%FF%FE") << QByteArray();
    QTest::newRow("tcp target with query")
        << EndpointMode::TcpLookup << withQuery << QByteArray("get x&y=z")
        << QByteArray("http://backend.test/lookup?table=virtual&key=x%26y%3Dz") << QByteArray();
    QTest::newRow("socketmap") << EndpointMode::SocketmapLookup << plain
                               << QByteArray("virtual user@example.com")
                               << QByteArray("http://backend.test/lookup?name=virtual&key=user%40example.com")
                               << QByteArray();
    QTest::newRow("socketmap key with spaces")
        << EndpointMode::SocketmapLookup << plain << QByteArray("m a b")
        << QByteArray("http://backend.test/lookup?name=m&key=a%20b") << QByteArray();
    QTest::newRow("policy")
        << EndpointMode::Policy << plain
        << QByteArray("request=smtpd_access_policy\nrecipient=a+b@example.com\nx=1=2\nempty=")
        << QByteArray("http://backend.test/lookup")
        << QByteArray("request=smtpd_access_policy&recipient=a%2Bb%40example.com&x=1%3D2&empty=");
}

void TestModeHandlers::requestMapping()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QString, target);
    QFETCH(QByteArray, frame);
    QFETCH(QByteArray, expectedUrl);
    QFETCH(QByteArray, expectedBody);

    EndpointConfig config = endpoint(mode);
    config.target = QUrl(target);
    const auto handler = EndpointContext::createHandler(config);
    const ModeHandler::Prepared prepared = handler->prepare(frame, Id);
    QVERIFY(prepared.call.has_value());
    QCOMPARE(prepared.call->url.toEncoded(), expectedUrl);
    QCOMPARE(prepared.call->body, expectedBody);
    QCOMPARE(prepared.call->method,
             mode == EndpointMode::Policy ? BackendCall::Method::Post : BackendCall::Method::Get);
}

void TestModeHandlers::malformedRequests_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QByteArray>("expectedPrefix");
    QTest::addColumn<bool>("close");

    QTest::newRow("tcp unknown command")
        << EndpointMode::TcpLookup << QByteArray("hello") << QByteArray("400 RID") << true;
    QTest::newRow("tcp put") << EndpointMode::TcpLookup << QByteArray("put a b") << QByteArray("400 RID")
                             << true;
    QTest::newRow("tcp bad escape") << EndpointMode::TcpLookup << QByteArray("get a%zz")
                                    << QByteArray("400 RID") << false;
    QTest::newRow("tcp truncated escape")
        << EndpointMode::TcpLookup << QByteArray("get a%4") << QByteArray("400 RID") << false;
    QTest::newRow("socketmap no space")
        << EndpointMode::SocketmapLookup << QByteArray("justone") << QByteArray("PERM RID") << false;
    QTest::newRow("policy line without =") << EndpointMode::Policy << QByteArray("request=x\ngarbage")
                                           << QByteArray("action=451 4.3.5 RID") << false;
}

void TestModeHandlers::malformedRequests()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QByteArray, frame);
    QFETCH(QByteArray, expectedPrefix);
    QFETCH(bool, close);
    const auto handler = EndpointContext::createHandler(endpoint(mode));
    const ModeHandler::Prepared prepared = handler->prepare(frame, Id);
    QVERIFY(!prepared.call.has_value());
    const QByteArray reply = mode == EndpointMode::SocketmapLookup
                                 ? prepared.immediateReply.mid(prepared.immediateReply.indexOf(':') + 1)
                                 : prepared.immediateReply;
    QVERIFY2(reply.startsWith(expectedPrefix), reply.constData());
    QCOMPARE(prepared.closeAfterReply, close);
}

void TestModeHandlers::configuredReplies_data()
{
    // value-path, not-found-statuses and failure-action: each row sets one of them (the rest default).
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QString>("valuePath");
    QTest::addColumn<QList<int>>("notFound");
    QTest::addColumn<QString>("failureAction");
    QTest::addColumn<BackendResult>("result");
    QTest::addColumn<QByteArray>("expected");

    using O = BackendResult::Outcome;
    const auto tcp = EndpointMode::TcpLookup;
    const auto sm = EndpointMode::SocketmapLookup;
    const auto pol = EndpointMode::Policy;
    const QList<int> nf404{404};
    const QString none;
    const QString aliases = QStringLiteral("/data/aliases");
    const QByteArray nested =
        R"({"data":{"aliases":["x","y"],"one":"z","n":null,"num":3,"mixed":["a",1],"e":[]}})";

    const auto row = [](const char *name, EndpointMode mode, const QString &path, const QList<int> &notFound,
                        const QString &action, const BackendResult &result, const QByteArray &expected) {
        QTest::newRow(name) << mode << path << notFound << action << result << expected;
    };

    // value-path: the issue's example, then every shape the value can have.
    row("tcp path to array", tcp, aliases, nf404, none, response(200, nested), "200 x,y\n");
    row("socketmap path to array", sm, aliases, nf404, none, response(200, nested), ns("OK x,y"));
    row("tcp path to string", tcp, QStringLiteral("/data/one"), nf404, none, response(200, nested),
        "200 z\n");
    row("socketmap path to string", sm, QStringLiteral("/data/one"), nf404, none, response(200, nested),
        ns("OK z"));
    row("tcp path missing", tcp, QStringLiteral("/data/missing"), nf404, none, response(200, nested),
        "500 RID%20-%20key%20not%20found\n");
    row("socketmap path missing", sm, QStringLiteral("/nothing/here"), nf404, none, response(200, nested),
        ns("NOTFOUND "));
    row("socketmap path through a string", sm, QStringLiteral("/data/one/x"), nf404, none,
        response(200, nested), ns("NOTFOUND "));
    row("socketmap path to empty array", sm, QStringLiteral("/data/e"), nf404, none, response(200, nested),
        ns("NOTFOUND "));
    row("tcp path to null", tcp, QStringLiteral("/data/n"), nf404, none, response(200, nested),
        "400 "
        "RID%20-%20backend%20value%20at%20/data/n%20is%20null,%20not%20a%20string%20or%20an%20array%20of%20"
        "strings\n");
    row("socketmap path to number", sm, QStringLiteral("/data/num"), nf404, none, response(200, nested),
        ns("TEMP RID - backend value at /data/num is a number, not a string or an array of strings"));
    row("socketmap path to object", sm, QStringLiteral("/data"), nf404, none, response(200, nested),
        ns("TEMP RID - backend value at /data is an object, not a string or an array of strings"));
    row("socketmap path to mixed array", sm, QStringLiteral("/data/mixed"), nf404, none,
        response(200, nested), ns("TEMP RID - backend array at /data/mixed holds a non-string value"));
    row("socketmap path into array document", sm, QStringLiteral("/1"), nf404, none,
        response(200, R"(["a",["b","c"]])"), ns("OK b,c"));
    row("socketmap path on invalid json", sm, aliases, nf404, none, response(200, "{"),
        ns("TEMP RID - invalid JSON from backend: unterminated object"));
    row("socketmap path and 404", sm, aliases, nf404, none, response(404, ""), ns("NOTFOUND "));
    row("socketmap path and 503", sm, aliases, nf404, none, response(503, nested),
        ns("TEMP RID - unexpected backend status 503"));
    row("tcp empty path is today's reading", tcp, none, nf404, none, response(200, nested),
        "400 RID%20-%20backend%20response%20is%20not%20a%20JSON%20array\n");

    // not-found-statuses.
    const QList<int> nf404410{404, 410};
    row("tcp 410 listed", tcp, none, nf404410, none, response(410, ""), "500 RID%20-%20key%20not%20found\n");
    row("socketmap 410 listed", sm, none, nf404410, none, response(410, ""), ns("NOTFOUND "));
    row("socketmap 404 still listed", sm, none, nf404410, none, response(404, ""), ns("NOTFOUND "));
    row("socketmap 204 listed", sm, none, QList<int>{204}, none, response(204, ""), ns("NOTFOUND "));
    row("socketmap 404 not listed", sm, none, QList<int>{410}, none, response(404, ""),
        ns("PERM RID - backend rejected the request with status 404"));
    row("tcp empty list: 404 is an error", tcp, none, QList<int>(), none, response(404, ""),
        "400 RID%20-%20backend%20rejected%20the%20request%20with%20status%20404\n");
    row("socketmap 403 not listed", sm, none, nf404410, none, response(403, ""),
        ns("PERM RID - backend rejected the request with status 403"));
    row("tcp 200 unaffected", tcp, none, nf404410, none, response(200, R"(["a"])"), "200 a\n");

    // failure-action: every failed call answers with it; text follows when the action takes text.
    const QString deferAction = QStringLiteral("DEFER_IF_PERMIT");
    row("policy DEFER_IF_PERMIT timeout", pol, none, nf404, deferAction,
        failure(O::Timeout, QStringLiteral("too slow")), "action=DEFER_IF_PERMIT RID too slow\n\n");
    row("policy DEFER_IF_PERMIT 400", pol, none, nf404, deferAction, response(400, ""),
        "action=DEFER_IF_PERMIT RID backend rejected the request (misconfiguration?) with status 400\n\n");
    row("policy DEFER_IF_PERMIT 503", pol, none, nf404, deferAction, response(503, ""),
        "action=DEFER_IF_PERMIT RID unexpected backend status 503\n\n");
    row("policy DEFER_IF_PERMIT empty body", pol, none, nf404, deferAction, response(200, ""),
        "action=DEFER_IF_PERMIT RID backend returned an empty action\n\n");
    row("policy DEFER_IF_PERMIT network error", pol, none, nf404, deferAction,
        failure(O::NetworkError, QStringLiteral("refused\nsecond line")),
        "action=DEFER_IF_PERMIT RID refused\n\n");
    row("policy DEFER_IF_PERMIT success unchanged", pol, none, nf404, deferAction, response(200, "REJECT no"),
        "action=REJECT no\n\n");
    row("policy DUNNO 503", pol, none, nf404, QStringLiteral("DUNNO"), response(503, ""), "action=DUNNO\n\n");
    row("policy DUNNO timeout", pol, none, nf404, QStringLiteral("DUNNO"),
        failure(O::Timeout, QStringLiteral("slow")), "action=DUNNO\n\n");
    row("policy OK 404", pol, none, nf404, QStringLiteral("OK"), response(404, ""), "action=OK\n\n");
    row("policy 450 with text 404", pol, none, nf404, QStringLiteral("450 4.7.1 try later"),
        response(404, ""),
        "action=450 4.7.1 try later RID backend rejected the request (misconfiguration?) with status "
        "404\n\n");
    row("policy explicit default 404", pol, none, nf404, QStringLiteral("451 4.3.0"), response(404, ""),
        "action=451 4.3.0 RID backend rejected the request (misconfiguration?) with status 404\n\n");
    row("policy REDIRECT takes no reason", pol, none, nf404, QStringLiteral("REDIRECT q@example.com"),
        response(500, ""), "action=REDIRECT q@example.com\n\n");
    row("policy PREPEND takes the reason", pol, none, nf404, QStringLiteral("PREPEND X-Policy: unchecked"),
        response(500, ""), "action=PREPEND X-Policy: unchecked RID unexpected backend status 500\n\n");
    row("policy too long action", pol, none, nf404, deferAction, response(200, QByteArray(9000, 'v')),
        "action=DEFER_IF_PERMIT RID backend action longer than 8000 bytes\n\n");
}

void TestModeHandlers::configuredReplies()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QString, valuePath);
    QFETCH(QList<int>, notFound);
    QFETCH(QString, failureAction);
    QFETCH(BackendResult, result);
    QFETCH(QByteArray, expected);
    EndpointConfig config = endpoint(mode);
    config.valuePath = valuePath;
    config.notFoundStatuses = notFound;
    config.failureAction = failureAction;
    const auto handler = EndpointContext::createHandler(config);
    QCOMPARE(handler->reply(result, Id), expected);

    // Metrics and the cache classify the answer the same way the reply does.
    const ResultClass fromResult = classifyResult(mode, result, EndpointContext::lookupShape(config));
    QCOMPARE(fromResult, classifyReply(mode, result, expected));
}

QTEST_GUILESS_MAIN(TestModeHandlers)
#include "tst_modehandlers.moc"
