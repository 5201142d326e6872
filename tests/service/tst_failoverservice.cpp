// SPDX-License-Identifier: GPL-3.0-or-later
// Failover, circuit breakers and max-queued-calls through a running service: Postfix-side client → endpoint →
// two real HTTP backends, and what /metrics says about it.
#include "admin/adminserver.h"
#include "app/serviceapplication.h"
#include "fakebackend.h"
#include "httpfetch.h"
#include "listen/endpointserver.h"
#include "metrics/endpointmetrics.h"
#include "modeprotocol.h"
#include "postfixtestclient.h"
#include "protocol/tcptablecodec.h"
#include "serviceprocess.h"

#include <QElapsedTimer>
#include <QTest>

using namespace prc;
using namespace prc::test;

class TestFailoverService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void circuitsInMetrics();
    void allCircuitsOpenAnswersAtOnce_data() { addModeRows(); }
    void allCircuitsOpenAnswersAtOnce();
    void maxQueuedCallsAnswersAtOnce();
};

void TestFailoverService::circuitsInMetrics()
{
    FakeBackend a;
    FakeBackend b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    b.respond(FakeBackend::Response::withBody(R"(["from-b"])"));
    const QUrl down = a.url(QStringLiteral("/lookup"));
    a.close();

    ServiceConfig config;
    EndpointConfig endpoint =
        localEndpoint(QStringLiteral("f"), EndpointMode::TcpLookup, down, reservedPort());
    endpoint.failoverTargets = {b.url(QStringLiteral("/lookup"))};
    endpoint.circuitBreaker.enabled = true;
    endpoint.circuitBreaker.failures = 1;
    endpoint.circuitBreaker.openForMs = 60000;
    config.endpoints.append(endpoint);
    config.admin = AdminConfig{QStringLiteral("127.0.0.1"), 0};
    ServiceApplication service;
    QString error;
    QVERIFY2(service.start(config, &error), qPrintable(error));

    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(service.endpoint(QStringLiteral("f"))->serverPort());
    client.write(TcpTableCodec::requestLine("k1"));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().at(0), QByteArray("200 from-b"));
    // The first target's circuit is open now: the next call goes straight to the second.
    client.write(TcpTableCodec::requestLine("k2"));
    QTRY_COMPARE(client.replies().size(), 2);
    QCOMPARE(client.replies().at(1), QByteArray("200 from-b"));
    QCOMPARE(b.requests().size(), 2);

    const HttpFetch fetch = HttpFetch::get(service.adminServer()->serverPort(), "/metrics");
    QCOMPARE(fetch.status, 200);
    const QByteArray label = "endpoint=\"f\",target=\"" + down.toEncoded() + '"';
    const QByteArray other = "endpoint=\"f\",target=\"" + b.url(QStringLiteral("/lookup")).toEncoded() + '"';
    const auto has = [&fetch](const QByteArray &line) {
        return fetch.body.contains(QByteArray('\n' + line + '\n'))
               || fetch.body.startsWith(QByteArray(line + '\n'));
    };
    QVERIFY2(has("prc_backend_circuit_state{" + label + ",state=\"open\"} 1"), fetch.body.constData());
    QVERIFY(has("prc_backend_circuit_state{" + label + ",state=\"closed\"} 0"));
    QVERIFY(has("prc_backend_circuit_state{" + other + ",state=\"closed\"} 1"));
    QVERIFY(has("prc_backend_circuit_transitions_total{" + label + ",to=\"open\"} 1"));
    QVERIFY(has("prc_backend_circuit_transitions_total{" + other + ",to=\"open\"} 0"));
    QVERIFY(has("prc_backend_failovers_total{endpoint=\"f\"} 1"));
    QVERIFY(has("prc_backend_circuit_rejected_total{endpoint=\"f\"} 0"));
    QVERIFY(has("prc_backend_shed_total{endpoint=\"f\"} 0"));
}

void TestFailoverService::allCircuitsOpenAnswersAtOnce()
{
    QFETCH(EndpointMode, mode);
    FakeBackend a;
    QVERIFY(a.listen());
    a.respond(FakeBackend::Response::withBody({}, 503));
    EndpointConfig config = localEndpoint(QStringLiteral("open"), mode, a.url(QStringLiteral("/lookup")));
    config.circuitBreaker.enabled = true;
    config.circuitBreaker.failures = 1;
    config.circuitBreaker.openForMs = 60000;
    config.failureAction = mode == EndpointMode::Policy ? QStringLiteral("DEFER_IF_PERMIT") : QString();
    EndpointServer server(config, QStringLiteral("TestAgent/1.0"));
    QString error;
    QVERIFY2(server.listen(&error), qPrintable(error));

    PostfixTestClient client(framingFor(mode));
    client.connectTo(server.serverPort());
    client.write(requestFor(mode, "first"));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(a.requests().size(), 1);

    QElapsedTimer elapsed;
    elapsed.start();
    client.write(requestFor(mode, "second"));
    QTRY_COMPARE(client.replies().size(), 2);
    QVERIFY(elapsed.elapsed() < config.requestTimeoutMs / 2);
    QCOMPARE(a.requests().size(), 1);
    const QByteArray reply = client.replies().at(1);
    QVERIFY2(reply.startsWith(mode == EndpointMode::Policy ? QByteArray("action=DEFER_IF_PERMIT ")
                                                           : temporaryPrefix(mode)),
             reply.constData());
    QVERIFY2(reply.endsWith("every backend target's circuit is open")
                 || reply.contains("every%20backend%20target's%20circuit%20is%20open"),
             reply.constData());
}

void TestFailoverService::maxQueuedCallsAnswersAtOnce()
{
    FakeBackend a;
    QVERIFY(a.listen());
    FakeBackend::Response slow = FakeBackend::Response::withBody(R"(["slow"])");
    slow.delayMs = 600;
    a.respond(slow);
    EndpointConfig config =
        localEndpoint(QStringLiteral("shed"), EndpointMode::TcpLookup, a.url(QStringLiteral("/lookup")));
    config.backendConnections = 1;
    config.maxQueuedCalls = 1;
    config.maxInFlight = 8;
    EndpointServer server(config, QStringLiteral("TestAgent/1.0"));
    QString error;
    QVERIFY2(server.listen(&error), qPrintable(error));

    // One call gets the connection, one waits for it, the third finds the queue full and hears at once.
    PostfixTestClient first(PostfixTestClient::Framing::Line);
    PostfixTestClient second(PostfixTestClient::Framing::Line);
    PostfixTestClient third(PostfixTestClient::Framing::Line);
    first.connectTo(server.serverPort());
    second.connectTo(server.serverPort());
    third.connectTo(server.serverPort());
    first.write(TcpTableCodec::requestLine("one"));
    QTRY_COMPARE(a.requests().size(), 1);
    second.write(TcpTableCodec::requestLine("two"));
    QTRY_COMPARE(server.inFlightRequests(), 2);
    third.write(TcpTableCodec::requestLine("three"));
    QTRY_COMPARE(third.replies().size(), 1);
    QVERIFY(first.replies().isEmpty());
    const QByteArray refused = third.replies().constFirst();
    QVERIFY2(refused.startsWith("400 ")
                 && refused.endsWith("1 backend calls already wait for a connection (max-queued-calls)"),
             refused.constData());
    QTRY_COMPARE_WITH_TIMEOUT(second.replies().size(), 1, 5000);
    QCOMPARE(first.replies().constFirst(), QByteArray("200 slow"));
    QCOMPARE(second.replies().constFirst(), QByteArray("200 slow"));
    QCOMPARE(a.requests().size(), 2);
    QCOMPARE(server.metrics().shedCalls, quint64(1));
}

QTEST_GUILESS_MAIN(TestFailoverService)
#include "tst_failoverservice.moc"
