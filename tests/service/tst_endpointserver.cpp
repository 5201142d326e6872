// SPDX-License-Identifier: GPL-3.0-or-later
// Real sockets end to end inside one process: Postfix-side client → EndpointServer → real HTTP backend.
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "modeprotocol.h"
#include "postfixtestclient.h"
#include "protocol/netstring.h"
#include "protocol/policycodec.h"
#include "protocol/socketmapcodec.h"
#include "protocol/tcptablecodec.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

using namespace prc;
using namespace prc::test;
using Framing = PostfixTestClient::Framing;
using Fault = FakeBackend::Response::Fault;

namespace {

const QString Token = QStringLiteral("s3cret-token");

} // namespace

class TestEndpointServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void answersFromBackend_data();
    void answersFromBackend();
    void sendsHeadersAndFreshRequestIds_data() { addModeRows(); }
    void sendsHeadersAndFreshRequestIds();
    void pipelinedRequestsAnsweredInOrder_data() { addModeRows(); }
    void pipelinedRequestsAnsweredInOrder();
    void fragmentedRequest_data() { addModeRows(); }
    void fragmentedRequest();
    void slowBackendDoesNotBlockOtherConnections_data() { addModeRows(); }
    void slowBackendDoesNotBlockOtherConnections();
    void backendFaults_data();
    void backendFaults();
    void backendDown_data() { addModeRows(); }
    void backendDown();
    void oversizedRequestIsRefusedAndClosed_data() { addModeRows(); }
    void oversizedRequestIsRefusedAndClosed();
    void brokenStreamIsAnsweredAndClosed_data();
    void brokenStreamIsAnsweredAndClosed();
    void manyPipelinedRequestsWithInFlightLimit_data() { addModeRows(); }
    void manyPipelinedRequestsWithInFlightLimit();
    void maxConnections();
    void backendConnections_data();
    void backendConnections();
    void idleTimeoutClosesConnection();
    void clientVanishingMidRequest();
    void drainFinishesInFlightRequests();

private:
    EndpointServer *start(EndpointMode mode, const std::function<void(EndpointConfig &)> &adjust = {});

    FakeBackend *m_backend = nullptr;
    EndpointServer *m_server = nullptr;
};

void TestEndpointServer::init()
{
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
}

void TestEndpointServer::cleanup()
{
    delete m_server;
    m_server = nullptr;
    delete m_backend;
    m_backend = nullptr;
}

EndpointServer *TestEndpointServer::start(EndpointMode mode,
                                          const std::function<void(EndpointConfig &)> &adjust)
{
    EndpointConfig config = localEndpoint(QStringLiteral("test-") + modeName(mode), mode,
                                          m_backend->url(QStringLiteral("/lookup")));
    config.authToken = Token;
    if (adjust)
        adjust(config);
    delete m_server;
    m_server = new EndpointServer(config, QStringLiteral("TestAgent/1.0"));
    QString error;
    if (!m_server->listen(&error))
        qFatal("listen failed: %s", qPrintable(error));
    return m_server;
}

void TestEndpointServer::answersFromBackend_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected"); // reply without framing; "*" at the end = prefix match

    const auto tcp = EndpointMode::TcpLookup;
    const auto sm = EndpointMode::SocketmapLookup;
    const auto pol = EndpointMode::Policy;
    QTest::newRow("tcp found") << tcp << 200 << QByteArray(R"(["x@example.com","y@example.com"])")
                               << QByteArray("200 x@example.com,y@example.com");
    QTest::newRow("tcp empty") << tcp << 200 << QByteArray("[]") << QByteArray("500 *");
    QTest::newRow("tcp 404") << tcp << 404 << QByteArray() << QByteArray("500 *");
    QTest::newRow("tcp 401") << tcp << 401 << QByteArray() << QByteArray("400 *");
    QTest::newRow("tcp 503") << tcp << 503 << QByteArray() << QByteArray("400 *");
    QTest::newRow("tcp bad json") << tcp << 200 << QByteArray("{") << QByteArray("400 *");
    QTest::newRow("socketmap found") << sm << 200 << QByteArray(R"(["relay:[mx.example.com]"])")
                                     << QByteArray("OK relay:[mx.example.com]");
    QTest::newRow("socketmap empty") << sm << 200 << QByteArray("[]") << QByteArray("NOTFOUND ");
    QTest::newRow("socketmap 404") << sm << 404 << QByteArray() << QByteArray("NOTFOUND ");
    QTest::newRow("socketmap 403") << sm << 403 << QByteArray() << QByteArray("PERM *");
    QTest::newRow("socketmap 500") << sm << 500 << QByteArray() << QByteArray("TEMP *");
    QTest::newRow("policy action") << pol << 200 << QByteArray("REJECT 5.7.1 no thanks\n")
                                   << QByteArray("action=REJECT 5.7.1 no thanks");
    QTest::newRow("policy empty") << pol << 200 << QByteArray() << QByteArray("action=451 4.3.0 *");
    QTest::newRow("policy 403") << pol << 403 << QByteArray() << QByteArray("action=451 4.3.5 *");
    QTest::newRow("policy 502") << pol << 502 << QByteArray() << QByteArray("action=451 4.3.0 *");
}

void TestEndpointServer::answersFromBackend()
{
    QFETCH(EndpointMode, mode);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);

    FakeBackend::Response response;
    response.status = status;
    response.body = body;
    m_backend->respond(response);
    start(mode);

    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, "user@example.com"));
    QTRY_COMPARE(client.replies().size(), 1);
    const QByteArray reply = client.replies().constFirst();
    if (expected.endsWith('*'))
        QVERIFY2(reply.startsWith(expected.chopped(1)), reply.constData());
    else
        QCOMPARE(reply, expected);
    QVERIFY(!client.isClosed()); // persistent connection
    QCOMPARE(m_backend->requests().size(), 1);
    QCOMPARE(keyOf(m_backend->requests().constFirst()), QByteArray("user@example.com"));
}

void TestEndpointServer::sendsHeadersAndFreshRequestIds()
{
    QFETCH(EndpointMode, mode);
    m_backend->respond(found(mode, "v"));
    start(mode);
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, "a"));
    client.write(requestFor(mode, "b"));
    QTRY_COMPARE(client.replies().size(), 2);

    QCOMPARE(m_backend->requests().size(), 2);
    const QRegularExpression uuid(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
    for (const auto &request : m_backend->requests()) {
        QCOMPARE(request.header("x-auth-token"), Token.toUtf8());
        QCOMPARE(request.header("user-agent"), QByteArray("TestAgent/1.0"));
        QVERIFY2(uuid.match(QString::fromLatin1(request.header("x-request-id"))).hasMatch(),
                 request.header("x-request-id").constData());
        QCOMPARE(request.method, mode == EndpointMode::Policy ? QByteArray("POST") : QByteArray("GET"));
        QCOMPARE(request.path, QByteArray("/lookup"));
    }
    QVERIFY(m_backend->requests().at(0).header("x-request-id")
            != m_backend->requests().at(1).header("x-request-id"));
    if (mode == EndpointMode::Policy) {
        const auto &request = m_backend->requests().constFirst();
        QCOMPARE(request.header("content-type"), QByteArray("application/x-www-form-urlencoded"));
        QCOMPARE(request.body, QByteArray("request=smtpd_access_policy&protocol_state=RCPT&recipient=a"));
    }
    if (mode == EndpointMode::SocketmapLookup)
        QCOMPARE(m_backend->requests().constFirst().rawQuery, QByteArray("name=virtual&key=a"));
}

void TestEndpointServer::pipelinedRequestsAnsweredInOrder()
{
    QFETCH(EndpointMode, mode);
    // The first request is the slowest: answers come back from the backend in reverse order.
    m_backend->setHandler([mode](const FakeBackend::Request &request) {
        const QByteArray key = keyOf(request);
        FakeBackend::Response response = found(mode, "value-" + key);
        response.delayMs = key == "k1" ? 400 : key == "k2" ? 200 : 0;
        return response;
    });
    start(mode);
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, "k1") + requestFor(mode, "k2") + requestFor(mode, "k3"));
    QTRY_COMPARE(client.replies().size(), 3);
    QCOMPARE(client.replies().at(0), foundReply(mode, "value-k1"));
    QCOMPARE(client.replies().at(1), foundReply(mode, "value-k2"));
    QCOMPARE(client.replies().at(2), foundReply(mode, "value-k3"));
}

void TestEndpointServer::fragmentedRequest()
{
    QFETCH(EndpointMode, mode);
    m_backend->respond(found(mode, "ok"));
    start(mode);
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    QTRY_VERIFY(client.isConnected());
    client.socket().setSocketOption(QAbstractSocket::LowDelayOption, 1);

    // One byte per event-loop turn, so the server really sees the request in pieces.
    const QByteArray request = requestFor(mode, "fragmented@example.com");
    qsizetype sent = 0;
    QTimer writer;
    connect(&writer, &QTimer::timeout, this, [&] {
        if (sent < request.size())
            client.write(request.mid(sent++, 1));
    });
    writer.start(1);
    QTRY_COMPARE_WITH_TIMEOUT(client.replies().size(), 1, 10000);
    QCOMPARE(sent, request.size());
    QCOMPARE(client.replies().constFirst(), foundReply(mode, "ok"));
    QCOMPARE(keyOf(m_backend->requests().constFirst()), QByteArray("fragmented@example.com"));
}

void TestEndpointServer::slowBackendDoesNotBlockOtherConnections()
{
    QFETCH(EndpointMode, mode);
    m_backend->setHandler([mode](const FakeBackend::Request &request) {
        FakeBackend::Response response = found(mode, keyOf(request));
        if (keyOf(request) == "slow")
            response.delayMs = 1500;
        return response;
    });
    start(mode);
    PostfixTestClient slow(framingFor(mode));
    PostfixTestClient fast(framingFor(mode));
    slow.connectTo(m_server->serverPort());
    fast.connectTo(m_server->serverPort());
    slow.write(requestFor(mode, "slow"));
    QTRY_COMPARE(m_backend->requests().size(), 1);
    fast.write(requestFor(mode, "fast"));
    QTRY_COMPARE(fast.replies().size(), 1);
    QCOMPARE(slow.replies().size(), 0); // still waiting, and did not hold up the other connection
    QTRY_COMPARE(slow.replies().size(), 1);
    QCOMPARE(slow.replies().constFirst(), foundReply(mode, "slow"));
}

void TestEndpointServer::backendFaults_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<int>("fault");
    QTest::addColumn<int>("delayMs");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("bodySize");
    QTest::addColumn<QByteArray>("reasonPart");

    for (auto mode : {EndpointMode::TcpLookup, EndpointMode::SocketmapLookup, EndpointMode::Policy}) {
        const QByteArray name = modeName(mode).toUtf8();
        QTest::newRow(QByteArray(name + " timeout").constData())
            << mode << int(Fault::None) << 5000 << 200 << 0 << QByteArray("within 300 ms");
        QTest::newRow(QByteArray(name + " never answers").constData())
            << mode << int(Fault::NeverAnswer) << 0 << 200 << 0 << QByteArray("within 300 ms");
        QTest::newRow(QByteArray(name + " trickling body").constData())
            << mode << int(Fault::Trickle) << 0 << 200 << 0 << QByteArray("within 300 ms");
        QTest::newRow(QByteArray(name + " closed without response").constData())
            << mode << int(Fault::CloseWithoutResponse) << 0 << 200 << 0 << QByteArray("closed");
        QTest::newRow(QByteArray(name + " huge body").constData())
            << mode << int(Fault::None) << 0 << 200 << 100000 << QByteArray("larger than 4096 bytes");
        QTest::newRow(QByteArray(name + " redirect not followed").constData())
            << mode << int(Fault::None) << 0 << 302 << 0 << QByteArray("302");
    }
}

void TestEndpointServer::backendFaults()
{
    QFETCH(EndpointMode, mode);
    QFETCH(int, fault);
    QFETCH(int, delayMs);
    QFETCH(int, status);
    QFETCH(int, bodySize);
    QFETCH(QByteArray, reasonPart);

    FakeBackend::Response response;
    response.fault = Fault(fault);
    response.delayMs = delayMs;
    response.status = status;
    response.body = QByteArray(bodySize, 'x');
    if (status == 302)
        response.headers = {{"Location", m_backend->url(QStringLiteral("/elsewhere")).toEncoded()}};
    m_backend->respond(response);
    start(mode, [](EndpointConfig &config) {
        config.requestTimeoutMs = 300;
        config.maxResponseSize = 4096;
    });

    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    QElapsedTimer clock;
    clock.start();
    client.write(requestFor(mode, "k"));
    QTRY_COMPARE_WITH_TIMEOUT(client.replies().size(), 1, 3000);
    // Every fault becomes the protocol's temporary error within request-timeout plus a small margin.
    QVERIFY2(clock.elapsed() < 300 + 700, QByteArray::number(clock.elapsed()).constData());
    const QByteArray reply = client.replies().constFirst();
    const bool qt = qEnvironmentVariable("PRC_TEST_BACKEND_CLIENT") == QLatin1String("qt");
    // The trickle promises a 100 MB body: the curl client refuses it at once as too large, the qt client
    // waits for the timeout.
    const bool refusedAtOnce = !qt && Fault(fault) == Fault::Trickle;
    if (refusedAtOnce)
        reasonPart = "larger than 4096 bytes";
    const QByteArray expectedPrefix = mode == EndpointMode::SocketmapLookup && delayMs + fault > 0
                                              && Fault(fault) != Fault::CloseWithoutResponse && !refusedAtOnce
                                          ? QByteArray("TIMEOUT ")
                                          : temporaryPrefix(mode);
    QVERIFY2(reply.startsWith(expectedPrefix), reply.constData());
    QVERIFY2(reply.contains(reasonPart), reply.constData());
    // A redirect is not followed. A connection closed before any response byte is retried once by Qt's HTTP
    // client (the usual keep-alive race), never more; curl retries only on a reused connection.
    QCOMPARE(m_backend->requests().size(), Fault(fault) == Fault::CloseWithoutResponse && qt ? 2 : 1);
    QVERIFY(!client.isClosed());
}

void TestEndpointServer::backendDown()
{
    QFETCH(EndpointMode, mode);
    const quint16 nothingThere = FakeBackend::unusedPort();
    start(mode, [nothingThere](EndpointConfig &config) {
        config.target = QUrl(QStringLiteral("http://127.0.0.1:%1/lookup").arg(nothingThere));
    });
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, "k"));
    QTRY_COMPARE(client.replies().size(), 1);
    const QByteArray reply = client.replies().constFirst();
    QVERIFY2(reply.startsWith(temporaryPrefix(mode)), reply.constData());
    QVERIFY2(reply.contains("refused"), reply.constData());
}

void TestEndpointServer::oversizedRequestIsRefusedAndClosed()
{
    QFETCH(EndpointMode, mode);
    start(mode, [](EndpointConfig &config) { config.maxRequestSize = 1024; });
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    // No terminator ever: the server must not keep buffering.
    const QByteArray head =
        mode == EndpointMode::SocketmapLookup ? QByteArray("999999999:") : QByteArray("get ");
    client.write(head + QByteArray(64 * 1024, 'a'));
    QTRY_VERIFY(client.isClosed());
    QCOMPARE(client.replies().size(), 1);
    QVERIFY2(client.replies().constFirst().contains("1024"), client.replies().constFirst().constData());
    QCOMPARE(m_backend->requests().size(), 0);
}

void TestEndpointServer::brokenStreamIsAnsweredAndClosed_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("expectedPrefix");
    QTest::addColumn<bool>("closes");

    QTest::newRow("tcp not a get") << EndpointMode::TcpLookup << QByteArray("HELO there\n")
                                   << QByteArray("400 ") << true;
    QTest::newRow("tcp bad escape keeps connection")
        << EndpointMode::TcpLookup << QByteArray("get a%ZZ\n") << QByteArray("400 ") << false;
    QTest::newRow("socketmap non-digit length")
        << EndpointMode::SocketmapLookup << QByteArray("x3:abc,") << QByteArray("PERM ") << true;
    QTest::newRow("socketmap missing comma")
        << EndpointMode::SocketmapLookup << QByteArray("3:abc;") << QByteArray("PERM ") << true;
    QTest::newRow("socketmap no key")
        << EndpointMode::SocketmapLookup << QByteArray("3:abc,") << QByteArray("PERM ") << false;
    QTest::newRow("policy line without =") << EndpointMode::Policy << QByteArray("request=x\nbogus\n\n")
                                           << QByteArray("action=451 4.3.5 ") << false;
    QTest::newRow("binary garbage") << EndpointMode::SocketmapLookup << QByteArray("\x00\xff\xfe", 3)
                                    << QByteArray("PERM ") << true;
}

void TestEndpointServer::brokenStreamIsAnsweredAndClosed()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, expectedPrefix);
    QFETCH(bool, closes);
    m_backend->respond(found(mode, "fine"));
    start(mode);
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(bytes);
    QTRY_COMPARE(client.replies().size(), 1);
    QVERIFY2(client.replies().constFirst().startsWith(expectedPrefix),
             client.replies().constFirst().constData());
    if (closes) {
        QTRY_VERIFY(client.isClosed());
    } else {
        // The stream is still in step: the next request is served normally.
        client.write(requestFor(mode, "next"));
        QTRY_COMPARE(client.replies().size(), 2);
        QCOMPARE(client.replies().at(1), foundReply(mode, "fine"));
    }
    QCOMPARE(m_backend->requests().size(), closes ? 0 : 1);
}

void TestEndpointServer::manyPipelinedRequestsWithInFlightLimit()
{
    QFETCH(EndpointMode, mode);
    int outstanding = 0;
    int maxOutstanding = 0;
    m_backend->setHandler([&, mode](const FakeBackend::Request &request) {
        maxOutstanding = std::max(maxOutstanding, ++outstanding);
        FakeBackend::Response response = found(mode, keyOf(request));
        response.delayMs = 20;
        QTimer::singleShot(20, this, [&] { --outstanding; });
        return response;
    });
    start(mode, [](EndpointConfig &config) { config.maxInFlight = 4; });
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    QByteArray burst;
    for (int i = 0; i < 50; ++i)
        burst += requestFor(mode, "key" + QByteArray::number(i));
    client.write(burst);
    QTRY_COMPARE_WITH_TIMEOUT(client.replies().size(), 50, 15000);
    for (int i = 0; i < 50; ++i)
        QCOMPARE(client.replies().at(i), foundReply(mode, "key" + QByteArray::number(i)));
    QVERIFY2(maxOutstanding <= 4, QByteArray::number(maxOutstanding).constData());
    QVERIFY(maxOutstanding >= 2); // requests on one connection do run concurrently
}

void TestEndpointServer::maxConnections()
{
    m_backend->respond(found(EndpointMode::TcpLookup, "v"));
    start(EndpointMode::TcpLookup, [](EndpointConfig &config) { config.maxConnections = 2; });
    PostfixTestClient a(Framing::Line), b(Framing::Line), c(Framing::Line);
    a.connectTo(m_server->serverPort());
    b.connectTo(m_server->serverPort());
    QTRY_COMPARE(m_server->sessionCount(), 2);
    c.connectTo(m_server->serverPort());
    QTRY_VERIFY(c.isClosed()); // refused at once, not left hanging
    QCOMPARE(m_server->sessionCount(), 2);
    a.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(a.replies().size(), 1);

    b.close();
    QTRY_COMPARE(m_server->sessionCount(), 1);
    PostfixTestClient d(Framing::Line);
    d.connectTo(m_server->serverPort());
    d.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(d.replies().size(), 1);
    QCOMPARE(d.replies().constFirst(), QByteArray("200 v"));
}

void TestEndpointServer::backendConnections_data()
{
    QTest::addColumn<int>("configured");
    QTest::addColumn<int>("expectedConnections");
    if (qEnvironmentVariable("PRC_TEST_BACKEND_CLIENT") == QLatin1String("qt")) {
        // Qt opens up to 6 HTTP/1.1 connections per client and has no way to ask for fewer: the setting
        // counts clients of 6, rounded up.
        QTest::newRow("default") << EndpointConfig::DefaultBackendConnections << 6;
        QTest::newRow("one") << 1 << 6;
        QTest::newRow("seven") << 7 << 12;
        QTest::newRow("eighteen") << 18 << 18;
        return;
    }
    // curl: exactly the configured number.
    QTest::newRow("default") << EndpointConfig::DefaultBackendConnections << 6;
    QTest::newRow("one") << 1 << 1;
    QTest::newRow("seven") << 7 << 7;
    QTest::newRow("eighteen") << 18 << 18;
}

void TestEndpointServer::backendConnections()
{
    QFETCH(int, configured);
    QFETCH(int, expectedConnections);
    FakeBackend::Response slow = found(EndpointMode::TcpLookup, "v");
    slow.delayMs = 100;
    m_backend->respond(slow);
    start(EndpointMode::TcpLookup, [configured](EndpointConfig &config) {
        config.backendConnections = configured;
        config.maxInFlight = 100;
        // Every call must finish: one that times out on the wire costs its connection (HTTP/1.1 cannot
        // cancel a request otherwise), and the next call would open another.
        config.requestTimeoutMs = 30000;
    });
    // 24 concurrent lookups on separate Postfix connections.
    std::vector<std::unique_ptr<PostfixTestClient>> clients;
    for (int i = 0; i < 24; ++i) {
        clients.push_back(std::make_unique<PostfixTestClient>(Framing::Line));
        clients.back()->connectTo(m_server->serverPort());
        clients.back()->write(TcpTableCodec::requestLine("k"));
    }
    for (const auto &client : clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->replies().size(), 1, 30000);
    for (const auto &client : clients)
        QVERIFY2(client->replies().constFirst().startsWith("200 "),
                 client->replies().constFirst().constData());
    QCOMPARE(m_backend->connectionsAccepted(), expectedConnections);
}

void TestEndpointServer::idleTimeoutClosesConnection()
{
    start(EndpointMode::SocketmapLookup, [](EndpointConfig &config) { config.idleTimeoutMs = 1000; });
    PostfixTestClient client(Framing::Netstring);
    client.connectTo(m_server->serverPort());
    QTRY_COMPARE(m_server->sessionCount(), 1);
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), 5000);
    QVERIFY(clock.elapsed() >= 900);
    QTRY_COMPARE(m_server->sessionCount(), 0);
}

void TestEndpointServer::clientVanishingMidRequest()
{
    FakeBackend::Response response = found(EndpointMode::TcpLookup, "late");
    response.delayMs = 300;
    m_backend->respond(response);
    start(EndpointMode::TcpLookup);
    {
        PostfixTestClient client(Framing::Line);
        client.connectTo(m_server->serverPort());
        client.write(TcpTableCodec::requestLine("k"));
        QTRY_COMPARE(m_backend->requests().size(), 1);
        client.close();
    }
    QTRY_COMPARE(m_server->sessionCount(), 0);
    // The server is unharmed and serves the next client.
    PostfixTestClient next(Framing::Line);
    next.connectTo(m_server->serverPort());
    next.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(next.replies().size(), 1);
    QCOMPARE(next.replies().constFirst(), QByteArray("200 late"));
}

void TestEndpointServer::drainFinishesInFlightRequests()
{
    FakeBackend::Response response = found(EndpointMode::TcpLookup, "finished");
    response.delayMs = 300;
    m_backend->respond(response);
    start(EndpointMode::TcpLookup);
    const quint16 port = m_server->serverPort();
    PostfixTestClient client(Framing::Line);
    client.connectTo(port);
    client.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(m_backend->requests().size(), 1);

    QSignalSpy drained(m_server, &EndpointServer::drained);
    m_server->drain();
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().constFirst(), QByteArray("200 finished"));
    QTRY_VERIFY(client.isClosed());
    QTRY_COMPARE(drained.size(), 1);

    PostfixTestClient late(Framing::Line);
    late.connectTo(port);
    QTRY_VERIFY(late.socket().state() == QAbstractSocket::UnconnectedState); // no longer listening
}

QTEST_GUILESS_MAIN(TestEndpointServer)
#include "tst_endpointserver.moc"
