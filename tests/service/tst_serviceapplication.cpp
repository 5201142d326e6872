// SPDX-License-Identifier: GPL-3.0-or-later
// Reload and shutdown semantics of ServiceApplication, in process, with real sockets.
#include "app/serviceapplication.h"
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "modeprotocol.h"
#include "postfixtestclient.h"
#include "protocol/tcptablecodec.h"
#include "serviceprocess.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace prc;
using namespace prc::test;

namespace {

EndpointConfig endpoint(const QString &name, quint16 port, const QUrl &target)
{
    return localEndpoint(name, EndpointMode::TcpLookup, target, port);
}

} // namespace

class TestServiceApplication : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void changedEndpointKeepsSocketAndOpenConnections();
    void lastConnectionOfOldSettingsVanishesMidRequest();
    void failedReloadChangesNothing();
    void startIsAllOrNothing();
    void shutdownIsBoundedByDrainTimeout();

private:
    FakeBackend *m_backend = nullptr;
};

void TestServiceApplication::init()
{
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
    m_backend->setHandler([](const FakeBackend::Request &request) {
        FakeBackend::Response response;
        response.body = "[\"" + request.path.mid(1) + "\"]"; // answers with the path it was asked on
        return response;
    });
}

void TestServiceApplication::cleanup()
{
    delete m_backend;
    m_backend = nullptr;
}

void TestServiceApplication::changedEndpointKeepsSocketAndOpenConnections()
{
    const quint16 port = reservedPort();
    ServiceApplication service;
    ServiceConfig config;
    config.endpoints = {endpoint(QStringLiteral("e"), port, m_backend->url(QStringLiteral("/old")))};
    QString error;
    QVERIFY2(service.start(config, &error), qPrintable(error));
    EndpointServer *server = service.endpoint(QStringLiteral("e"));

    PostfixTestClient before(PostfixTestClient::Framing::Line);
    before.connectTo(port);
    before.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(before.replies().size(), 1);
    QCOMPARE(before.replies().at(0), QByteArray("200 old"));

    config.endpoints = {endpoint(QStringLiteral("e"), port, m_backend->url(QStringLiteral("/new")))};
    config.endpoints[0].requestTimeoutMs = 1234;
    QVERIFY2(service.reload(config, &error), qPrintable(error));
    QCOMPARE(service.endpoint(QStringLiteral("e")), server); // same listener object
    QCOMPARE(server->config().requestTimeoutMs, 1234);

    // The open connection finishes with the settings it started with; new ones get the new settings.
    before.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(before.replies().size(), 2);
    QCOMPARE(before.replies().at(1), QByteArray("200 old"));
    QVERIFY(!before.isClosed());
    PostfixTestClient after(PostfixTestClient::Framing::Line);
    after.connectTo(port);
    after.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(after.replies().size(), 1);
    QCOMPARE(after.replies().at(0), QByteArray("200 new"));
}

void TestServiceApplication::lastConnectionOfOldSettingsVanishesMidRequest()
{
    m_backend->setHandler([](const FakeBackend::Request &) {
        FakeBackend::Response response;
        response.body = R"(["slow"])";
        response.delayMs = 2000;
        return response;
    });
    const quint16 port = reservedPort();
    ServiceApplication service;
    ServiceConfig config;
    config.endpoints = {endpoint(QStringLiteral("e"), port, m_backend->url(QStringLiteral("/old")))};
    QString error;
    QVERIFY(service.start(config, &error));
    EndpointServer *server = service.endpoint(QStringLiteral("e"));

    auto old = std::make_unique<PostfixTestClient>(PostfixTestClient::Framing::Line);
    old->connectTo(port);
    old->write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(m_backend->requests().size(), 1);

    config.endpoints[0].target = m_backend->url(QStringLiteral("/new"));
    QVERIFY(service.reload(config, &error));
    // The only holder of the old settings goes away with its backend call still running.
    old.reset();
    QTRY_COMPARE(server->sessionCount(), 0);

    PostfixTestClient next(PostfixTestClient::Framing::Line);
    next.connectTo(port);
    next.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE_WITH_TIMEOUT(next.replies().size(), 1, 5000);
    QCOMPARE(m_backend->requests().constLast().path, QByteArray("/new"));
}

void TestServiceApplication::failedReloadChangesNothing()
{
    const quint16 port = reservedPort();
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    ServiceApplication service;
    ServiceConfig config;
    config.endpoints = {endpoint(QStringLiteral("a"), port, m_backend->url(QStringLiteral("/a")))};
    QString error;
    QVERIFY(service.start(config, &error));

    ServiceConfig next = config;
    next.endpoints[0].target = m_backend->url(QStringLiteral("/changed"));
    next.endpoints.append(
        endpoint(QStringLiteral("free"), reservedPort(), m_backend->url(QStringLiteral("/b"))));
    next.endpoints.append(
        endpoint(QStringLiteral("busy"), occupant.serverPort(), m_backend->url(QStringLiteral("/c"))));
    QVERIFY(!service.reload(next, &error));
    QVERIFY2(error.contains(QStringLiteral("endpoints[2] (busy): cannot listen")), qPrintable(error));

    QCOMPARE(service.endpoints().size(), 1);
    QCOMPARE(service.config().endpoints.constFirst().target, m_backend->url(QStringLiteral("/a")));
    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(port);
    client.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().at(0), QByteArray("200 a")); // still the old target
    // The endpoint that could listen was rolled back too.
    PostfixTestClient probe(PostfixTestClient::Framing::Line);
    probe.connectTo(next.endpoints.at(1).bindPort);
    QTRY_VERIFY(probe.socket().state() == QAbstractSocket::UnconnectedState);
}

void TestServiceApplication::startIsAllOrNothing()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const quint16 free = reservedPort();
    ServiceApplication service;
    ServiceConfig config;
    config.endpoints = {
        endpoint(QStringLiteral("ok"), free, m_backend->url(QStringLiteral("/"))),
        endpoint(QStringLiteral("busy"), occupant.serverPort(), m_backend->url(QStringLiteral("/")))};
    QString error;
    QVERIFY(!service.start(config, &error));
    QVERIFY2(error.startsWith(QStringLiteral("endpoints[1] (busy): cannot listen on 127.0.0.1:")),
             qPrintable(error));
    QVERIFY(service.endpoints().isEmpty());
    QTcpServer again;
    QVERIFY(again.listen(QHostAddress::LocalHost, free)); // the first endpoint released its port
}

void TestServiceApplication::shutdownIsBoundedByDrainTimeout()
{
    FakeBackend::Response silent;
    silent.fault = FakeBackend::Response::Fault::NeverAnswer;
    m_backend->respond(silent);
    const quint16 port = reservedPort();
    ServiceApplication service;
    service.setDrainTimeout(300);
    ServiceConfig config;
    config.endpoints = {endpoint(QStringLiteral("e"), port, m_backend->url(QStringLiteral("/")))};
    config.endpoints[0].requestTimeoutMs = 60000;
    QString error;
    QVERIFY(service.start(config, &error));

    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(port);
    client.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(m_backend->requests().size(), 1);

    QSignalSpy done(&service, &ServiceApplication::shutdownComplete);
    QElapsedTimer clock;
    clock.start();
    service.shutdown();
    QVERIFY(done.wait(5000));
    QVERIFY2(clock.elapsed() < 5000, "shutdown waited for the backend instead of the drain timeout");
    QCOMPARE(done.size(), 1);
}

QTEST_GUILESS_MAIN(TestServiceApplication)
#include "tst_serviceapplication.moc"
