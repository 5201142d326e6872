// SPDX-License-Identifier: GPL-3.0-or-later
// The shared cache tier on its own: the value format, the breaker, and SharedCache against a real
// redis-server (started by the test on a free port with its own config).
#include "cache/lookupcache.h"
#include "cache/redisbreaker.h"
#include "cache/sharedcache.h"
#include "cache/sharedentry.h"
#include "manualclock.h"
#include "metrics/endpointmetrics.h"
#include "redisserver.h"

#include <QElapsedTimer>
#include <QtTest>

#include <memory>
#include <optional>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

using namespace prc;
using namespace prc::test;

Q_DECLARE_METATYPE(std::optional<prc::SharedEntry>)

namespace {

const QByteArray CallKey = QByteArrayLiteral("GET http://127.0.0.1:9000/lookup?key=a%40example.org");

SharedEntry sampleEntry()
{
    SharedEntry entry;
    entry.result.outcome = BackendResult::Outcome::Response;
    entry.result.status = 200;
    entry.result.body = R"(["alias@example.org"])";
    entry.result.cacheControl = "max-age=60";
    entry.expiresAtMs = 1900000000000;
    entry.staleUntilMs = 1900000060000;
    return entry;
}

SharedCacheConfig sharedConfig(const RedisServer &redis)
{
    SharedCacheConfig config;
    config.enabled = true;
    config.host = QStringLiteral("127.0.0.1");
    config.port = redis.port();
    config.url = redis.url();
    return config;
}

/// Runs a get and waits for its callback; the result and how long it took.
struct GetResult
{
    bool called = false;
    std::optional<SharedEntry> entry;
    qint64 elapsedMs = 0;
};

GetResult getAndWait(SharedCache &cache, const QByteArray &callKey)
{
    GetResult result;
    QObject context;
    QElapsedTimer timer;
    timer.start();
    cache.get(callKey, &context, [&](const std::optional<SharedEntry> &entry) {
        result.called = true;
        result.entry = entry;
        result.elapsedMs = timer.elapsed();
    });
    (void)QTest::qWaitFor([&] { return result.called; }, 10000);
    return result;
}

} // namespace

class TestSharedCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void entryRoundTrip();
    void entryRejected_data();
    void entryRejected();
    void breaker_data();
    void breaker();
    void adoptKeepsTheRemainingLifetime_data();
    void adoptKeepsTheRemainingLifetime();

    void sharesBetweenConnections();
    void keyLayoutAndTtl();
    void valueCorruptedByHandIsAMiss_data();
    void valueCorruptedByHandIsAMiss();
    void redisDownIsAnImmediateMiss();
    void frozenRedisTimesOut();
    void reconnectsAfterRestart();
    void passwordAndDatabase();
    void unixSocket();

private:
    void requireRedis();
};

void TestSharedCache::requireRedis()
{
    if (!RedisServer::available())
        QSKIP("redis-server / redis-cli not installed (see scripts/packages.sh)");
}

void TestSharedCache::initTestCase()
{
#ifdef Q_OS_UNIX
    // As the service does (SignalWatcher): hiredis writes with write(2), and a Redis stopped by a test must
    // not end the process.
    ::signal(SIGPIPE, SIG_IGN);
#endif
}

void TestSharedCache::entryRoundTrip()
{
    const SharedEntry entry = sampleEntry();
    const QByteArray value = SharedEntry::encode(CallKey, entry);
    QVERIFY(value.startsWith("PRC1"));
    const std::optional<SharedEntry> decoded = SharedEntry::decode(CallKey, value, 1024);
    QVERIFY(decoded);
    QCOMPARE(decoded->result.status, 200);
    QCOMPARE(decoded->result.body, entry.result.body);
    QCOMPARE(decoded->result.cacheControl, entry.result.cacheControl);
    QCOMPARE(decoded->expiresAtMs, entry.expiresAtMs);
    QCOMPARE(decoded->staleUntilMs, entry.staleUntilMs);

    // Empty body and Cache-Control (a 404 without headers) survive too.
    SharedEntry empty = entry;
    empty.result.status = 404;
    empty.result.body.clear();
    empty.result.cacheControl.clear();
    const auto emptyDecoded = SharedEntry::decode(CallKey, SharedEntry::encode(CallKey, empty), 1024);
    QVERIFY(emptyDecoded);
    QCOMPARE(emptyDecoded->result.status, 404);
    QVERIFY(emptyDecoded->result.body.isEmpty());
}

void TestSharedCache::entryRejected_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("callKey");
    QTest::addColumn<qint64>("maxBody");

    const QByteArray good = SharedEntry::encode(CallKey, sampleEntry());
    const auto flipped = [&](qsizetype at) {
        QByteArray copy = good;
        copy[at] = char(copy.at(at) ^ 0x01);
        return copy;
    };
    QTest::newRow("empty") << QByteArray() << CallKey << qint64(1024);
    QTest::newRow("text a person typed") << QByteArrayLiteral("OK") << CallKey << qint64(1024);
    QTest::newRow("the body alone") << QByteArrayLiteral(R"(["alias@example.org"])") << CallKey
                                    << qint64(1024);
    QByteArray otherVersion = good;
    otherVersion[3] = '2';
    QTest::newRow("another format version") << otherVersion << CallKey << qint64(1024);
    QTest::newRow("truncated") << good.left(good.size() - 1) << CallKey << qint64(1024);
    QTest::newRow("trailing byte") << good + 'x' << CallKey << qint64(1024);
    QTest::newRow("body byte changed") << flipped(good.indexOf("alias")) << CallKey << qint64(1024);
    QTest::newRow("status byte changed") << flipped(6) << CallKey << qint64(1024);
    QTest::newRow("checksum changed") << flipped(good.size() - 1) << CallKey << qint64(1024);
    QTest::newRow("another key's value")
        << good << QByteArrayLiteral("GET http://127.0.0.1:9000/lookup?key=b") << qint64(1024);
    QTest::newRow("body over max-response-size") << good << CallKey << qint64(4);

    SharedEntry timeout = sampleEntry();
    timeout.result.outcome = BackendResult::Outcome::Timeout;
    QTest::newRow("not a response") << SharedEntry::encode(CallKey, timeout) << CallKey << qint64(1024);
    SharedEntry badStatus = sampleEntry();
    badStatus.result.status = 42;
    QTest::newRow("impossible status") << SharedEntry::encode(CallKey, badStatus) << CallKey << qint64(1024);
    SharedEntry backwards = sampleEntry();
    backwards.staleUntilMs = backwards.expiresAtMs - 1;
    QTest::newRow("stale window before expiry")
        << SharedEntry::encode(CallKey, backwards) << CallKey << qint64(1024);
}

void TestSharedCache::entryRejected()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, callKey);
    QFETCH(qint64, maxBody);
    QVERIFY(!SharedEntry::decode(callKey, value, maxBody));
}

void TestSharedCache::breaker_data()
{
    // Steps: 'f' failure, 's' success, digits: that many seconds pass and a call is tried. Expected: the
    // state after all steps ('C'losed, 'O'pen, 'H'alf-open as allow() sees it) and whether a call is allowed.
    QTest::addColumn<QByteArray>("steps");
    QTest::addColumn<char>("state");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("fresh") << QByteArray() << 'C' << true;
    QTest::newRow("four failures") << QByteArray("ffff") << 'C' << true;
    QTest::newRow("five failures open it") << QByteArray("fffff") << 'O' << false;
    QTest::newRow("a success resets the count") << QByteArray("ffffsffff") << 'C' << true;
    QTest::newRow("half-open after the cooldown") << QByteArray("fffff5") << 'H' << true;
    QTest::newRow("still open before it") << QByteArray("fffff4") << 'O' << false;
    QTest::newRow("success closes") << QByteArray("fffff5s") << 'C' << true;
    QTest::newRow("failure reopens") << QByteArray("fffff5f") << 'O' << false;
    QTest::newRow("the second cooldown is longer") << QByteArray("fffff5f5") << 'O' << false;
    QTest::newRow("and ends") << QByteArray("fffff5f55") << 'H' << true;
    QTest::newRow("late failures while open do not extend it") << QByteArray("fffffff5") << 'H' << true;
}

void TestSharedCache::breaker()
{
    QFETCH(QByteArray, steps);
    QFETCH(char, state);
    QFETCH(bool, allowed);

    RedisBreaker breaker;
    qint64 now = 0;
    for (const char step : steps) {
        if (step == 'f')
            breaker.recordFailure(now);
        else if (step == 's')
            breaker.recordSuccess();
        else // time passes, then the next lookup asks whether it may use Redis
            breaker.allow(now += qint64(step - '0') * 1000);
    }
    QCOMPARE(breaker.allow(now), allowed);
    const char actual = breaker.state() == RedisBreaker::State::Closed ? 'C'
                        : breaker.state() == RedisBreaker::State::Open ? 'O'
                                                                       : 'H';
    QCOMPARE(actual, state);
}

void TestSharedCache::adoptKeepsTheRemainingLifetime_data()
{
    // An entry from Redis, fresh for `fresh` ms more and usable for stale-if-error `stale` ms more, in a
    // local cache with max-ttl 60 s and the given stale-if-error: fresh and stale as seen locally afterwards.
    QTest::addColumn<qint64>("fresh");
    QTest::addColumn<qint64>("stale");
    QTest::addColumn<int>("localStaleIfError");
    QTest::addColumn<bool>("stored");
    QTest::addColumn<qint64>("freshFor");
    QTest::addColumn<qint64>("staleFor");

    QTest::newRow("rest of its lifetime")
        << qint64(20000) << qint64(20000) << 0 << true << qint64(20000) << qint64(20000);
    QTest::newRow("capped by local max-ttl")
        << qint64(600000) << qint64(600000) << 0 << true << qint64(60000) << qint64(60000);
    QTest::newRow("stale window kept")
        << qint64(1000) << qint64(31000) << 60000 << true << qint64(1000) << qint64(31000);
    QTest::newRow("stale window capped locally")
        << qint64(1000) << qint64(31000) << 5000 << true << qint64(1000) << qint64(6000);
    QTest::newRow("expired, still stale")
        << qint64(-500) << qint64(4000) << 60000 << true << qint64(0) << qint64(4000);
    QTest::newRow("expired, no local stale-if-error")
        << qint64(-500) << qint64(4000) << 0 << false << qint64(0) << qint64(0);
}

void TestSharedCache::adoptKeepsTheRemainingLifetime()
{
    QFETCH(qint64, fresh);
    QFETCH(qint64, stale);
    QFETCH(int, localStaleIfError);
    QFETCH(bool, stored);
    QFETCH(qint64, freshFor);
    QFETCH(qint64, staleFor);

    CacheConfig config;
    config.enabled = true;
    config.maxTtlMs = 60000;
    config.staleIfErrorMs = localStaleIfError;
    auto clock = std::make_shared<ManualClock>();
    LookupCache cache(config, clock);
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.body = "[\"x\"]";
    QCOMPARE(cache.adopt(CallKey, result, fresh, stale), stored);
    if (!stored) {
        QVERIFY(!cache.stale(CallKey));
        return;
    }
    if (freshFor > 0) {
        clock->advance(freshFor - 1);
        QVERIFY(cache.fresh(CallKey));
        clock->advance(1);
    } else {
        QVERIFY(!cache.fresh(CallKey));
    }
    QVERIFY(!cache.fresh(CallKey));
    const qint64 staleOnly = staleFor - std::max<qint64>(freshFor, 0);
    if (staleOnly > 0) {
        clock->advance(staleOnly - 1);
        QVERIFY(cache.stale(CallKey));
        clock->advance(1);
    }
    QVERIFY(!cache.stale(CallKey));
}

void TestSharedCache::sharesBetweenConnections()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metricsA;
    EndpointMetrics metricsB;
    SharedCache a(QStringLiteral("aliases"), sharedConfig(redis), 1024 * 1024, 2000, metricsA);
    SharedCache b(QStringLiteral("aliases"), sharedConfig(redis), 1024 * 1024, 2000, metricsB);

    GetResult before = getAndWait(b, CallKey);
    QVERIFY(before.called);
    QVERIFY(!before.entry);
    QCOMPARE(metricsB.sharedMisses, quint64(1));

    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.body = R"(["alias@example.org"])";
    result.cacheControl = "max-age=30";
    a.put(CallKey, result, 30000, 5000);
    QTRY_COMPARE(metricsA.sharedWrites, quint64(1));

    const GetResult after = getAndWait(b, CallKey);
    QVERIFY(after.entry);
    QCOMPARE(after.entry->result.body, result.body);
    QCOMPARE(after.entry->result.cacheControl, result.cacheControl);
    const qint64 now = SharedCache::wallClockMs();
    QVERIFY(after.entry->expiresAtMs > now && after.entry->expiresAtMs <= now + 30000);
    QCOMPARE(after.entry->staleUntilMs - after.entry->expiresAtMs, qint64(5000));
    QCOMPARE(metricsB.sharedHits, quint64(1));
    QVERIFY(a.isConnected());
    QCOMPARE(metricsA.sharedErrors + metricsB.sharedErrors, quint64(0));

    // A backend that now says no-store: the entry goes for everyone.
    a.forget(CallKey);
    QTRY_VERIFY(redis.keys().isEmpty());
    QVERIFY(!getAndWait(b, CallKey).entry);
}

void TestSharedCache::keyLayoutAndTtl()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCacheConfig config = sharedConfig(redis);
    config.prefix = QStringLiteral("mx:");
    SharedCache cache(QStringLiteral("domains"), config, 1024 * 1024, 2000, metrics);
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 404;
    cache.put(CallKey, result, 10000, 2000);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));

    const QList<QByteArray> keys = redis.keys();
    QCOMPARE(keys.size(), 1);
    QCOMPARE(keys.constFirst(), cache.redisKey(CallKey));
    QVERIFY(keys.constFirst().startsWith("mx:domains:"));
    QCOMPARE(keys.constFirst().size(), qsizetype(11 + 64)); // SHA-256 in hex
    // Redis drops it when the stale-if-error window ends, not before.
    const int ttl = redis.cli({QStringLiteral("PTTL"), QString::fromUtf8(keys.constFirst())}).toInt();
    QVERIFY2(ttl > 10000 && ttl <= 12000, QByteArray::number(ttl).constData());

    // A zero lifetime is not written at all.
    cache.put(CallKey + "x", result, 0, 2000);
    QCOMPARE(redis.keys().size(), 1);
}

void TestSharedCache::valueCorruptedByHandIsAMiss_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::newRow("SET garbage") << QStringList{QStringLiteral("SET"), QStringLiteral("{key}"),
                                                QStringLiteral("[\"wrong@example.org\"]")};
    QTest::newRow("SET old format") << QStringList{QStringLiteral("SET"), QStringLiteral("{key}"),
                                                   QStringLiteral("PRC0 anything")};
    QTest::newRow("APPEND to a good value")
        << QStringList{QStringLiteral("APPEND"), QStringLiteral("{key}"), QStringLiteral("x")};
    QTest::newRow("a list instead of a string")
        << QStringList{QStringLiteral("LPUSH"), QStringLiteral("{key}"), QStringLiteral("x")};
}

void TestSharedCache::valueCorruptedByHandIsAMiss()
{
    requireRedis();
    QFETCH(QStringList, command);
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), sharedConfig(redis), 1024 * 1024, 2000, metrics);
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.body = R"(["alias@example.org"])";
    cache.put(CallKey, result, 30000, 0);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));
    QVERIFY(getAndWait(cache, CallKey).entry);

    const QString key = QString::fromUtf8(cache.redisKey(CallKey));
    if (command.constFirst() == QLatin1String("LPUSH"))
        redis.cli({QStringLiteral("DEL"), key});
    command.replaceInStrings(QStringLiteral("{key}"), key);
    redis.cli(command);

    const GetResult after = getAndWait(cache, CallKey);
    QVERIFY(after.called);
    QVERIFY(!after.entry);
    QVERIFY(metrics.sharedInvalid + metrics.sharedErrors >= 1);
    QVERIFY(cache.isConnected());
}

void TestSharedCache::redisDownIsAnImmediateMiss()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCacheConfig config = sharedConfig(redis);
    config.timeoutMs = 2000; // long: a miss must come from the refused connection, not the timeout
    SharedCache cache(QStringLiteral("aliases"), config, 1024 * 1024, 2000, metrics);
    QTRY_VERIFY(cache.isConnected());
    redis.stop();
    QTRY_VERIFY(!cache.isConnected());

    for (int i = 0; i < 8; ++i) {
        const GetResult result = getAndWait(cache, CallKey);
        QVERIFY(result.called);
        QVERIFY(!result.entry);
        QVERIFY2(result.elapsedMs < 1000, QByteArray::number(result.elapsedMs).constData());
    }
    QVERIFY(metrics.sharedErrors >= 1);
    // After repeated failures Redis is skipped outright.
    QCOMPARE(cache.breakerState(), RedisBreaker::State::Open);
    QVERIFY(metrics.sharedSkipped >= 1);
    QVERIFY(cache.status().contains(QLatin1String("skipped")));
}

void TestSharedCache::frozenRedisTimesOut()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCacheConfig config = sharedConfig(redis);
    config.timeoutMs = 100;
    SharedCache cache(QStringLiteral("aliases"), config, 1024 * 1024, 2000, metrics);
    QTRY_VERIFY(cache.isConnected());

    redis.freeze(); // accepts nothing, answers nothing: a hung server or a lost network
    const GetResult result = getAndWait(cache, CallKey);
    QVERIFY(result.called);
    QVERIFY(!result.entry);
    QVERIFY2(result.elapsedMs >= 90 && result.elapsedMs < 1000,
             QByteArray::number(result.elapsedMs).constData());
    QCOMPARE(metrics.sharedTimeouts, quint64(1));
    // Writes time out the same way, and nothing waits on them.
    BackendResult answer;
    answer.outcome = BackendResult::Outcome::Response;
    answer.status = 200;
    cache.put(CallKey, answer, 1000, 0);
    QTRY_COMPARE(metrics.sharedTimeouts, quint64(2));
    redis.thaw();
}

void TestSharedCache::reconnectsAfterRestart()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), sharedConfig(redis), 1024 * 1024, 2000, metrics);
    QTRY_VERIFY(cache.isConnected());
    redis.stop();
    QTRY_VERIFY(!cache.isConnected());
    QVERIFY(cache.status().contains(QLatin1String("unavailable")));
    QVERIFY(redis.start());
    // Backoff is at most RedisConnection::MaxBackoffMs.
    QTRY_VERIFY_WITH_TIMEOUT(cache.isConnected(), 10000);

    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.body = "[]";
    cache.put(CallKey, result, 30000, 0);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));
    QVERIFY(getAndWait(cache, CallKey).entry);
    QVERIFY(cache.status().startsWith(QLatin1String("shared cache ok")));
}

void TestSharedCache::passwordAndDatabase()
{
    requireRedis();
    RedisServer redis;
    const QString password = QStringLiteral("s3cret-redis-pass");
    redis.setPassword(password);
    QVERIFY(redis.start());

    EndpointMetrics metrics;
    SharedCacheConfig config = sharedConfig(redis);
    config.password = password;
    config.database = 3;
    SharedCache cache(QStringLiteral("aliases"), config, 1024 * 1024, 2000, metrics);
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.body = "[]";
    cache.put(CallKey, result, 30000, 0);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));
    QCOMPARE(redis.cli({QStringLiteral("-n"), QStringLiteral("3"), QStringLiteral("DBSIZE")}),
             QByteArray("1"));
    QCOMPARE(redis.cli({QStringLiteral("DBSIZE")}), QByteArray("0"));

    // A wrong password: misses, never an answer, and the connection is not taken as up.
    EndpointMetrics wrongMetrics;
    SharedCacheConfig wrong = config;
    wrong.password = QStringLiteral("not-the-password");
    SharedCache refused(QStringLiteral("aliases"), wrong, 1024 * 1024, 2000, wrongMetrics);
    QTRY_VERIFY(refused.status().contains(QLatin1String("unavailable")));
    QVERIFY(!refused.isConnected());
    QVERIFY(!getAndWait(refused, CallKey).entry);
    QVERIFY(!refused.status().contains(wrong.password));
}

void TestSharedCache::unixSocket()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCacheConfig config;
    config.enabled = true;
    config.unixPath = redis.unixSocket();
    SharedCache cache(QStringLiteral("aliases"), config, 1024 * 1024, 2000, metrics);
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.body = "[]";
    cache.put(CallKey, result, 30000, 0);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));
    QCOMPARE(redis.keys().size(), 1);
    QVERIFY(cache.status().contains(QLatin1String("unix:")));
}

QTEST_GUILESS_MAIN(TestSharedCache)
#include "tst_sharedcache.moc"
