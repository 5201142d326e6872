// SPDX-License-Identifier: GPL-3.0-or-later
// Failover, circuit breakers and max-queued-calls against real HTTP backends: two scripted backends, one of
// them killed and restarted while calls go on.
#include "backend/backendclient.h"
#include "backend/backendrequest.h"
#include "backend/backendtargets.h"
#include "backend/failovercall.h"
#include "backend/queuedcalllimit.h"
#include "fakebackend.h"
#include "metrics/endpointmetrics.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>

using namespace prc;
using namespace prc::test;
using Fault = FakeBackend::Response::Fault;
using State = CircuitBreaker::State;

namespace {

constexpr int BudgetMs = 1500;

FakeBackend::Response answer(int status, const QByteArray &body = {}, Fault fault = Fault::None,
                             int delayMs = 0)
{
    FakeBackend::Response response = FakeBackend::Response::withBody(body, status);
    response.fault = fault;
    response.delayMs = delayMs;
    return response;
}

} // namespace

class TestFailover : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void targetFailureGoesToTheNextTarget_data();
    void targetFailureGoesToTheNextTarget();
    void answersAreNeverRetried_data();
    void answersAreNeverRetried();
    void timeoutSpendsTheWholeBudget();
    void policyRequestReachesEachTargetOnce();
    void queryParametersFollowTheCall();
    void backendKilledAndRestarted();
    void allCircuitsOpenFailsAtOnce();
    void maxQueuedCallsShedsAtOnce();

private:
    void configure(const QList<QUrl> &targets, bool breaker = false, int failures = 5, int openForMs = 10000);
    /// Runs one call to the end and returns its result.
    BackendResult call(BackendCall::Method method = BackendCall::Method::Get, const QString &query = {});
    QUrl urlOf(FakeBackend *backend) const { return backend->url(QStringLiteral("/lookup")); }

    FakeBackend *m_a = nullptr;
    FakeBackend *m_b = nullptr;
    EndpointConfig m_config;
    std::shared_ptr<EndpointMetrics> m_metrics;
    std::unique_ptr<BackendTargets> m_targets;
    std::unique_ptr<BackendClient> m_client;
};

void TestFailover::init()
{
    m_a = new FakeBackend(this);
    m_b = new FakeBackend(this);
    QVERIFY(m_a->listen());
    QVERIFY(m_b->listen());
    m_a->respond(answer(200, R"(["from-a"])"));
    m_b->respond(answer(200, R"(["from-b"])"));
    BackendSettings settings;
    settings.userAgent = QStringLiteral("TestAgent/1.0");
    settings.authToken = QStringLiteral("t");
    settings.timeoutMs = BudgetMs;
    if (auto kind = backendClientFromName(qEnvironmentVariable("PRC_TEST_BACKEND_CLIENT")))
        settings.kind = *kind;
    m_client = BackendClient::create(settings);
}

void TestFailover::cleanup()
{
    m_targets.reset();
    m_client.reset();
    delete m_a;
    delete m_b;
    m_a = m_b = nullptr;
}

void TestFailover::configure(const QList<QUrl> &targets, bool breaker, int failures, int openForMs)
{
    m_config = EndpointConfig();
    m_config.name = QStringLiteral("failover");
    m_config.target = targets.first();
    m_config.failoverTargets = targets.mid(1);
    m_config.requestTimeoutMs = BudgetMs;
    m_config.circuitBreaker.enabled = breaker;
    m_config.circuitBreaker.failures = failures;
    m_config.circuitBreaker.openForMs = openForMs;
    m_metrics = std::make_shared<EndpointMetrics>();
    m_targets = std::make_unique<BackendTargets>(m_config, m_metrics);
}

BackendResult TestFailover::call(BackendCall::Method method, const QString &query)
{
    QUrl url = m_config.target;
    if (!query.isEmpty())
        url.setQuery(query);
    const BackendCall backendCall{
        method, url,
        method == BackendCall::Method::Post ? QByteArray("recipient=r%40example.com") : QByteArray(),
        method == BackendCall::Method::Post ? QByteArray("application/x-www-form-urlencoded") : QByteArray()};
    FailoverCall failover(
        *m_targets,
        [this](const BackendCall &attempt, QObject *owner) {
            return m_client->start(attempt, QByteArrayLiteral("rid"), owner);
        },
        backendCall, QByteArrayLiteral("rid"), m_config.requestTimeoutMs);
    QSignalSpy spy(&failover, &FailoverCall::finished);
    failover.begin();
    if (!spy.wait(BudgetMs * 3))
        return {};
    // Exactly once.
    QTest::qWait(0);
    if (spy.size() != 1)
        return {};
    return spy.constFirst().constFirst().value<BackendResult>();
}

void TestFailover::targetFailureGoesToTheNextTarget_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("fault");
    QTest::addColumn<bool>("down"); ///< the first target does not listen at all
    QTest::newRow("connection refused") << 0 << int(Fault::None) << true;
    QTest::newRow("500") << 500 << int(Fault::None) << false;
    QTest::newRow("502") << 502 << int(Fault::None) << false;
    QTest::newRow("503") << 503 << int(Fault::None) << false;
    QTest::newRow("closed without answer") << 200 << int(Fault::CloseWithoutResponse) << false;
}

void TestFailover::targetFailureGoesToTheNextTarget()
{
    QFETCH(int, status);
    QFETCH(int, fault);
    QFETCH(bool, down);
    m_a->respond(answer(status, R"(["from-a"])", Fault(fault)));
    const QUrl first = urlOf(m_a);
    if (down)
        m_a->close();
    configure({first, urlOf(m_b)});
    const BackendResult result = call();
    QCOMPARE(result.outcome, BackendResult::Outcome::Response);
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray(R"(["from-b"])"));
    QCOMPARE(m_b->requests().size(), 1);
    QCOMPARE(m_metrics->failovers, quint64(1));
    QVERIFY(result.elapsedMs < BudgetMs);
}

void TestFailover::answersAreNeverRetried_data()
{
    QTest::addColumn<int>("status");
    for (int status : {200, 204, 400, 401, 403, 404, 410, 429})
        QTest::addRow("%d", status) << status;
}

void TestFailover::answersAreNeverRetried()
{
    QFETCH(int, status);
    m_a->respond(answer(status, "[]"));
    configure({urlOf(m_a), urlOf(m_b)}, true, 1);
    const BackendResult result = call();
    QCOMPARE(result.outcome, BackendResult::Outcome::Response);
    QCOMPARE(result.status, status);
    QCOMPARE(m_a->requests().size(), 1);
    QCOMPARE(m_b->requests().size(), 0);
    QCOMPARE(m_metrics->failovers, quint64(0));
    // An answer is a sign of health, whatever it says.
    QCOMPARE(m_targets->state(0), State::Closed);
}

void TestFailover::timeoutSpendsTheWholeBudget()
{
    m_a->respond(answer(200, {}, Fault::NeverAnswer));
    configure({urlOf(m_a), urlOf(m_b)});
    QElapsedTimer elapsed;
    elapsed.start();
    const BackendResult result = call();
    QCOMPARE(result.outcome, BackendResult::Outcome::Timeout);
    QCOMPARE(result.error, QStringLiteral("backend did not answer within %1 ms").arg(BudgetMs));
    // Never past the budget, and nothing left for the second target.
    QVERIFY2(elapsed.elapsed() < BudgetMs + 500, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(m_b->requests().size(), 0);
}

void TestFailover::policyRequestReachesEachTargetOnce()
{
    m_a->respond(answer(503));
    m_b->respond(answer(503));
    configure({urlOf(m_a), urlOf(m_b)});
    const BackendResult result = call(BackendCall::Method::Post);
    QCOMPARE(result.outcome, BackendResult::Outcome::Response);
    QCOMPARE(result.status, 503);
    QCOMPARE(m_a->requests().size(), 1);
    QCOMPARE(m_b->requests().size(), 1);
    QCOMPARE(m_b->requests().constFirst().method, QByteArray("POST"));
    QCOMPARE(m_b->requests().constFirst().body, QByteArray("recipient=r%40example.com"));
}

void TestFailover::queryParametersFollowTheCall()
{
    const QUrl first = urlOf(m_a);
    m_a->close();
    configure({first, m_b->url(QStringLiteral("/other?table=v"))});
    const BackendResult result = call(BackendCall::Method::Get, QStringLiteral("name=m&key=a%40b"));
    QCOMPARE(result.status, 200);
    QCOMPARE(m_b->requests().size(), 1);
    QCOMPARE(m_b->requests().constFirst().path, QByteArray("/other"));
    QCOMPARE(m_b->requests().constFirst().rawQuery, QByteArray("table=v&name=m&key=a%40b"));
}

void TestFailover::backendKilledAndRestarted()
{
    constexpr int OpenForMs = 400;
    configure({urlOf(m_a), urlOf(m_b)}, true, 1, OpenForMs);
    QCOMPARE(call().body, QByteArray(R"(["from-a"])"));
    const quint16 portA = m_a->port();

    // Killed while it holds a call: that call still gets its answer, from the other backend.
    m_a->respond(answer(200, R"(["from-a"])", Fault::None, 300));
    QTimer::singleShot(100, m_a, [this] { m_a->close(); });
    BackendResult result = call();
    QCOMPARE(result.body, QByteArray(R"(["from-b"])"));
    QCOMPARE(m_targets->state(0), State::Open);
    QElapsedTimer sinceOpen;
    sinceOpen.start();

    // Back up at once, but its circuit is open: calls go to the other one without touching it.
    QVERIFY(m_a->listen(portA));
    m_a->respond(answer(200, R"(["from-a"])"));
    const int acceptedBefore = m_a->connectionsAccepted();
    QCOMPARE(call().body, QByteArray(R"(["from-b"])"));
    if (sinceOpen.elapsed() < OpenForMs)
        QCOMPARE(m_a->connectionsAccepted(), acceptedBefore);

    // After open-for, a trial call finds it again and closes the circuit.
    QTRY_VERIFY_WITH_TIMEOUT(call().body == QByteArray(R"(["from-a"])"), 5000);
    QVERIFY(sinceOpen.elapsed() >= OpenForMs);
    QCOMPARE(m_targets->state(0), State::Closed);
    QCOMPARE(m_metrics->targets.at(0).entered, (std::array<quint64, 3>{1, 1, 1}));
    QCOMPARE(m_metrics->targets.at(1).entered, (std::array<quint64, 3>{0, 0, 0}));
}

void TestFailover::allCircuitsOpenFailsAtOnce()
{
    m_a->respond(answer(503));
    m_b->respond(answer(500));
    configure({urlOf(m_a), urlOf(m_b)}, true, 2, 60000);
    QCOMPARE(call().status, 500);
    QCOMPARE(call().status, 500);
    QCOMPARE(m_targets->state(0), State::Open);
    QCOMPARE(m_targets->state(1), State::Open);
    const int acceptedA = m_a->connectionsAccepted();
    const int requestsA = m_a->requests().size();
    const int requestsB = m_b->requests().size();

    QElapsedTimer elapsed;
    elapsed.start();
    const BackendResult result = call();
    QCOMPARE(result.outcome, BackendResult::Outcome::NetworkError);
    QCOMPARE(result.error, QStringLiteral("every backend target's circuit is open"));
    QVERIFY2(elapsed.elapsed() < BudgetMs / 2, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(m_a->connectionsAccepted(), acceptedA);
    QCOMPARE(m_a->requests().size(), requestsA);
    QCOMPARE(m_b->requests().size(), requestsB);
    QCOMPARE(m_metrics->circuitRejected, quint64(1));
    QCOMPARE(m_metrics->targets.at(0).state, int(State::Open));
}

void TestFailover::maxQueuedCallsShedsAtOnce()
{
    // One connection, one call may wait: the third concurrent call is refused without reaching the backend.
    m_a->respond(answer(200, R"(["slow"])", Fault::None, 400));
    configure({urlOf(m_a)});
    QueuedCallLimit limit(1, 1, m_metrics);
    const auto start = [this](const BackendCall &attempt, QObject *owner) {
        return m_client->start(attempt, QByteArrayLiteral("rid"), owner);
    };
    const BackendCall backendCall{BackendCall::Method::Get, m_config.target, {}, {}};
    std::vector<std::unique_ptr<FailoverCall>> calls;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 3; ++i) {
        calls.push_back(std::make_unique<FailoverCall>(*m_targets, start, backendCall,
                                                       QByteArrayLiteral("rid"), BudgetMs));
        spies.push_back(std::make_unique<QSignalSpy>(calls.back().get(), &FailoverCall::finished));
        calls.back()->begin(&limit);
    }
    QCOMPARE(limit.inFlight(), 2);
    QVERIFY(spies.at(2)->wait(200));
    const auto refused = spies.at(2)->constFirst().constFirst().value<BackendResult>();
    QCOMPARE(refused.outcome, BackendResult::Outcome::NetworkError);
    QCOMPARE(refused.error,
             QStringLiteral("1 backend calls already wait for a connection (max-queued-calls)"));
    QCOMPARE(spies.at(0)->size(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(spies.at(1)->size(), 1, BudgetMs * 2);
    QTRY_COMPARE(spies.at(0)->size(), 1);
    QCOMPARE(spies.at(0)->constFirst().constFirst().value<BackendResult>().status, 200);
    QCOMPARE(m_a->requests().size(), 2);
    QCOMPARE(m_metrics->shedCalls, quint64(1));
    QCOMPARE(limit.inFlight(), 0);
    // Room again.
    FailoverCall after(*m_targets, start, backendCall, QByteArrayLiteral("rid"), BudgetMs);
    QSignalSpy spy(&after, &FailoverCall::finished);
    after.begin(&limit);
    QVERIFY(spy.wait(BudgetMs * 2));
    QCOMPARE(spy.constFirst().constFirst().value<BackendResult>().status, 200);
}

QTEST_GUILESS_MAIN(TestFailover)
#include "tst_failover.moc"
