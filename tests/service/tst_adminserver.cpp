// SPDX-License-Identifier: GPL-3.0-or-later
// The admin listener over real sockets: routing, /healthz with and without a backend probe, limits, and what
// a reload does to it.
#include "admin/adminserver.h"
#include "app/serviceapplication.h"
#include "fakebackend.h"
#include "httpfetch.h"
#include "listen/endpointserver.h"
#include "serviceprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace prc;
using namespace prc::test;
using Fault = FakeBackend::Response::Fault;

class TestAdminServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void routes_data();
    void routes();
    void headHasNoBody();
    void oversizedRequest();
    void healthWithoutProbeIgnoresBackend();
    void healthProbe_data();
    void healthProbe();
    void healthWhileShuttingDown();
    void connectionCap();
    void slowClientIsDropped_data();
    void slowClientIsDropped();
    void reloadKeepsUnchangedListener();
    void reloadMovesListener();
    void reloadRemovesListener();
    void reloadFailsWhenNewPortBusy();
    void startFailsWhenPortBusy();
    void executableMovesListenerOnSighup();

private:
    ServiceConfig config(std::optional<AdminConfig> admin = AdminConfig{QStringLiteral("127.0.0.1"),
                                                                        0}) const;

    FakeBackend *m_backend = nullptr;
    ServiceApplication *m_service = nullptr;
    quint16 m_endpointPort = 0;
};

void TestAdminServer::init()
{
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
    m_endpointPort = reservedPort();
    m_service = new ServiceApplication(this);
    QString error;
    QVERIFY2(m_service->start(config(), &error), qPrintable(error));
    QVERIFY(m_service->adminServer());
}

void TestAdminServer::cleanup()
{
    delete m_service;
    m_service = nullptr;
    delete m_backend;
    m_backend = nullptr;
}

ServiceConfig TestAdminServer::config(std::optional<AdminConfig> admin) const
{
    EndpointConfig endpoint;
    endpoint.name = QStringLiteral("lookup");
    endpoint.mode = EndpointMode::TcpLookup;
    endpoint.target = m_backend->url(QStringLiteral("/lookup"));
    endpoint.bindAddress = QStringLiteral("127.0.0.1");
    endpoint.bindPort = m_endpointPort;
    endpoint.authToken = QStringLiteral("probe-token");
    endpoint.requestTimeoutMs = 300;
    ServiceConfig config;
    config.endpoints = {endpoint};
    config.admin = std::move(admin);
    return config;
}

void TestAdminServer::routes_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("bodyStart");

    QTest::newRow("healthz") << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << 200
                             << QByteArray("ok\nlookup: listening\n");
    QTest::newRow("healthz probe=0") << QByteArray("GET /healthz?probe=0 HTTP/1.1\r\n\r\n") << 200
                                     << QByteArray("ok\n");
    QTest::newRow("metrics") << QByteArray("GET /metrics HTTP/1.1\r\n\r\n") << 200 << QByteArray("# HELP ");
    QTest::newRow("metrics with query")
        << QByteArray("GET /metrics?x=1 HTTP/1.0\r\n\r\n") << 200 << QByteArray("# HELP ");
    QTest::newRow("bare line feeds") << QByteArray("GET /healthz HTTP/1.1\n\n") << 200 << QByteArray("ok\n");
    QTest::newRow("unknown path") << QByteArray("GET /admin HTTP/1.1\r\n\r\n") << 404
                                  << QByteArray("not found");
    QTest::newRow("post") << QByteArray("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n") << 405
                          << QByteArray("only GET");
    QTest::newRow("not http") << QByteArray("hello there\r\n\r\n") << 400 << QByteArray("bad request");
    QTest::newRow("http/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 400
                                    << QByteArray("bad request");
}

void TestAdminServer::routes()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, bodyStart);
    const HttpFetch fetch = HttpFetch::run(m_service->adminServer()->serverPort(), request);
    QVERIFY(fetch.complete);
    QCOMPARE(fetch.status, status);
    QVERIFY2(fetch.body.startsWith(bodyStart), fetch.body.constData());
    QCOMPARE(fetch.header("content-length").toInt(), fetch.body.size());
    QCOMPARE(fetch.header("connection"), QByteArray("close"));
    if (status == 405)
        QCOMPARE(fetch.header("allow"), QByteArray("GET, HEAD"));
    QCOMPARE(m_backend->requests().size(), 0);
}

void TestAdminServer::headHasNoBody()
{
    const quint16 port = m_service->adminServer()->serverPort();
    const HttpFetch get = HttpFetch::get(port, "/metrics");
    const HttpFetch head = HttpFetch::run(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
    QCOMPARE(head.status, 200);
    QVERIFY(head.body.isEmpty());
    QVERIFY(head.header("content-length").toInt() > 0);
    QVERIFY(get.body.size() > 0);
}

void TestAdminServer::oversizedRequest()
{
    const QByteArray huge =
        "GET /metrics HTTP/1.1\r\nX-Filler: " + QByteArray(AdminServer::MaxRequestSize, 'x');
    const HttpFetch fetch = HttpFetch::run(m_service->adminServer()->serverPort(), huge);
    QCOMPARE(fetch.status, 431);
    QVERIFY(fetch.complete);
}

void TestAdminServer::healthWithoutProbeIgnoresBackend()
{
    m_backend->close();
    const HttpFetch fetch = HttpFetch::get(m_service->adminServer()->serverPort(), "/healthz");
    QCOMPARE(fetch.status, 200);
    QCOMPARE(fetch.body, QByteArray("ok\nlookup: listening\n"));
}

void TestAdminServer::healthProbe_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("line");
    QTest::newRow("200") << QStringLiteral("200") << 200 << QByteArray("lookup: backend ok (HTTP 200, ");
    QTest::newRow("404 still reachable")
        << QStringLiteral("404") << 200 << QByteArray("lookup: backend ok (HTTP 404, ");
    QTest::newRow("503") << QStringLiteral("503") << 503 << QByteArray("lookup: backend FAILED (HTTP 503, ");
    QTest::newRow("timeout") << QStringLiteral("timeout") << 503
                             << QByteArray("lookup: backend FAILED (backend did not answer");
    QTest::newRow("down") << QStringLiteral("down") << 503 << QByteArray("lookup: backend FAILED (");
}

void TestAdminServer::healthProbe()
{
    QFETCH(QString, backend);
    QFETCH(int, status);
    QFETCH(QByteArray, line);
    FakeBackend::Response response;
    if (backend == QLatin1String("timeout"))
        response.fault = Fault::NeverAnswer;
    else if (backend != QLatin1String("down"))
        response.status = backend.toInt();
    m_backend->respond(response);
    if (backend == QLatin1String("down"))
        m_backend->close();

    const HttpFetch fetch = HttpFetch::get(m_service->adminServer()->serverPort(), "/healthz?probe=1");
    QCOMPARE(fetch.status, status);
    QVERIFY2(fetch.body.startsWith(status == 200 ? "ok\n" : "unhealthy\n"), fetch.body.constData());
    QVERIFY2(fetch.body.contains(QByteArray("\n" + line)), fetch.body.constData());
    if (backend != QLatin1String("down")) {
        QCOMPARE(m_backend->requests().size(), 1);
        const FakeBackend::Request &probe = m_backend->requests().constFirst();
        QCOMPARE(probe.method, QByteArray("GET"));
        QCOMPARE(probe.path, QByteArray("/lookup"));
        QCOMPARE(probe.header("x-auth-token"), QByteArray("probe-token"));
        QVERIFY(probe.header("x-request-id").startsWith("healthz-"));
    }
}

void TestAdminServer::healthWhileShuttingDown()
{
    m_service->shutdown();
    const HttpFetch fetch = HttpFetch::get(m_service->adminServer()->serverPort(), "/healthz");
    QCOMPARE(fetch.status, 503);
    QVERIFY2(fetch.body.startsWith("shutting down\nlookup: not listening\n"), fetch.body.constData());
}

void TestAdminServer::connectionCap()
{
    const quint16 port = m_service->adminServer()->serverPort();
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < AdminServer::MaxConnections; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    for (const auto &socket : idle)
        QTRY_COMPARE(socket->state(), QAbstractSocket::ConnectedState);
    // One more is closed without an answer; the ones already open are not disturbed.
    const HttpFetch refused = HttpFetch::get(port, "/healthz");
    QCOMPARE(refused.status, 0);
    QVERIFY(refused.complete);
    for (const auto &socket : idle)
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);

    idle.front()->write("GET /healthz HTTP/1.1\r\n\r\n");
    QTRY_COMPARE(idle.front()->state(), QAbstractSocket::UnconnectedState);
    QVERIFY(idle.front()->readAll().startsWith("HTTP/1.1 200 OK\r\n"));
    idle.clear();
    QTRY_COMPARE(HttpFetch::get(port, "/healthz").status, 200);
}

void TestAdminServer::slowClientIsDropped_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("half a request") << QByteArray("GET /metrics HTTP/1.1\r\nHost: x\r\n");
}

void TestAdminServer::slowClientIsDropped()
{
    QFETCH(QByteArray, sent);
    m_service->adminServer()->setConnectionTimeout(300);
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, m_service->adminServer()->serverPort());
    QTRY_COMPARE(slow.state(), QAbstractSocket::ConnectedState);
    slow.write(sent);
    QTRY_COMPARE(slow.state(), QAbstractSocket::UnconnectedState);
    QVERIFY(slow.readAll().isEmpty());
    // It no longer counts against the connection cap.
    QCOMPARE(HttpFetch::get(m_service->adminServer()->serverPort(), "/healthz").status, 200);
}

void TestAdminServer::reloadKeepsUnchangedListener()
{
    AdminServer *before = m_service->adminServer();
    QString error;
    QVERIFY2(m_service->reload(config(), &error), qPrintable(error));
    QCOMPARE(m_service->adminServer(), before);
    QCOMPARE(HttpFetch::get(before->serverPort(), "/healthz").status, 200);
}

void TestAdminServer::reloadMovesListener()
{
    const quint16 oldPort = m_service->adminServer()->serverPort();
    const quint16 newPort = reservedPort();
    QString error;
    QVERIFY2(m_service->reload(config(AdminConfig{QStringLiteral("127.0.0.1"), newPort}), &error),
             qPrintable(error));
    QCOMPARE(m_service->adminServer()->serverPort(), newPort);
    QCOMPARE(HttpFetch::get(newPort, "/healthz").status, 200);
    const HttpFetch old = HttpFetch::get(oldPort, "/healthz");
    QCOMPARE(old.status, 0); // nothing listens there any more
    const HttpFetch metrics = HttpFetch::get(newPort, "/metrics");
    QVERIFY(metrics.body.contains("\nprc_reloads_total 1\n"));
}

void TestAdminServer::reloadRemovesListener()
{
    const quint16 oldPort = m_service->adminServer()->serverPort();
    QString error;
    QVERIFY2(m_service->reload(config(std::nullopt), &error), qPrintable(error));
    QVERIFY(!m_service->adminServer());
    QCOMPARE(HttpFetch::get(oldPort, "/healthz").status, 0);
    // And back.
    const quint16 port = reservedPort();
    QVERIFY2(m_service->reload(config(AdminConfig{QStringLiteral("127.0.0.1"), port}), &error),
             qPrintable(error));
    QCOMPARE(HttpFetch::get(port, "/healthz").status, 200);
}

void TestAdminServer::reloadFailsWhenNewPortBusy()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    AdminServer *before = m_service->adminServer();
    const quint16 oldPort = before->serverPort();
    ServiceConfig next = config(AdminConfig{QStringLiteral("127.0.0.1"), squatter.serverPort()});
    next.endpoints[0].requestTimeoutMs = 999; // a change that must not be applied either
    QString error;
    QVERIFY(!m_service->reload(next, &error));
    QVERIFY2(error.startsWith(QStringLiteral("admin: cannot listen on 127.0.0.1:")), qPrintable(error));
    QCOMPARE(m_service->adminServer(), before);
    QCOMPARE(m_service->endpoints().constFirst()->config().requestTimeoutMs, 300);
    QCOMPARE(HttpFetch::get(oldPort, "/healthz").status, 200);
}

void TestAdminServer::startFailsWhenPortBusy()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    delete m_service;
    m_service = new ServiceApplication(this);
    QString error;
    QVERIFY(
        !m_service->start(config(AdminConfig{QStringLiteral("127.0.0.1"), squatter.serverPort()}), &error));
    QVERIFY2(error.startsWith(QStringLiteral("admin: cannot listen")), qPrintable(error));
    QVERIFY(m_service->endpoints().isEmpty());
    // The endpoint's port was released again: a second start can take it.
    QVERIFY2(m_service->start(config(), &error), qPrintable(error));
}

void TestAdminServer::executableMovesListenerOnSighup()
{
    const quint16 endpointPort = reservedPort();
    const quint16 firstPort = reservedPort();
    const auto config = [&](quint16 adminPort) {
        const QJsonObject endpoint{
            {QStringLiteral("name"), QStringLiteral("d")},
            {QStringLiteral("mode"), QStringLiteral("tcp-lookup")},
            {QStringLiteral("target"), m_backend->url(QStringLiteral("/d")).toString()},
            {QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")},
            {QStringLiteral("bind-port"), endpointPort},
            {QStringLiteral("auth-token"), QStringLiteral("t")}};
        return QJsonObject{{QStringLiteral("endpoints"), QJsonArray{endpoint}},
                           {QStringLiteral("admin"), QJsonObject{{QStringLiteral("bind-port"), adminPort}}}};
    };
    // The in-process service of init() is not needed here; it must not hold the ports.
    delete m_service;
    m_service = nullptr;

    ServiceProcess process;
    process.start({process.writeConfig(config(firstPort))});
    QTRY_VERIFY_WITH_TIMEOUT(process.isStarted(), 10000);
    QCOMPARE(HttpFetch::get(firstPort, "/healthz").status, 200);

    const quint16 secondPort = reservedPort();
    process.writeConfig(config(secondPort));
    process.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(process.output().contains("configuration reloaded"), 10000);
    QCOMPARE(HttpFetch::get(secondPort, "/healthz").status, 200);
    QCOMPARE(HttpFetch::get(firstPort, "/healthz").status, 0);
    QVERIFY(HttpFetch::get(secondPort, "/metrics").body.contains("\nprc_reloads_total 1\n"));

    process.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(process.hasExited(), 15000);
    QCOMPARE(process.exitCode(), 0);
}

QTEST_MAIN(TestAdminServer)
#include "tst_adminserver.moc"
