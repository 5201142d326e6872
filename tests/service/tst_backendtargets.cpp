// SPDX-License-Identifier: GPL-3.0-or-later
// The circuit breaker's state machine and the target list around it, on a clock moved by hand.
#include "backend/backendtargets.h"
#include "backend/circuitbreaker.h"
#include "metrics/endpointmetrics.h"

#include <QTest>

using namespace prc;
using State = CircuitBreaker::State;

namespace {

BackendResult response(int status)
{
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = status;
    return result;
}

BackendResult failure(BackendResult::Outcome outcome)
{
    BackendResult result;
    result.outcome = outcome;
    result.error = QStringLiteral("failed");
    return result;
}

EndpointConfig config(const QStringList &urls, bool breaker, int failures = 2, int openFor = 1000)
{
    EndpointConfig config;
    config.name = QStringLiteral("t");
    config.target = QUrl(urls.first());
    for (int i = 1; i < urls.size(); ++i)
        config.failoverTargets.append(QUrl(urls.at(i)));
    config.circuitBreaker.enabled = breaker;
    config.circuitBreaker.failures = failures;
    config.circuitBreaker.openForMs = openFor;
    return config;
}

} // namespace

class TestBackendTargets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void breakerScript_data();
    void breakerScript();
    void targetFailures_data();
    void targetFailures();
    void callForMovesParameters_data();
    void callForMovesParameters();
    void acquireSkipsOpenTargets();
    void withoutBreakerEveryTargetIsTried();
    void metricsFollowTransitions();
};

void TestBackendTargets::breakerScript_data()
{
    // A script of steps: a = acquire (expect allowed "+" or refused "-"), s = success, f = failure,
    // x = abandoned, t = clock +1000 ms, h = clock +999 ms. Then the state expected at the end.
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<QByteArray>("states"); ///< the state after each step: c, o, h
    QTest::newRow("closed stays closed on success") << QByteArray("a+ s a+ s") << QByteArray("cccc");
    QTest::newRow("one failure is not enough") << QByteArray("a+ f a+ s a+ f") << QByteArray("cccccc");
    QTest::newRow("two failures in a row open") << QByteArray("a+ f a+ f a-") << QByteArray("cccoo");
    QTest::newRow("open until open-for has passed")
        << QByteArray("a+ f a+ f h a- t a+") << QByteArray("cccooooh");
    QTest::newRow("one trial at a time") << QByteArray("a+ f a+ f t a+ a-") << QByteArray("cccoohh");
    QTest::newRow("trial success closes") << QByteArray("a+ f a+ f t a+ s a+") << QByteArray("cccoohcc");
    QTest::newRow("trial failure opens again")
        << QByteArray("a+ f a+ f t a+ f a- h a- t a+") << QByteArray("cccoohoooooh");
    QTest::newRow("abandoned trial lets another try")
        << QByteArray("a+ f a+ f t a+ x a+") << QByteArray("cccoohhh");
    QTest::newRow("closing resets the count")
        << QByteArray("a+ f a+ f t a+ s a+ f a+") << QByteArray("cccoohcccc");
}

void TestBackendTargets::breakerScript()
{
    QFETCH(QByteArray, script);
    QFETCH(QByteArray, states);
    qint64 now = 0;
    CircuitBreaker breaker(2, 1000, [&now] { return now; });
    const QList<QByteArray> steps = script.split(' ');
    QCOMPARE(steps.size(), states.size());
    for (int i = 0; i < steps.size(); ++i) {
        const QByteArray &step = steps.at(i);
        switch (step.at(0)) {
        case 'a':
            QVERIFY2(breaker.tryAcquire() == (step.at(1) == '+'), step.constData());
            break;
        case 's':
            breaker.recordSuccess();
            break;
        case 'f':
            breaker.recordFailure();
            break;
        case 'x':
            breaker.recordAbandoned();
            break;
        case 't':
            now += 1000;
            break;
        case 'h':
            now += 999;
            break;
        }
        const char expected = states.at(i);
        const State state = expected == 'c' ? State::Closed : expected == 'o' ? State::Open : State::HalfOpen;
        QVERIFY2(breaker.state() == state, qPrintable(QStringLiteral("after step %1 (%2): %3")
                                                          .arg(i)
                                                          .arg(QString::fromLatin1(step))
                                                          .arg(CircuitBreaker::stateName(breaker.state()))));
    }
}

void TestBackendTargets::targetFailures_data()
{
    QTest::addColumn<BackendResult>("result");
    QTest::addColumn<bool>("failure");
    using O = BackendResult::Outcome;
    QTest::newRow("200") << response(200) << false;
    QTest::newRow("204") << response(204) << false;
    QTest::newRow("302") << response(302) << false;
    QTest::newRow("400") << response(400) << false;
    QTest::newRow("401") << response(401) << false;
    QTest::newRow("404") << response(404) << false;
    QTest::newRow("429") << response(429) << false;
    QTest::newRow("500") << response(500) << true;
    QTest::newRow("502") << response(502) << true;
    QTest::newRow("503") << response(503) << true;
    QTest::newRow("599 listed as not found") << response(599) << false;
    QTest::newRow("timeout") << failure(O::Timeout) << true;
    QTest::newRow("network error") << failure(O::NetworkError) << true;
    QTest::newRow("too large") << failure(O::TooLarge) << false;
}

void TestBackendTargets::targetFailures()
{
    QFETCH(BackendResult, result);
    QFETCH(bool, failure);
    EndpointConfig c = config({QStringLiteral("http://a/")}, true);
    c.notFoundStatuses = {404, 599};
    const BackendTargets targets(c, nullptr);
    QCOMPARE(targets.isTargetFailure(result), failure);
}

void TestBackendTargets::callForMovesParameters_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<QString>("callUrl");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QStringLiteral("http://a/lookup") << QStringLiteral("http://b:8080/other")
                           << QStringLiteral("http://a/lookup?key=x%40y")
                           << QByteArray("http://b:8080/other?key=x%40y");
    QTest::newRow("first has a query")
        << QStringLiteral("http://a/lookup?table=v") << QStringLiteral("http://b/lookup")
        << QStringLiteral("http://a/lookup?table=v&name=m&key=k")
        << QByteArray("http://b/lookup?name=m&key=k");
    QTest::newRow("second has a query")
        << QStringLiteral("http://a/lookup") << QStringLiteral("https://b/l?t=2")
        << QStringLiteral("http://a/lookup?key=k") << QByteArray("https://b/l?t=2&key=k");
    QTest::newRow("policy: no query")
        << QStringLiteral("http://a/policy") << QStringLiteral("http://b/policy")
        << QStringLiteral("http://a/policy") << QByteArray("http://b/policy");
}

void TestBackendTargets::callForMovesParameters()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(QString, callUrl);
    QFETCH(QByteArray, expected);
    const BackendTargets targets(config({first, second}, false), nullptr);
    BackendCall call{BackendCall::Method::Post, QUrl(callUrl, QUrl::StrictMode), "body", "text/plain"};
    QCOMPARE(targets.callFor(call, 0).url, call.url);
    const BackendCall moved = targets.callFor(call, 1);
    QCOMPARE(moved.url.toEncoded(), expected);
    QCOMPARE(moved.body, call.body);
    QCOMPARE(moved.method, call.method);
    QCOMPARE(moved.contentType, call.contentType);
}

void TestBackendTargets::acquireSkipsOpenTargets()
{
    qint64 now = 0;
    BackendTargets targets(config({QStringLiteral("http://a/"), QStringLiteral("http://b/")}, true, 1, 1000),
                           nullptr, [&now] { return now; });
    bool trial = true;
    QCOMPARE(targets.acquire(0, &trial), 0);
    QVERIFY(!trial);
    targets.report(0, failure(BackendResult::Outcome::NetworkError));
    QCOMPARE(targets.state(0), State::Open);
    QCOMPARE(targets.acquire(0, &trial), 1);
    targets.report(1, response(503));
    QCOMPARE(targets.state(1), State::Open);
    // Every target open: nothing to call.
    QCOMPARE(targets.acquire(0, &trial), -1);
    now += 1000;
    QCOMPARE(targets.acquire(0, &trial), 0);
    QVERIFY(trial);
    // The first target's trial is under way; the second is due for its own.
    QCOMPARE(targets.acquire(0, &trial), 1);
    QVERIFY(trial);
    QCOMPARE(targets.acquire(0, &trial), -1);
    targets.abandon(1, true);
    targets.report(0, response(404));
    QCOMPARE(targets.state(0), State::Closed);
    QCOMPARE(targets.acquire(1, &trial), 1);
    QVERIFY(trial);
}

void TestBackendTargets::withoutBreakerEveryTargetIsTried()
{
    BackendTargets targets(config({QStringLiteral("http://a/"), QStringLiteral("http://b/")}, false),
                           nullptr);
    bool trial = false;
    for (int i = 0; i < 10; ++i)
        targets.report(0, failure(BackendResult::Outcome::Timeout));
    QCOMPARE(targets.acquire(0, &trial), 0);
    QCOMPARE(targets.acquire(1, &trial), 1);
    QCOMPARE(targets.acquire(2, &trial), -1);
}

void TestBackendTargets::metricsFollowTransitions()
{
    qint64 now = 0;
    auto metrics = std::make_shared<EndpointMetrics>();
    BackendTargets targets(
        config({QStringLiteral("http://u:p@a/x?secret=1"), QStringLiteral("http://b/")}, true, 1), metrics,
        [&now] { return now; });
    QCOMPARE(metrics->targets.size(), 2);
    // No user info and no query in a label: either may hold a secret.
    QCOMPARE(metrics->targets.at(0).url, QByteArray("http://a/x"));
    bool trial = false;
    targets.acquire(0, &trial);
    targets.report(0, response(500));
    QCOMPARE(metrics->targets.at(0).state, int(State::Open));
    now += 1000;
    targets.acquire(0, &trial);
    QCOMPARE(metrics->targets.at(0).state, int(State::HalfOpen));
    targets.report(0, response(200));
    QCOMPARE(metrics->targets.at(0).state, int(State::Closed));
    QCOMPARE(metrics->targets.at(0).entered, (std::array<quint64, 3>{1, 1, 1}));
    QCOMPARE(metrics->targets.at(1).entered, (std::array<quint64, 3>{0, 0, 0}));

    // A reload keeps a staying target's counts and starts it closed.
    BackendTargets reloaded(config({QStringLiteral("http://b/"), QStringLiteral("http://a/x")}, true),
                            metrics);
    QCOMPARE(metrics->targets.size(), 2);
    QCOMPARE(metrics->targets.at(1).url, QByteArray("http://a/x"));
    QCOMPARE(metrics->targets.at(1).entered, (std::array<quint64, 3>{1, 1, 1}));
    QCOMPARE(metrics->targets.at(1).state, int(State::Closed));
}

QTEST_GUILESS_MAIN(TestBackendTargets)
#include "tst_backendtargets.moc"
