// SPDX-License-Identifier: GPL-3.0-or-later
// value-path, not-found-statuses, failure-action and cache.key-attributes, end to end inside one process:
// Postfix-side client → EndpointServer → real HTTP backend.
#include "backend/backendcall.h"
#include "cache/lookupcache.h"
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "metrics/endpointmetrics.h"
#include "modeprotocol.h"
#include "postfixtestclient.h"
#include "protocol/policycodec.h"

#include <QTest>

#include <functional>
#include <numeric>

using namespace prc;
using namespace prc::test;

namespace {

QByteArray policyRequest(const QByteArray &client, const QByteArray &sender, const QByteArray &recipient)
{
    return PolicyCodec::request({{"request", "smtpd_access_policy"},
                                 {"protocol_state", "RCPT"},
                                 {"client_address", client},
                                 {"sender", sender},
                                 {"recipient", recipient},
                                 {"queue_id", recipient.toHex()}});
}

} // namespace

class TestAnswerShape : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void shapedAnswers_data();
    void shapedAnswers();
    void failureActionForUnreachableBackend();
    void policyKeyAttributesShareAnswers();
    void keyFor_data();
    void keyFor();

private:
    void start(EndpointMode mode, const std::function<void(EndpointConfig &)> &adjust);
    QList<QByteArray> ask(EndpointMode mode, const QList<QByteArray> &requests);

    FakeBackend *m_backend = nullptr;
    EndpointServer *m_server = nullptr;
};

void TestAnswerShape::init()
{
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
}

void TestAnswerShape::cleanup()
{
    delete m_server;
    m_server = nullptr;
    delete m_backend;
    m_backend = nullptr;
}

void TestAnswerShape::start(EndpointMode mode, const std::function<void(EndpointConfig &)> &adjust)
{
    EndpointConfig config =
        localEndpoint(QStringLiteral("shape"), mode, m_backend->url(QStringLiteral("/q")));
    adjust(config);
    delete m_server;
    m_server = new EndpointServer(config, QStringLiteral("TestAgent/1.0"));
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
}

/// Sends the requests on one connection and returns the replies.
QList<QByteArray> TestAnswerShape::ask(EndpointMode mode, const QList<QByteArray> &requests)
{
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    QList<QByteArray> replies;
    for (const QByteArray &request : requests) {
        client.write(request);
        // One at a time, so a later request can be answered from what an earlier one stored.
        const qsizetype before = replies.size();
        if (!QTest::qWaitFor([&] { return client.replies().size() > before; }, 5000))
            return replies; // the caller's comparison shows what is missing
        replies = client.replies();
    }
    return replies;
}

void TestAnswerShape::shapedAnswers_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QString>("valuePath");
    QTest::addColumn<QList<int>>("notFound");
    QTest::addColumn<QString>("failureAction");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected"); ///< "*" at the end: prefix
    QTest::addColumn<bool>("backendError");   ///< counted in prc_backend_errors_total and logged as failed

    const auto tcp = EndpointMode::TcpLookup;
    const auto sm = EndpointMode::SocketmapLookup;
    const auto pol = EndpointMode::Policy;
    const QList<int> nf{404};
    const QByteArray wrapped = R"({"data":{"aliases":["x@example.com","y@example.com"],"n":5}})";
    const QString aliases = QStringLiteral("/data/aliases");
    QTest::newRow("tcp value-path") << tcp << aliases << nf << QString() << 200 << wrapped
                                    << QByteArray("200 x@example.com,y@example.com") << false;
    QTest::newRow("socketmap value-path") << sm << aliases << nf << QString() << 200 << wrapped
                                          << QByteArray("OK x@example.com,y@example.com") << false;
    QTest::newRow("socketmap value-path missing") << sm << QStringLiteral("/data/none") << nf << QString()
                                                  << 200 << wrapped << QByteArray("NOTFOUND ") << false;
    QTest::newRow("socketmap value-path to a number")
        << sm << QStringLiteral("/data/n") << nf << QString() << 200 << wrapped
        << QByteArray("TEMP * - backend value at /data/n is a number, not a string or an array of strings")
        << true;
    QTest::newRow("tcp 410 listed") << tcp << QString() << QList<int>{404, 410} << QString() << 410
                                    << QByteArray() << QByteArray("500 *") << false;
    QTest::newRow("socketmap 410 listed") << sm << QString() << QList<int>{404, 410} << QString() << 410
                                          << QByteArray() << QByteArray("NOTFOUND ") << false;
    QTest::newRow("socketmap 410 not listed")
        << sm << QString() << nf << QString() << 410 << QByteArray() << QByteArray("PERM *") << true;
    QTest::newRow("policy DUNNO on 503") << pol << QString() << nf << QStringLiteral("DUNNO") << 503
                                         << QByteArray() << QByteArray("action=DUNNO") << true;
    QTest::newRow("policy DEFER on 403")
        << pol << QString() << nf << QStringLiteral("DEFER policy down") << 403 << QByteArray()
        << QByteArray("action=DEFER policy down *backend rejected the request "
                      "(misconfiguration?) with status 403")
        << true;
    QTest::newRow("policy default on 403 unchanged")
        << pol << QString() << nf << QString() << 403 << QByteArray()
        << QByteArray("action=451 4.3.5 *backend rejected the request (misconfiguration?) with status 403")
        << true;
}

void TestAnswerShape::shapedAnswers()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QString, valuePath);
    QFETCH(QList<int>, notFound);
    QFETCH(QString, failureAction);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);
    QFETCH(bool, backendError);

    m_backend->respond(FakeBackend::Response::withBody(body, status));
    start(mode, [&](EndpointConfig &config) {
        config.valuePath = valuePath;
        config.notFoundStatuses = notFound;
        config.failureAction = failureAction;
    });
    const QList<QByteArray> replies = ask(mode, {requestFor(mode, "user@example.com")});
    QCOMPARE(replies.size(), 1);
    const QByteArray reply = replies.constFirst();
    const qsizetype star = expected.indexOf('*');
    if (star < 0) {
        QCOMPARE(reply, expected);
    } else {
        // The request id sits where the star is.
        QVERIFY2(reply.startsWith(expected.left(star)), reply.constData());
        QVERIFY2(reply.endsWith(expected.mid(star + 1)), reply.constData());
    }
    QCOMPARE(m_backend->requests().size(), 1);
    const auto &errors = m_server->metrics().backendErrors;
    QCOMPARE(std::accumulate(errors.begin(), errors.end(), quint64(0)), quint64(backendError ? 1 : 0));
}

void TestAnswerShape::failureActionForUnreachableBackend()
{
    start(EndpointMode::Policy, [](EndpointConfig &config) {
        config.target = QUrl(QStringLiteral("http://127.0.0.1:%1/policy").arg(FakeBackend::unusedPort()));
        config.failureAction = QStringLiteral("DUNNO");
    });
    QCOMPARE(ask(EndpointMode::Policy, {requestFor(EndpointMode::Policy, "a@example.com")}),
             QList<QByteArray>{"action=DUNNO"});
}

void TestAnswerShape::policyKeyAttributesShareAnswers()
{
    int calls = 0;
    m_backend->setHandler([&calls](const FakeBackend::Request &request) {
        ++calls;
        // The answer names what the backend saw, so a shared answer is recognisable.
        const QByteArray recipient = QUrlQuery(QString::fromUtf8(request.body))
                                         .queryItemValue(QStringLiteral("recipient"), QUrl::FullyDecoded)
                                         .toUtf8();
        FakeBackend::Response response = FakeBackend::Response::withBody("PREPEND X-Seen: " + recipient);
        response.contentType = "text/plain";
        return response;
    });
    start(EndpointMode::Policy, [](EndpointConfig &config) {
        config.cache.enabled = true;
        config.cache.keyAttributes = {QStringLiteral("client_address"), QStringLiteral("sender")};
    });
    const QList<QByteArray> replies =
        ask(EndpointMode::Policy, {policyRequest("192.0.2.1", "s@example.com", "r1@example.com"),
                                   policyRequest("192.0.2.1", "s@example.com", "r2@example.com"),
                                   policyRequest("192.0.2.1", "other@example.com", "r3@example.com"),
                                   policyRequest("192.0.2.9", "s@example.com", "r4@example.com")});
    QCOMPARE(replies, (QList<QByteArray>{
                          "action=PREPEND X-Seen: r1@example.com", "action=PREPEND X-Seen: r1@example.com",
                          "action=PREPEND X-Seen: r3@example.com", "action=PREPEND X-Seen: r4@example.com"}));
    QCOMPARE(calls, 3);
}

void TestAnswerShape::keyFor_data()
{
    QTest::addColumn<QByteArray>("bodyA");
    QTest::addColumn<QByteArray>("bodyB");
    QTest::addColumn<QStringList>("attributes");
    QTest::addColumn<bool>("same");

    const QStringList clientSender{QStringLiteral("client_address"), QStringLiteral("sender")};
    QTest::newRow("whole body differs")
        << QByteArray("client_address=1&sender=s&recipient=a")
        << QByteArray("client_address=1&sender=s&recipient=b") << QStringList() << false;
    QTest::newRow("only other attributes differ")
        << QByteArray("client_address=1&sender=s&recipient=a")
        << QByteArray("recipient=b&client_address=1&sender=s") << clientSender << true;
    QTest::newRow("a listed attribute differs")
        << QByteArray("client_address=1&sender=s") << QByteArray("client_address=2&sender=s") << clientSender
        << false;
    QTest::newRow("absent is not empty")
        << QByteArray("client_address=1") << QByteArray("client_address=1&sender=") << clientSender << false;
    QTest::newRow("prefix of a name is another name")
        << QByteArray("sender=s&client_address=1") << QByteArray("sender_domain=s&client_address=1")
        << clientSender << false;
    QTest::newRow("value cannot fake a field")
        << QByteArray("client_address=1%26sender%3Ds") << QByteArray("client_address=1&sender=s")
        << clientSender << false;
}

void TestAnswerShape::keyFor()
{
    QFETCH(QByteArray, bodyA);
    QFETCH(QByteArray, bodyB);
    QFETCH(QStringList, attributes);
    QFETCH(bool, same);
    const QUrl url(QStringLiteral("http://b/policy"));
    const BackendCall a{BackendCall::Method::Post, url, bodyA, "application/x-www-form-urlencoded"};
    const BackendCall b{BackendCall::Method::Post, url, bodyB, "application/x-www-form-urlencoded"};
    QCOMPARE(LookupCache::keyFor(a, attributes) == LookupCache::keyFor(b, attributes), same);
    // Without attributes the key is what it always was.
    QCOMPARE(LookupCache::keyFor(a, {}), LookupCache::keyFor(a));
}

QTEST_GUILESS_MAIN(TestAnswerShape)
#include "tst_answershape.moc"
