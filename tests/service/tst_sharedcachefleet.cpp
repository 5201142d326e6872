// SPDX-License-Identifier: GPL-3.0-or-later
// Two connector processes and one real redis-server, as a fleet of MX hosts runs them: answers cross from one
// connector to the other, hosts that miss the same key at once ask the backend once, and Redis going away,
// hanging, coming back or holding garbage never changes an answer or holds one up beyond cache.shared.timeout
// (and lock-wait).
#include "cache/sharedentry.h"
#include "fakebackend.h"
#include "httpfetch.h"
#include "postfixtestclient.h"
#include "postmap.h"
#include "protocol/tcptablecodec.h"
#include "redisserver.h"
#include "serviceprocess.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <memory>

using namespace prc;
using namespace prc::test;

namespace {

const QString Password = QStringLiteral("fleet-redis-pass-5d1c");

/// One connector of the fleet: the service process and its ports.
struct Connector
{
    std::unique_ptr<ServiceProcess> process;
    quint16 port = 0;
    quint16 adminPort = 0;
};

} // namespace

class TestSharedCacheFleet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void answersCrossConnectors();
    void postmapOnTwoHosts();
    void ttlAndNegativeAnswersCross();
    void redisStoppedAndRestarted();
    void frozenRedisAddsAtMostTheTimeout();
    void corruptedValueIsAMiss();
    void wellFormedValueTheModeCannotUseIsAMiss();
    void passwordNeverLogged();
    void metricsAndHealth();
    void fleetCoalescing_data();
    void fleetCoalescing();

private:
    Connector startConnector(const QJsonObject &shared = {}, int requestTimeoutMs = 3000);
    QJsonObject shared(int timeoutMs = 50) const;
    QByteArray lookup(const Connector &connector, const QByteArray &key, qint64 *elapsedMs = nullptr);
    int backendCalls(const QByteArray &key) const;
    /// The answers in Redis, without the locks of the moment.
    QList<QByteArray> entries() const;
    /// A counter of the endpoint's from the connector's /metrics (-1 when missing).
    qint64 metric(const Connector &connector, const QByteArray &name) const;

    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<FakeBackend> m_backend;
    QList<Connector> m_started;
};

void TestSharedCacheFleet::init()
{
    if (!RedisServer::available())
        QSKIP("redis-server / redis-cli not installed (see scripts/packages.sh)");
    m_redis = std::make_unique<RedisServer>();
    QVERIFY(m_redis->start());
    m_backend = std::make_unique<FakeBackend>();
    QVERIFY(m_backend->listen());
    m_backend->setHandler([](const FakeBackend::Request &request) {
        const QString key = request.query.queryItemValue(QStringLiteral("key"));
        FakeBackend::Response response;
        if (key.startsWith(QLatin1String("missing"))) {
            response.body = "[]";
        } else if (key.startsWith(QLatin1String("short"))) {
            response.body = R"(["short@example.org"])";
            response.headers.append(
                qMakePair(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("max-age=1")));
        } else {
            response.body = "[\"" + key.toUtf8() + "@dest.example.org\"]";
        }
        return response;
    });
}

void TestSharedCacheFleet::cleanup()
{
    m_started.clear();
    m_backend.reset();
    m_redis.reset();
}

QJsonObject TestSharedCacheFleet::shared(int timeoutMs) const
{
    return QJsonObject{{QStringLiteral("url"), m_redis->url()}, {QStringLiteral("timeout"), timeoutMs}};
}

Connector TestSharedCacheFleet::startConnector(const QJsonObject &sharedObject, int requestTimeoutMs)
{
    Connector connector;
    connector.process = std::make_unique<ServiceProcess>();
    connector.port = reservedPort();
    connector.adminPort = reservedPort();
    const QJsonObject cache{{QStringLiteral("enabled"), true},
                            {QStringLiteral("positive-ttl"), 60000},
                            {QStringLiteral("negative-ttl"), 30000},
                            {QStringLiteral("shared"), sharedObject.isEmpty() ? shared() : sharedObject}};
    const QJsonObject endpoint = endpointObject(
        QStringLiteral("aliases"), QStringLiteral("tcp-lookup"), connector.port,
        m_backend->url(QStringLiteral("/lookup")),
        {{QStringLiteral("cache"), cache}, {QStringLiteral("request-timeout"), requestTimeoutMs}});
    QJsonObject config = configObject({endpoint});
    config.insert(QStringLiteral("admin"),
                  QJsonObject{{QStringLiteral("bind-port"), int(connector.adminPort)}});
    const QString path = connector.process->writeConfig(config);
    connector.process->start({path});
    const ServiceProcess *process = connector.process.get();
    if (!QTest::qWaitFor([process] { return process->isStarted() || process->hasExited(); }, 10000)
        || !process->isStarted()) {
        qWarning("connector did not start:\n%s", process->output().constData());
    }
    return connector;
}

QByteArray TestSharedCacheFleet::lookup(const Connector &connector, const QByteArray &key, qint64 *elapsedMs)
{
    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(connector.port);
    QElapsedTimer timer;
    timer.start();
    client.write(TcpTableCodec::requestLine(key));
    (void)QTest::qWaitFor([&client] { return !client.replies().isEmpty() || client.isClosed(); }, 10000);
    if (elapsedMs)
        *elapsedMs = timer.elapsed();
    return client.replies().value(0);
}

int TestSharedCacheFleet::backendCalls(const QByteArray &key) const
{
    int calls = 0;
    for (const FakeBackend::Request &request : m_backend->requests())
        calls += int(request.query.queryItemValue(QStringLiteral("key")).toUtf8() == key);
    return calls;
}

QList<QByteArray> TestSharedCacheFleet::entries() const
{
    QList<QByteArray> keys = m_redis->keys();
    keys.removeIf([](const QByteArray &key) { return key.endsWith(":lock"); });
    return keys;
}

qint64 TestSharedCacheFleet::metric(const Connector &connector, const QByteArray &name) const
{
    const HttpFetch fetched = HttpFetch::run(connector.adminPort, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    const QByteArray prefix = name + "{endpoint=\"aliases\"} ";
    for (const QByteArray &line : fetched.body.split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).toLongLong();
    }
    return -1;
}

void TestSharedCacheFleet::answersCrossConnectors()
{
    const Connector a = startConnector();
    const Connector b = startConnector();
    QVERIFY(a.process->isStarted() && b.process->isStarted());

    QCOMPARE(lookup(a, "alice"), QByteArray("200 alice@dest.example.org"));
    QTRY_COMPARE(entries().size(), 1);
    QCOMPARE(lookup(b, "alice"), QByteArray("200 alice@dest.example.org"));
    QCOMPARE(backendCalls("alice"), 1);
    // And back the other way, for a key B asked first.
    QCOMPARE(lookup(b, "bob"), QByteArray("200 bob@dest.example.org"));
    QTRY_COMPARE(entries().size(), 2);
    QCOMPARE(lookup(a, "bob"), QByteArray("200 bob@dest.example.org"));
    QCOMPARE(backendCalls("bob"), 1);
    QVERIFY(entries().constFirst().startsWith("prc:aliases:"));
}

void TestSharedCacheFleet::postmapOnTwoHosts()
{
    // What Postfix itself sees: postmap -q KEY tcp:... on each "host".
    Postmap postmap;
    if (!postmap.init())
        QSKIP(Postmap::skipReason());

    const Connector a = startConnector();
    const Connector b = startConnector();
    QVERIFY(a.process->isStarted() && b.process->isStarted());
    const auto query = [&](const Connector &connector, const QByteArray &key) {
        return postmap.query(key, QStringLiteral("tcp:127.0.0.1:%1").arg(connector.port)).out;
    };
    QCOMPARE(query(a, "grace"), QByteArray("grace@dest.example.org\n"));
    QTRY_COMPARE(entries().size(), 1);
    QCOMPARE(query(b, "grace"), QByteArray("grace@dest.example.org\n"));
    QCOMPARE(backendCalls("grace"), 1);
}

void TestSharedCacheFleet::ttlAndNegativeAnswersCross()
{
    const Connector a = startConnector();
    const Connector b = startConnector();
    QVERIFY(a.process->isStarted() && b.process->isStarted());

    // A not-found answer is shared with the negative TTL.
    // tcp_table's not-found reply: "500 <request id> - key not found".
    QVERIFY(lookup(a, "missing-1").endsWith(" - key not found"));
    QTRY_COMPARE(entries().size(), 1);
    const int negativeTtl =
        m_redis->cli({QStringLiteral("PTTL"), QString::fromUtf8(entries().constFirst())}).toInt();
    QVERIFY2(negativeTtl > 25000 && negativeTtl <= 30000, QByteArray::number(negativeTtl).constData());
    QVERIFY(lookup(b, "missing-1").endsWith(" - key not found"));
    QCOMPARE(backendCalls("missing-1"), 1);

    // The backend's max-age=1 holds in Redis too: B gets it while it lasts, and asks again after.
    QCOMPARE(lookup(a, "short-1"), QByteArray("200 short@example.org"));
    QTRY_COMPARE(entries().size(), 2);
    QCOMPARE(lookup(b, "short-1"), QByteArray("200 short@example.org"));
    QCOMPARE(backendCalls("short-1"), 1);
    const Connector c = startConnector();
    QVERIFY(c.process->isStarted());
    QTRY_COMPARE_WITH_TIMEOUT(entries().size(), 1, 5000); // Redis dropped the expired entry
    QCOMPARE(lookup(c, "short-1"), QByteArray("200 short@example.org"));
    QCOMPARE(backendCalls("short-1"), 2);
}

void TestSharedCacheFleet::redisStoppedAndRestarted()
{
    const Connector a = startConnector();
    const Connector b = startConnector();
    QVERIFY(a.process->isStarted() && b.process->isStarted());
    QCOMPARE(lookup(a, "before"), QByteArray("200 before@dest.example.org"));
    QTRY_COMPARE(entries().size(), 1);

    m_redis->stop();
    // Every lookup is still answered, from the backend, and no slower than the timeout allows.
    for (const QByteArray &key : {QByteArray("down-1"), QByteArray("down-2"), QByteArray("down-3")}) {
        qint64 elapsed = 0;
        QCOMPARE(lookup(a, key, &elapsed), "200 " + key + "@dest.example.org");
        QVERIFY2(elapsed < 1500, QByteArray::number(elapsed).constData());
        QCOMPARE(lookup(b, key), "200 " + key + "@dest.example.org");
        QCOMPARE(backendCalls(key), 2); // nothing to share through
    }
    // What a connector already holds in memory is still answered from there.
    QCOMPARE(lookup(a, "before"), QByteArray("200 before@dest.example.org"));
    QCOMPARE(backendCalls("before"), 1);
    QTRY_VERIFY(a.process->output().contains("unavailable"));

    QVERIFY(m_redis->start());
    // Sharing resumes once both have reconnected (backoff and breaker: seconds, not minutes).
    int round = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QByteArray key = "after-" + QByteArray::number(++round);
            const qsizetype stored = entries().size();
            if (lookup(a, key) != "200 " + key + "@dest.example.org")
                return false;
            // A writes after answering; wait briefly for its write before B asks.
            (void)QTest::qWaitFor([&] { return entries().size() > stored; }, 500);
            return lookup(b, key) == "200 " + key + "@dest.example.org" && backendCalls(key) == 1;
        }(),
        30000);
    QTRY_VERIFY(a.process->output().contains("connected to Redis at"));
}

void TestSharedCacheFleet::frozenRedisAddsAtMostTheTimeout()
{
    const Connector a = startConnector(shared(100));
    QVERIFY(a.process->isStarted());
    QCOMPARE(lookup(a, "warm"), QByteArray("200 warm@dest.example.org"));

    m_redis->freeze();
    for (const QByteArray &key : {QByteArray("hung-1"), QByteArray("hung-2")}) {
        qint64 elapsed = 0;
        QCOMPARE(lookup(a, key, &elapsed), "200 " + key + "@dest.example.org");
        // The backend answers at once: what is left is the Redis timeout, far below request-timeout.
        QVERIFY2(elapsed >= 90 && elapsed < 1500, QByteArray::number(elapsed).constData());
    }
    m_redis->thaw();
}

void TestSharedCacheFleet::corruptedValueIsAMiss()
{
    const Connector a = startConnector();
    const Connector b = startConnector();
    QVERIFY(a.process->isStarted() && b.process->isStarted());
    QCOMPARE(lookup(a, "carol"), QByteArray("200 carol@dest.example.org"));
    QTRY_COMPARE(entries().size(), 1);
    const QString key = QString::fromUtf8(entries().constFirst());

    // Someone "fixes" the entry by hand with what looks like an answer.
    QCOMPARE(m_redis->cli({QStringLiteral("SET"), key, QStringLiteral("[\"mallory@evil.example\"]")}),
             QByteArray("OK"));
    QCOMPARE(lookup(b, "carol"), QByteArray("200 carol@dest.example.org"));
    QCOMPARE(backendCalls("carol"), 2);
    // B stored the real answer again in place of the damaged one.
    QTRY_VERIFY(m_redis->cli({QStringLiteral("GET"), key}).startsWith("PRC1"));
}

void TestSharedCacheFleet::wellFormedValueTheModeCannotUseIsAMiss()
{
    const Connector a = startConnector();
    QVERIFY(a.process->isStarted());
    // The value a connector would write for the call "GET <target>?key=heidi", with a body no lookup can use
    // (another mode's answer under the same endpoint name, or a forged one).
    QUrl url = m_backend->url(QStringLiteral("/lookup"));
    url.setQuery(QStringLiteral("key=heidi"));
    const QByteArray callKey = "GET " + url.toEncoded();
    const QByteArray key =
        "prc:aliases:" + QCryptographicHash::hash(callKey, QCryptographicHash::Sha256).toHex();
    SharedEntry entry;
    entry.result.outcome = BackendResult::Outcome::Response;
    entry.result.status = 200;
    entry.result.body = "DUNNO";
    entry.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + 60000;
    entry.staleUntilMs = entry.expiresAtMs;
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"),
              {QStringLiteral("-p"), QString::number(m_redis->port()), QStringLiteral("-x"),
               QStringLiteral("SET"), QString::fromLatin1(key)});
    QVERIFY(cli.waitForStarted());
    cli.write(SharedEntry::encode(callKey, entry)); // -x: the value from stdin, byte for byte
    cli.closeWriteChannel();
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.readAllStandardOutput().trimmed(), QByteArray("OK"));

    QCOMPARE(lookup(a, "heidi"), QByteArray("200 heidi@dest.example.org"));
    QCOMPARE(backendCalls("heidi"), 1);
    // The real answer replaced it, under the very key the test computed.
    QTRY_VERIFY(
        m_redis->cli({QStringLiteral("GET"), QString::fromLatin1(key)}).contains("heidi@dest.example.org"));
}

void TestSharedCacheFleet::passwordNeverLogged()
{
    m_redis->stop();
    m_redis->setPassword(Password);
    QVERIFY(m_redis->start());
    qputenv("PRC_TEST_REDIS_PASSWORD", Password.toUtf8());
    qputenv("PRC_TEST_WRONG_PASSWORD", "wrong-" + Password.toUtf8());
    const Connector a = startConnector(
        QJsonObject{{QStringLiteral("url"), m_redis->url()},
                    {QStringLiteral("password-env"), QStringLiteral("PRC_TEST_REDIS_PASSWORD")}});
    const Connector b = startConnector(
        QJsonObject{{QStringLiteral("url"), m_redis->url()},
                    {QStringLiteral("password-env"), QStringLiteral("PRC_TEST_REDIS_PASSWORD")}});
    const Connector wrong = startConnector(
        QJsonObject{{QStringLiteral("url"), m_redis->url()},
                    {QStringLiteral("password-env"), QStringLiteral("PRC_TEST_WRONG_PASSWORD")}});
    QVERIFY(a.process->isStarted() && b.process->isStarted() && wrong.process->isStarted());

    QCOMPARE(lookup(a, "dave"), QByteArray("200 dave@dest.example.org"));
    QTRY_COMPARE(entries().size(), 1);
    QCOMPARE(lookup(b, "dave"), QByteArray("200 dave@dest.example.org"));
    QCOMPARE(backendCalls("dave"), 1);
    // The wrong password: answered from the backend, refused once in the log, no password anywhere.
    QCOMPARE(lookup(wrong, "dave"), QByteArray("200 dave@dest.example.org"));
    QCOMPARE(backendCalls("dave"), 2);
    QTRY_VERIFY(wrong.process->output().contains("refused the password"));
    for (const Connector *c : {&a, &b, &wrong})
        QVERIFY(!c->process->output().contains(Password.toUtf8()));
    const HttpFetch health = HttpFetch::run(wrong.adminPort, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(!health.body.contains(Password.toUtf8()));
    qunsetenv("PRC_TEST_REDIS_PASSWORD");
    qunsetenv("PRC_TEST_WRONG_PASSWORD");
}

void TestSharedCacheFleet::metricsAndHealth()
{
    const Connector a = startConnector();
    const Connector b = startConnector();
    QVERIFY(a.process->isStarted() && b.process->isStarted());
    QCOMPARE(lookup(a, "erin"), QByteArray("200 erin@dest.example.org"));
    QTRY_COMPARE(entries().size(), 1);
    QCOMPARE(lookup(b, "erin"), QByteArray("200 erin@dest.example.org"));

    const HttpFetch metrics = HttpFetch::run(b.adminPort, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.body.contains("prc_shared_cache_enabled{endpoint=\"aliases\"} 1\n"));
    QVERIFY(metrics.body.contains("prc_shared_cache_up{endpoint=\"aliases\"} 1\n"));
    QVERIFY(metrics.body.contains("prc_shared_cache_hits_total{endpoint=\"aliases\"} 1\n"));
    QVERIFY(metrics.body.contains("prc_shared_cache_breaker_state{endpoint=\"aliases\"} 0\n"));
    const HttpFetch metricsA = HttpFetch::run(a.adminPort, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(metricsA.body.contains("prc_shared_cache_writes_total{endpoint=\"aliases\"} 1\n"));
    QVERIFY(metricsA.body.contains("prc_shared_cache_misses_total{endpoint=\"aliases\"} 1\n"));

    HttpFetch health = HttpFetch::run(a.adminPort, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(health.status, 200);
    QVERIFY2(health.body.contains("aliases: shared cache ok (redis://127.0.0.1:"), health.body.constData());

    m_redis->stop();
    QCOMPARE(lookup(a, "frank"), QByteArray("200 frank@dest.example.org"));
    QTRY_VERIFY([&] {
        health = HttpFetch::run(a.adminPort, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        return health.body.contains("shared cache unavailable") || health.body.contains("skipped");
    }());
    QCOMPARE(health.status, 200); // the connector still answers
    const HttpFetch down = HttpFetch::run(a.adminPort, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(down.body.contains("prc_shared_cache_up{endpoint=\"aliases\"} 0\n"));
    QVERIFY(!down.body.contains("prc_shared_cache_errors_total{endpoint=\"aliases\"} 0\n"));
}

void TestSharedCacheFleet::fleetCoalescing_data()
{
    // Two hosts look the same key up while the backend takes its time over the first call for it (later ones
    // are answered at once, 200). request-timeout 5000 ms everywhere, so lock-wait up to 2500 ms is used as
    // given. A is the host that takes the lock, B the one that waits, unless both ask at the very same
    // moment.
    QTest::addColumn<int>("lockWait");
    QTest::addColumn<int>("firstDelayMs");   ///< the backend's first answer for the key comes this late
    QTest::addColumn<int>("firstStatus");    ///< ... with this status (404: every answer is "not found")
    QTest::addColumn<bool>("atOnce");        ///< both ask at once; otherwise B asks once A holds the lock
    QTest::addColumn<bool>("stopRedis");     ///< Redis stops while B waits
    QTest::addColumn<int>("calls");          ///< backend calls for the key
    QTest::addColumn<QByteArray>("ending");  ///< the counter B's wait ends in (ordered rows)
    QTest::addColumn<int>("waiterWithinMs"); ///< B answers this soon (ordered rows)

    QTest::newRow("both at once: one backend call")
        << 1000 << 200 << 200 << true << false << 1 << QByteArray() << 0;
    // A not-found answer is stored (negative-ttl) like any other, so it ends the wait just the same.
    QTest::newRow("both at once, not found: one backend call")
        << 1000 << 200 << 404 << true << false << 1 << QByteArray() << 0;
    QTest::newRow("lock-wait 0: each host asks")
        << 0 << 200 << 200 << true << false << 2 << QByteArray() << 0;
    // The holder's own answer is its failure; the waiter sees the lock go without an answer and asks the
    // backend itself at once, long before lock-wait.
    QTest::newRow("holder's call fails: the waiter asks at once")
        << 2000 << 300 << 500 << false << false << 2
        << QByteArrayLiteral("prc_shared_cache_lock_wait_misses_total") << 1500;
    QTest::newRow("holder slower than lock-wait: the waiter asks after it")
        << 300 << 2500 << 200 << false << false << 2
        << QByteArrayLiteral("prc_shared_cache_lock_wait_timeouts_total") << 2000;
    QTest::newRow("Redis stopped mid-wait: the waiter asks the backend")
        << 2000 << 2500 << 200 << false << true << 2
        << QByteArrayLiteral("prc_shared_cache_lock_wait_misses_total") << 2000;
}

void TestSharedCacheFleet::fleetCoalescing()
{
    QFETCH(int, lockWait);
    QFETCH(int, firstDelayMs);
    QFETCH(int, firstStatus);
    QFETCH(bool, atOnce);
    QFETCH(bool, stopRedis);
    QFETCH(int, calls);
    QFETCH(QByteArray, ending);
    QFETCH(int, waiterWithinMs);

    int asked = 0;
    m_backend->setHandler([&asked, firstDelayMs, firstStatus](const FakeBackend::Request &request) {
        const QString key = request.query.queryItemValue(QStringLiteral("key"));
        FakeBackend::Response response = FakeBackend::Response::withBody(
            "[\"" + key.toUtf8() + "@dest.example.org\"]", asked == 0 ? firstStatus : 200);
        if (firstStatus == 404)
            response = FakeBackend::Response::withBody({}, 404);
        if (asked++ == 0)
            response.delayMs = firstDelayMs;
        return response;
    });
    // A generous Redis timeout: this is about the lock, and a loaded machine must not turn reads into misses.
    QJsonObject sharedObject = shared(500);
    sharedObject.insert(QStringLiteral("lock-wait"), lockWait);
    const Connector a = startConnector(sharedObject, 5000);
    const Connector b = startConnector(sharedObject, 5000);
    QVERIFY(a.process->isStarted() && b.process->isStarted());

    PostfixTestClient clientA(PostfixTestClient::Framing::Line);
    PostfixTestClient clientB(PostfixTestClient::Framing::Line);
    clientA.connectTo(a.port);
    clientB.connectTo(b.port);
    QTRY_VERIFY(clientA.isConnected() && clientB.isConnected());
    QElapsedTimer sinceB;
    clientA.write(TcpTableCodec::requestLine("ivan"));
    if (!atOnce) // A asks first, and B only once A holds the lock
        QTRY_VERIFY(m_redis->keys().size() == 1 && m_redis->keys().constFirst().endsWith(":lock"));
    sinceB.start();
    clientB.write(TcpTableCodec::requestLine("ivan"));
    qint64 waiterMs = -1;
    if (stopRedis) {
        // B polls (EXISTS, then GET: the last command its connection ran) while A's backend call goes on;
        // then Redis goes away under it.
        QTRY_VERIFY(m_redis->cli({QStringLiteral("CLIENT"), QStringLiteral("LIST")}).contains("cmd=get"));
        m_redis->stop();
    }
    QTRY_VERIFY_WITH_TIMEOUT(!clientB.replies().isEmpty() || clientB.isClosed(), 10000);
    waiterMs = sinceB.elapsed();
    QTRY_VERIFY_WITH_TIMEOUT(!clientA.replies().isEmpty() || clientA.isClosed(), 10000);

    const QByteArray answer("200 ivan@dest.example.org");
    if (firstStatus == 404) {
        // tcp_table's not-found reply: "500 <request id> - key not found".
        QVERIFY2(clientA.replies().value(0).endsWith(" - key not found"),
                 clientA.replies().value(0).constData());
        QVERIFY2(clientB.replies().value(0).endsWith(" - key not found"),
                 clientB.replies().value(0).constData());
    } else {
        QCOMPARE(clientB.replies().value(0), answer);
        // The holder's answer is its own backend call's, a failure included.
        if (firstStatus == 200)
            QCOMPARE(clientA.replies().value(0), answer);
        else
            QVERIFY2(clientA.replies().value(0).startsWith("400 "), clientA.replies().value(0).constData());
    }
    QCOMPARE(backendCalls("ivan"), calls);

    const auto both = [&](const QByteArray &name) {
        return metric(a, name) + metric(b, name);
    };
    if (lockWait == 0) {
        QCOMPARE(both("prc_shared_cache_lock_acquired_total"), qint64(0));
        QCOMPARE(both("prc_shared_cache_lock_wait_hits_total"), qint64(0));
    } else if (atOnce) {
        QCOMPARE(both("prc_shared_cache_lock_acquired_total"), qint64(1));
        QCOMPARE(both("prc_shared_cache_lock_wait_hits_total"), qint64(1));
    } else {
        QCOMPARE(metric(a, "prc_shared_cache_lock_acquired_total"), qint64(1));
        QCOMPARE(metric(b, ending), qint64(1));
        QCOMPARE(metric(b, "prc_shared_cache_lock_wait_hits_total"), qint64(0));
        // Well within request-timeout, and before the holder's answer could have been there to find.
        QVERIFY2(waiterMs < waiterWithinMs, QByteArray::number(waiterMs).constData());
    }
    if (!stopRedis) {
        // The holder gave its lock back; the answer (if any) is stored once.
        QTRY_COMPARE(entries().size(), 1);
        QTRY_COMPARE(m_redis->keys().size(), entries().size());
    }
}

QTEST_GUILESS_MAIN(TestSharedCacheFleet)
#include "tst_sharedcachefleet.moc"
