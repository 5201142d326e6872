// SPDX-License-Identifier: GPL-3.0-or-later
// The shared cache tier on its own: the value format, the breaker, and SharedCache against a real
// redis-server (started by the test on a free port with its own config).
#include "cache/lookupcache.h"
#include "cache/redisbreaker.h"
#include "cache/sharedcache.h"
#include "cache/sharedentry.h"
#include "cache/sharedwait.h"
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
Q_DECLARE_METATYPE(prc::SharedWait::End)

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

/// Runs a lookup (fleet coalescing included) and waits for its callback.
struct LookupResult
{
    bool called = false;
    SharedLookup found;
    qint64 elapsedMs = 0;
};

void startLookup(SharedCache &cache, const QByteArray &callKey, QObject *context, LookupResult &result,
                 const SharedCache::Accept &accept = {})
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    cache.lookup(callKey, accept, context, [&result, timer](const SharedLookup &found) {
        result.called = true;
        result.found = found;
        result.elapsedMs = timer->elapsed();
    });
}

LookupResult lookupAndWait(SharedCache &cache, const QByteArray &callKey,
                           const SharedCache::Accept &accept = {})
{
    LookupResult result;
    QObject context;
    startLookup(cache, callKey, &context, result, accept);
    (void)QTest::qWaitFor([&] { return result.called; }, 10000);
    return result;
}

BackendResult found(const QByteArray &body = R"(["alias@example.org"])")
{
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.body = body;
    return result;
}

SharedCacheConfig coalescing(const RedisServer &redis, int lockWaitMs)
{
    SharedCacheConfig config = sharedConfig(redis);
    config.lockWaitMs = lockWaitMs;
    // Generous: these tests are about the lock, and a loaded machine must not turn a read into a timeout.
    config.timeoutMs = 1000;
    return config;
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

    void lockWaitBound_data();
    void lockWaitBound();
    void waitPauses();
    void waitEnds_data();
    void waitEnds();
    void waitEndsWithItsContext();
    void missTakesTheLock();
    void waiterEnds_data();
    void waiterEnds();
    void hitTakesNoLock();
    void entryThatIsNoAnswerTakesTheLock_data();
    void entryThatIsNoAnswerTakesTheLock();
    void releaseLeavesAnotherHoldersLock();
    void lockWaitZeroTakesNoLock();
    void scriptsRefusedReadWithoutTheLock();

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
    QCOMPARE(cache.adopt(CallKey, result, ResultClass::Found, fresh, stale), stored);
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

void TestSharedCache::lockWaitBound_data()
{
    QTest::addColumn<int>("lockWait");
    QTest::addColumn<int>("requestTimeout");
    QTest::addColumn<int>("bound");
    QTest::newRow("default") << 250 << 2000 << 250;
    QTest::newRow("half of request-timeout") << 1000 << 2000 << 1000;
    QTest::newRow("cut to half of request-timeout") << 1001 << 2000 << 1000;
    QTest::newRow("short request-timeout") << 250 << 300 << 150;
    QTest::newRow("the longest") << 10000 << 600000 << 10000;
    QTest::newRow("off") << 0 << 2000 << 0;
    QTest::newRow("request-timeout 1 ms: off") << 250 << 1 << 0;
}

void TestSharedCache::lockWaitBound()
{
    QFETCH(int, lockWait);
    QFETCH(int, requestTimeout);
    QFETCH(int, bound);
    QCOMPARE(SharedCache::lockWaitBound(lockWait, requestTimeout), bound);
}

void TestSharedCache::waitPauses()
{
    QList<int> pauses;
    int pause = 0;
    for (int i = 0; i < 7; ++i)
        pauses << (pause = SharedWait::nextPollMs(pause));
    QCOMPARE(pauses, (QList<int>{2, 4, 8, 16, 20, 20, 20}));
}

void TestSharedCache::waitEnds_data()
{
    // What each poll reports in turn ('w' waiting, 'a' answered, 'g' lock gone, 'f' failed, 's' no report at
    // all: a Redis that hangs); the last one repeats. The bound, how the wait ends and how many polls went
    // out.
    QTest::addColumn<QByteArray>("reports");
    QTest::addColumn<int>("boundMs");
    QTest::addColumn<SharedWait::End>("end");
    QTest::addColumn<int>("polls");

    QTest::newRow("answer at the first poll") << QByteArray("a") << 5000 << SharedWait::End::Answered << 1;
    QTest::newRow("answer after three waits") << QByteArray("wwwa") << 5000 << SharedWait::End::Answered << 4;
    QTest::newRow("lock gone") << QByteArray("wwg") << 5000 << SharedWait::End::LockGone << 3;
    QTest::newRow("Redis failed") << QByteArray("wf") << 5000 << SharedWait::End::Failed << 2;
    // 2+4+8+16+20+20 ms: at least five polls fit in 100 ms; -1: do not count exactly.
    QTest::newRow("bound passes") << QByteArray("w") << 100 << SharedWait::End::TimedOut << -1;
    QTest::newRow("bound passes while a poll is out")
        << QByteArray("s") << 100 << SharedWait::End::TimedOut << 1;
    QTest::newRow("bound 0") << QByteArray("w") << 0 << SharedWait::End::TimedOut << 0;
}

void TestSharedCache::waitEnds()
{
    QFETCH(QByteArray, reports);
    QFETCH(int, boundMs);
    QFETCH(SharedWait::End, end);
    QFETCH(int, polls);

    QObject context;
    int probes = 0;
    int ended = 0;
    SharedWait::End how = SharedWait::End::Failed;
    qint64 waited = -1;
    QPointer<SharedWait> wait = new SharedWait(
        boundMs, &context,
        [&](const SharedWait::Report &report) {
            const char next = reports.at(std::min<qsizetype>(probes++, reports.size() - 1));
            switch (next) {
            case 'w':
                report(SharedWait::Poll::Waiting);
                break;
            case 'a':
                report(SharedWait::Poll::Answered);
                break;
            case 'g':
                report(SharedWait::Poll::LockGone);
                break;
            case 'f':
                report(SharedWait::Poll::Failed);
                break;
            default:
                break; // never answers
            }
        },
        [&](SharedWait::End e, qint64 ms) {
            ++ended;
            how = e;
            waited = ms;
        });
    QTRY_COMPARE_WITH_TIMEOUT(ended, 1, 10000);
    QCOMPARE(how, end);
    if (polls >= 0)
        QCOMPARE(probes, polls);
    else
        QVERIFY2(probes >= 5, QByteArray::number(probes).constData());
    if (end == SharedWait::End::TimedOut)
        QVERIFY2(waited >= boundMs, QByteArray::number(waited).constData());
    QTRY_VERIFY(wait.isNull()); // it deletes itself, and with it the probe: no more polls
    QCOMPARE(ended, 1);
}

void TestSharedCache::waitEndsWithItsContext()
{
    auto context = std::make_unique<QObject>();
    int probes = 0;
    bool ended = false;
    QPointer<SharedWait> wait = new SharedWait(
        5000, context.get(),
        [&](const SharedWait::Report &report) {
            ++probes;
            report(SharedWait::Poll::Waiting);
        },
        [&](SharedWait::End, qint64) { ended = true; });
    QTRY_VERIFY(probes >= 2);
    context.reset();
    QTRY_VERIFY(wait.isNull());
    QVERIFY(!ended);
}

void TestSharedCache::missTakesTheLock()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), coalescing(redis, 250), 1024 * 1024, 5000, metrics);
    QCOMPARE(cache.lockWaitMs(), 250);

    const LookupResult miss = lookupAndWait(cache, CallKey);
    QVERIFY(miss.called);
    QVERIFY(!miss.found.entry);
    QVERIFY(!miss.found.lockToken.isEmpty());
    QCOMPARE(metrics.sharedLocks, quint64(1));
    QCOMPARE(metrics.sharedMisses, quint64(1));
    const QByteArray lock = SharedCache::lockKey(cache.redisKey(CallKey));
    QCOMPARE(redis.keys(), QList<QByteArray>{lock});
    QCOMPARE(redis.cli({QStringLiteral("GET"), QString::fromLatin1(lock)}), miss.found.lockToken);
    // It lasts one request-timeout: a holder that crashed blocks nobody longer than its call could have.
    const int ttl = redis.cli({QStringLiteral("PTTL"), QString::fromLatin1(lock)}).toInt();
    QVERIFY2(ttl > 4000 && ttl <= 5000, QByteArray::number(ttl).constData());

    // Stored, then released: the lock goes, the answer stays.
    cache.put(CallKey, found(), 30000, 0);
    cache.release(CallKey, miss.found.lockToken);
    QTRY_COMPARE(redis.keys(), QList<QByteArray>{cache.redisKey(CallKey)});
}

void TestSharedCache::waiterEnds_data()
{
    // How the holder (A) ends while B waits for it, B's lock-wait, and what B's lookup finds.
    QTest::addColumn<QString>("holder");
    QTest::addColumn<int>("lockWait");
    QTest::addColumn<bool>("answered");
    QTest::addColumn<QString>("ending"); ///< the counter B's wait ends in

    QTest::newRow("stores the answer and releases")
        << QStringLiteral("store") << 2000 << true << QStringLiteral("hits");
    QTest::newRow("stores nothing and releases")
        << QStringLiteral("release") << 2000 << false << QStringLiteral("misses");
    QTest::newRow("is told no-store and releases")
        << QStringLiteral("forget") << 2000 << false << QStringLiteral("misses");
    QTest::newRow("vanishes, keeping the lock")
        << QStringLiteral("vanish") << 300 << false << QStringLiteral("timeouts");
    QTest::newRow("Redis stops") << QStringLiteral("stop") << 2000 << false << QStringLiteral("misses");
}

void TestSharedCache::waiterEnds()
{
    requireRedis();
    QFETCH(QString, holder);
    QFETCH(int, lockWait);
    QFETCH(bool, answered);
    QFETCH(QString, ending);

    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metricsA;
    EndpointMetrics metricsB;
    SharedCache a(QStringLiteral("aliases"), coalescing(redis, lockWait), 1024 * 1024, 5000, metricsA);
    SharedCache b(QStringLiteral("aliases"), coalescing(redis, lockWait), 1024 * 1024, 5000, metricsB);

    const LookupResult first = lookupAndWait(a, CallKey);
    QVERIFY(!first.found.lockToken.isEmpty());
    QObject context;
    LookupResult waiting;
    startLookup(b, CallKey, &context, waiting);
    // B finds the lock held and polls for the answer (EXISTS and GET are its last commands).
    QTRY_VERIFY(redis.cli({QStringLiteral("CLIENT"), QStringLiteral("LIST")}).contains("cmd=get"));

    if (holder == QLatin1String("store")) {
        a.put(CallKey, found(), 30000, 0);
        a.release(CallKey, first.found.lockToken);
    } else if (holder == QLatin1String("release")) {
        a.release(CallKey, first.found.lockToken);
    } else if (holder == QLatin1String("forget")) {
        a.forget(CallKey);
        a.release(CallKey, first.found.lockToken);
    } else if (holder == QLatin1String("stop")) {
        redis.stop();
    }
    QTRY_VERIFY_WITH_TIMEOUT(waiting.called, 10000);
    QCOMPARE(bool(waiting.found.entry), answered);
    QCOMPARE(waiting.found.fresh, answered);
    QVERIFY(waiting.found.lockToken.isEmpty()); // a waiter never holds the lock
    if (answered)
        QCOMPARE(waiting.found.entry->result.body, found().body);
    QCOMPARE(metricsB.sharedLockWaitHits, quint64(ending == QLatin1String("hits")));
    QCOMPARE(metricsB.sharedLockWaitMisses, quint64(ending == QLatin1String("misses")));
    QCOMPARE(metricsB.sharedLockWaitTimeouts, quint64(ending == QLatin1String("timeouts")));
    QCOMPARE(metricsB.sharedHits, quint64(answered));
    QCOMPARE(metricsB.sharedLocks, quint64(0));
    if (ending == QLatin1String("timeouts"))
        QVERIFY2(waiting.elapsedMs >= lockWait, QByteArray::number(waiting.elapsedMs).constData());
    else // over as soon as the holder is, not at the bound
        QVERIFY2(waiting.elapsedMs < lockWait, QByteArray::number(waiting.elapsedMs).constData());
}

void TestSharedCache::hitTakesNoLock()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), coalescing(redis, 250), 1024 * 1024, 5000, metrics);
    cache.put(CallKey, found(), 30000, 0);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));

    const LookupResult hit = lookupAndWait(cache, CallKey);
    QVERIFY(hit.found.entry);
    QVERIFY(hit.found.fresh);
    QVERIFY(hit.found.lockToken.isEmpty());
    QCOMPARE(metrics.sharedHits, quint64(1));
    QCOMPARE(redis.keys(), QList<QByteArray>{cache.redisKey(CallKey)});
}

void TestSharedCache::entryThatIsNoAnswerTakesTheLock_data()
{
    // An entry is there but is not an answer: the lock is taken all the same (in a second step).
    QTest::addColumn<bool>("expired");  ///< expired, kept for stale-if-error
    QTest::addColumn<bool>("accepted"); ///< the endpoint's reading of it
    QTest::addColumn<bool>("kept");     ///< handed back to stand in if the backend fails
    QTest::newRow("expired, within stale-if-error") << true << true << true;
    QTest::newRow("fresh, but not an answer this endpoint gives") << false << false << false;
}

void TestSharedCache::entryThatIsNoAnswerTakesTheLock()
{
    requireRedis();
    QFETCH(bool, expired);
    QFETCH(bool, accepted);
    QFETCH(bool, kept);

    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), coalescing(redis, 250), 1024 * 1024, 5000, metrics);
    cache.put(CallKey, found(), expired ? 1 : 30000, 60000);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));
    const qint64 writtenAt = SharedCache::wallClockMs();
    QTRY_VERIFY(SharedCache::wallClockMs() > writtenAt + 2); // the 1 ms lifetime is over

    const LookupResult miss =
        lookupAndWait(cache, CallKey, [accepted](const BackendResult &) { return accepted; });
    QVERIFY(!miss.found.fresh);
    QCOMPARE(bool(miss.found.entry), kept);
    QVERIFY(!miss.found.lockToken.isEmpty());
    QCOMPARE(metrics.sharedLocks, quint64(1));
    QCOMPARE(metrics.sharedInvalid, quint64(accepted ? 0 : 1));
    QCOMPARE(redis.keys().size(), 2);
}

void TestSharedCache::releaseLeavesAnotherHoldersLock()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), coalescing(redis, 250), 1024 * 1024, 5000, metrics);
    const LookupResult miss = lookupAndWait(cache, CallKey);
    QVERIFY(!miss.found.lockToken.isEmpty());
    const QString lock = QString::fromLatin1(SharedCache::lockKey(cache.redisKey(CallKey)));

    // The lock expired and another connector took it: releasing ours must leave theirs alone.
    QCOMPARE(redis.cli({QStringLiteral("SET"), lock, QStringLiteral("another-holder")}), QByteArray("OK"));
    cache.release(CallKey, miss.found.lockToken);
    (void)getAndWait(cache, CallKey); // after the release on the same connection
    QCOMPARE(redis.cli({QStringLiteral("GET"), lock}), QByteArray("another-holder"));

    QCOMPARE(redis.cli({QStringLiteral("SET"), lock, QString::fromLatin1(miss.found.lockToken)}),
             QByteArray("OK"));
    cache.release(CallKey, miss.found.lockToken);
    QTRY_VERIFY(redis.keys().isEmpty());
    QCOMPARE(metrics.sharedErrors, quint64(0));
}

void TestSharedCache::lockWaitZeroTakesNoLock()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), coalescing(redis, 0), 1024 * 1024, 5000, metrics);
    const LookupResult miss = lookupAndWait(cache, CallKey);
    QVERIFY(miss.called);
    QVERIFY(!miss.found.entry);
    QVERIFY(miss.found.lockToken.isEmpty());
    QCOMPARE(metrics.sharedMisses, quint64(1));
    QCOMPARE(metrics.sharedLocks, quint64(0));
    QVERIFY(redis.keys().isEmpty());
}

void TestSharedCache::scriptsRefusedReadWithoutTheLock()
{
    requireRedis();
    RedisServer redis;
    QVERIFY(redis.start());
    // A Redis whose user may not run scripts (an ACL without EVAL).
    QCOMPARE(redis.cli({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("default"),
                        QStringLiteral("-eval")}),
             QByteArray("OK"));
    EndpointMetrics metrics;
    SharedCache cache(QStringLiteral("aliases"), coalescing(redis, 250), 1024 * 1024, 5000, metrics);

    const LookupResult miss = lookupAndWait(cache, CallKey);
    QVERIFY(miss.called);
    QVERIFY(!miss.found.entry);
    QVERIFY(miss.found.lockToken.isEmpty());
    cache.put(CallKey, found(), 30000, 0);
    QTRY_COMPARE(metrics.sharedWrites, quint64(1));
    // Sharing still works, without the lock.
    const LookupResult hit = lookupAndWait(cache, CallKey);
    QVERIFY(hit.found.fresh);
    QCOMPARE(hit.found.entry->result.body, found().body);
    QCOMPARE(metrics.sharedHits, quint64(1));
    QCOMPARE(metrics.sharedErrors, quint64(2)); // each refused script
    QCOMPARE(redis.keys(), QList<QByteArray>{cache.redisKey(CallKey)});
}

QTEST_GUILESS_MAIN(TestSharedCache)
#include "tst_sharedcache.moc"
