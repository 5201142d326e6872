// SPDX-License-Identifier: GPL-3.0-or-later
// The answer cache: storage rules with a hand-moved clock, then end to end through real sockets
// (Postfix-side client → EndpointServer with the cache on → FakeBackend).
#include "app/serviceapplication.h"
#include "cache/cachecontrol.h"
#include "cache/lookupcache.h"
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "manualclock.h"
#include "metrics/endpointmetrics.h"
#include "modeprotocol.h"
#include "postfixtestclient.h"
#include "protocol/policycodec.h"
#include "protocol/socketmapcodec.h"
#include "protocol/tcptablecodec.h"
#include "serviceprocess.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace prc;
using namespace prc::test;
using Framing = PostfixTestClient::Framing;
using Fault = FakeBackend::Response::Fault;

Q_DECLARE_METATYPE(prc::ResultClass)

namespace {

const QString Token = QStringLiteral("s3cret-token");

BackendResult response(int status, const QByteArray &body, const QByteArray &cacheControl = {})
{
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = status;
    result.body = body;
    result.cacheControl = cacheControl;
    return result;
}

CacheConfig enabledCache()
{
    CacheConfig config;
    config.enabled = true;
    config.positiveTtlMs = 60000;
    config.negativeTtlMs = 10000;
    return config;
}

} // namespace

class TestLookupCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    // LookupCache alone, with a hand-moved clock.
    void cacheControlParsing_data();
    void cacheControlParsing();
    void keys_data();
    void keys();
    void decision_data();
    void decision();
    void hitKeepsItsClass_data();
    void hitKeepsItsClass();
    void zeroTtl_data();
    void zeroTtl();
    void ttlExpiry_data();
    void ttlExpiry();
    void staleWindow();
    void lruEvictionByEntries();
    void lruEvictionByBytes();
    void oversizedEntryNotStored();
    void noStoreDropsOlderEntry();
    void errorKeepsOlderEntry();
    void purgeExpired();

    // Through an endpoint.
    void offByDefault_data() { addModeRows(); }
    void offByDefault();
    void hitsUntilTtlExpires_data();
    void hitsUntilTtlExpires();
    void errorsAreNotCached_data();
    void errorsAreNotCached();
    void staleIfError_data();
    void staleIfError();
    void staleLimitPassed();
    void coalescing_data() { addModeRows(); }
    void coalescing();
    void coalescedErrorsKeepTheirOwnRequestIds();
    void pipelinedMixAnsweredInOrder();
    void waiterGoingAwayDoesNotBreakOthers();
    void policyCachedOnlyWhenEnabled_data();
    void policyCachedOnlyWhenEnabled();
    void survivesOnlyUnchangedReload();
    void unchangedEndpointKeepsCacheOnServiceReload();

private:
    EndpointServer *start(EndpointMode mode, const std::function<void(EndpointConfig &)> &adjust = {});
    QByteArray ask(EndpointMode mode, const QByteArray &key);

    FakeBackend *m_backend = nullptr;
    EndpointServer *m_server = nullptr;
    std::shared_ptr<ManualClock> m_clock;
};

void TestLookupCache::init()
{
    m_clock = std::make_shared<ManualClock>();
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
}

void TestLookupCache::cleanup()
{
    delete m_server;
    m_server = nullptr;
    delete m_backend;
    m_backend = nullptr;
}

EndpointServer *TestLookupCache::start(EndpointMode mode, const std::function<void(EndpointConfig &)> &adjust)
{
    EndpointConfig config = localEndpoint(QStringLiteral("cached-") + modeName(mode), mode,
                                          m_backend->url(QStringLiteral("/lookup")));
    config.authToken = Token;
    config.cache = enabledCache();
    if (adjust)
        adjust(config);
    delete m_server;
    m_server = new EndpointServer(config, QStringLiteral("TestAgent/1.0"), m_clock);
    QString error;
    if (!m_server->listen(&error))
        qFatal("listen failed: %s", qPrintable(error));
    return m_server;
}

/// One request on a fresh connection; the reply without framing (empty when none came).
QByteArray TestLookupCache::ask(EndpointMode mode, const QByteArray &key)
{
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, key));
    if (!QTest::qWaitFor([&] { return !client.replies().isEmpty(); }, 5000))
        return {};
    return client.replies().constFirst();
}

// --- LookupCache alone -------------------------------------------------------------------------------

void TestLookupCache::cacheControlParsing_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("forbids");
    QTest::addColumn<qint64>("lifetime"); // -1: none given

    QTest::newRow("empty") << QByteArray() << false << qint64(-1);
    QTest::newRow("max-age") << QByteArray("max-age=60") << false << qint64(60);
    QTest::newRow("public, max-age") << QByteArray("public, max-age=5") << false << qint64(5);
    QTest::newRow("upper case") << QByteArray("Max-Age=7") << false << qint64(7);
    QTest::newRow("quoted") << QByteArray("max-age=\"9\"") << false << qint64(9);
    QTest::newRow("s-maxage wins") << QByteArray("max-age=60, s-maxage=10") << false << qint64(10);
    QTest::newRow("garbage value is stale") << QByteArray("max-age=soon") << false << qint64(0);
    QTest::newRow("huge value") << QByteArray("max-age=99999999999999999999") << false << (qint64(1) << 31);
    QTest::newRow("no-store") << QByteArray("no-store") << true << qint64(-1);
    QTest::newRow("no-cache") << QByteArray("max-age=60, no-cache") << true << qint64(60);
    QTest::newRow("private") << QByteArray("private, max-age=60") << true << qint64(60);
    QTest::newRow("unknown directive") << QByteArray("immutable, max-age=3") << false << qint64(3);
}

void TestLookupCache::cacheControlParsing()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, forbids);
    QFETCH(qint64, lifetime);
    const CacheControl control = CacheControl::parse(header);
    QCOMPARE(control.forbidsStoring(), forbids);
    QCOMPARE(control.lifetimeSeconds().value_or(-1), lifetime);
}

void TestLookupCache::keys_data()
{
    QTest::addColumn<QByteArray>("methodA");
    QTest::addColumn<QString>("urlA");
    QTest::addColumn<QByteArray>("bodyA");
    QTest::addColumn<QByteArray>("methodB");
    QTest::addColumn<QString>("urlB");
    QTest::addColumn<QByteArray>("bodyB");
    QTest::addColumn<bool>("same");

    const QString a = QStringLiteral("http://b/x?key=a");
    QTest::newRow("identical get") << QByteArray("GET") << a << QByteArray() << QByteArray("GET") << a
                                   << QByteArray() << true;
    QTest::newRow("other key") << QByteArray("GET") << a << QByteArray() << QByteArray("GET")
                               << QStringLiteral("http://b/x?key=b") << QByteArray() << false;
    QTest::newRow("other map") << QByteArray("GET") << QStringLiteral("http://b/x?name=m1&key=a")
                               << QByteArray() << QByteArray("GET")
                               << QStringLiteral("http://b/x?name=m2&key=a") << QByteArray() << false;
    QTest::newRow("other path") << QByteArray("GET") << a << QByteArray() << QByteArray("GET")
                                << QStringLiteral("http://b/y?key=a") << QByteArray() << false;
    QTest::newRow("get vs post") << QByteArray("GET") << a << QByteArray() << QByteArray("POST") << a
                                 << QByteArray() << false;
    QTest::newRow("identical post") << QByteArray("POST") << a << QByteArray("x=1&y=2") << QByteArray("POST")
                                    << a << QByteArray("x=1&y=2") << true;
    QTest::newRow("post body differs")
        << QByteArray("POST") << a << QByteArray("x=1&client_address=10.0.0.1") << QByteArray("POST") << a
        << QByteArray("x=1&client_address=10.0.0.2") << false;
}

void TestLookupCache::keys()
{
    QFETCH(QByteArray, methodA);
    QFETCH(QString, urlA);
    QFETCH(QByteArray, bodyA);
    QFETCH(QByteArray, methodB);
    QFETCH(QString, urlB);
    QFETCH(QByteArray, bodyB);
    QFETCH(bool, same);
    const auto call = [](const QByteArray &method, const QString &url, const QByteArray &body) {
        return BackendCall{method == "POST" ? BackendCall::Method::Post : BackendCall::Method::Get, QUrl(url),
                           body,
                           method == "POST" ? QByteArray("application/x-www-form-urlencoded") : QByteArray()};
    };
    QCOMPARE(LookupCache::keyFor(call(methodA, urlA, bodyA))
                 == LookupCache::keyFor(call(methodB, urlB, bodyB)),
             same);
}

void TestLookupCache::decision_data()
{
    QTest::addColumn<ResultClass>("resultClass");
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::addColumn<bool>("honor");
    QTest::addColumn<bool>("store");
    QTest::addColumn<bool>("forget");
    QTest::addColumn<qint64>("ttl");

    const auto found = ResultClass::Found;
    const auto missing = ResultClass::NotFound;
    QTest::newRow("found, default ttl") << found << QByteArray() << true << true << false << qint64(60000);
    QTest::newRow("not found, default ttl")
        << missing << QByteArray() << true << true << false << qint64(10000);
    QTest::newRow("policy action, default ttl")
        << ResultClass::PolicyAction << QByteArray() << true << true << false << qint64(60000);
    QTest::newRow("found, max-age") << found << QByteArray("max-age=5") << true << true << false
                                    << qint64(5000);
    QTest::newRow("not found, max-age")
        << missing << QByteArray("max-age=30") << true << true << false << qint64(30000);
    QTest::newRow("max-age capped by max-ttl")
        << found << QByteArray("max-age=86400") << true << true << false << qint64(3600000);
    QTest::newRow("max-age=0") << found << QByteArray("max-age=0") << true << false << false << qint64(0);
    QTest::newRow("no-store") << found << QByteArray("no-store") << true << false << true << qint64(0);
    QTest::newRow("no-cache") << missing << QByteArray("no-cache") << true << false << true << qint64(0);
    QTest::newRow("private") << found << QByteArray("private, max-age=60") << true << false << true
                             << qint64(0);
    QTest::newRow("ignored: no-store")
        << found << QByteArray("no-store") << false << true << false << qint64(60000);
    QTest::newRow("ignored: max-age")
        << found << QByteArray("max-age=5") << false << true << false << qint64(60000);
    QTest::newRow("temp error") << ResultClass::TempError << QByteArray("max-age=60") << true << false
                                << false << qint64(0);
    QTest::newRow("perm error") << ResultClass::PermError << QByteArray("max-age=60") << true << false
                                << false << qint64(0);
}

void TestLookupCache::decision()
{
    QFETCH(ResultClass, resultClass);
    QFETCH(QByteArray, cacheControl);
    QFETCH(bool, honor);
    QFETCH(bool, store);
    QFETCH(bool, forget);
    QFETCH(qint64, ttl);
    CacheConfig config = enabledCache();
    config.honorCacheControl = honor;
    LookupCache cache(config, m_clock);
    const LookupCache::Decision decision = cache.decide(response(200, "[\"x\"]", cacheControl), resultClass);
    QCOMPARE(decision.store, store);
    QCOMPARE(decision.forget, forget);
    if (store)
        QCOMPARE(decision.ttlMs, ttl);
}

void TestLookupCache::hitKeepsItsClass_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ResultClass>("resultClass");
    QTest::newRow("found") << 200 << QByteArray("[\"v\"]") << ResultClass::Found;
    QTest::newRow("not found, 404") << 404 << QByteArray() << ResultClass::NotFound;
    // A not-found status of the endpoint's own (not-found-statuses) or an empty array: the body alone does
    // not say, only the class the endpoint gave it.
    QTest::newRow("not found, 410") << 410 << QByteArray() << ResultClass::NotFound;
    QTest::newRow("not found, []") << 200 << QByteArray("[]") << ResultClass::NotFound;
    QTest::newRow("policy action") << 200 << QByteArray("DUNNO") << ResultClass::PolicyAction;
}

void TestLookupCache::hitKeepsItsClass()
{
    // A hit is answered with the class the answer was stored with, without reading the body again.
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(ResultClass, resultClass);
    LookupCache cache(enabledCache(), m_clock);
    QVERIFY(cache.offer("key", response(status, body, {}), resultClass));
    ResultClass hitClass = ResultClass::Malformed;
    const BackendResult *hit = cache.fresh("key", &hitClass);
    QVERIFY(hit);
    QCOMPARE(hit->status, status);
    QCOMPARE(hitClass, resultClass);
}

void TestLookupCache::zeroTtl_data()
{
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::addColumn<bool>("honor");
    QTest::addColumn<bool>("store");
    QTest::newRow("no header: not cached") << QByteArray() << true << false;
    QTest::newRow("max-age: cached") << QByteArray("max-age=30") << true << true;
    QTest::newRow("max-age ignored: not cached") << QByteArray("max-age=30") << false << false;
}

void TestLookupCache::zeroTtl()
{
    QFETCH(QByteArray, cacheControl);
    QFETCH(bool, honor);
    QFETCH(bool, store);
    CacheConfig config = enabledCache();
    config.positiveTtlMs = 0;
    config.negativeTtlMs = 0;
    config.honorCacheControl = honor;
    LookupCache cache(config, m_clock);
    QCOMPARE(cache.offer("found", response(200, "[\"v\"]", cacheControl), ResultClass::Found), store);
    QCOMPARE(cache.offer("missing", response(404, {}, cacheControl), ResultClass::NotFound), store);
    QCOMPARE(cache.entryCount(), store ? 2 : 0);
    if (store) {
        m_clock->advance(29999);
        QVERIFY(cache.fresh("found"));
        QVERIFY(cache.fresh("missing"));
    }
}

void TestLookupCache::ttlExpiry_data()
{
    QTest::addColumn<ResultClass>("resultClass");
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::addColumn<qint64>("ttl");
    QTest::newRow("positive default") << ResultClass::Found << QByteArray() << qint64(60000);
    QTest::newRow("negative default") << ResultClass::NotFound << QByteArray() << qint64(10000);
    QTest::newRow("max-age") << ResultClass::Found << QByteArray("max-age=3") << qint64(3000);
}

void TestLookupCache::ttlExpiry()
{
    QFETCH(ResultClass, resultClass);
    QFETCH(QByteArray, cacheControl);
    QFETCH(qint64, ttl);
    LookupCache cache(enabledCache(), m_clock);
    QVERIFY(cache.offer("k", response(200, "[\"v\"]", cacheControl), resultClass));
    m_clock->advance(ttl - 1);
    QVERIFY(cache.fresh("k"));
    QCOMPARE(cache.fresh("k")->body, QByteArray("[\"v\"]"));
    m_clock->advance(1);
    QVERIFY(!cache.fresh("k"));
    QCOMPARE(cache.entryCount(), 0); // no stale window: gone on the first look after expiry
}

void TestLookupCache::staleWindow()
{
    CacheConfig config = enabledCache();
    config.staleIfErrorMs = 5000;
    LookupCache cache(config, m_clock);
    QVERIFY(cache.offer("k", response(200, "[\"v\"]"), ResultClass::Found));
    m_clock->advance(60000);
    QVERIFY(!cache.fresh("k"));
    QVERIFY(cache.stale("k"));
    QCOMPARE(cache.entryCount(), 1);
    m_clock->advance(4999);
    QVERIFY(cache.stale("k"));
    m_clock->advance(1);
    QVERIFY(!cache.stale("k"));
    QCOMPARE(cache.entryCount(), 0);
}

void TestLookupCache::lruEvictionByEntries()
{
    CacheConfig config = enabledCache();
    config.maxEntries = 3;
    EndpointMetrics metrics;
    LookupCache cache(config, m_clock, &metrics);
    for (const char *key : {"a", "b", "c"})
        QVERIFY(cache.offer(key, response(200, "[\"v\"]"), ResultClass::Found));
    QVERIFY(cache.fresh("a")); // a is now the most recently used; b the least
    QVERIFY(cache.offer("d", response(200, "[\"v\"]"), ResultClass::Found));
    QCOMPARE(cache.entryCount(), 3);
    QVERIFY(cache.fresh("a"));
    QVERIFY(!cache.fresh("b"));
    QVERIFY(cache.fresh("c"));
    QVERIFY(cache.fresh("d"));
    QCOMPARE(metrics.cacheEvictions, quint64(1));
}

void TestLookupCache::lruEvictionByBytes()
{
    const QByteArray body(1000, 'x');
    const qint64 entryBytes = LookupCache::EntryOverhead + 1 + body.size();
    CacheConfig config = enabledCache();
    config.maxBytes = 3 * entryBytes;
    EndpointMetrics metrics;
    LookupCache cache(config, m_clock, &metrics);
    for (const char *key : {"a", "b", "c"})
        QVERIFY(cache.offer(key, response(200, body), ResultClass::Found));
    QCOMPARE(cache.byteCount(), 3 * entryBytes);
    QVERIFY(cache.fresh("a"));
    QVERIFY(cache.offer("d", response(200, body), ResultClass::Found));
    QCOMPARE(cache.entryCount(), 3);
    QCOMPARE(cache.byteCount(), 3 * entryBytes);
    QVERIFY(!cache.fresh("b"));
    QVERIFY(cache.fresh("a"));
    // A bigger answer pushes out as many of the oldest entries as it needs.
    QVERIFY(cache.offer("e", response(200, QByteArray(2 * body.size(), 'y')), ResultClass::Found));
    QCOMPARE(cache.entryCount(), 2);
    QVERIFY(cache.fresh("e"));
    QVERIFY(cache.fresh("a"));
    QCOMPARE(metrics.cacheEvictions, quint64(3));
    QVERIFY(cache.byteCount() <= config.maxBytes);
}

void TestLookupCache::oversizedEntryNotStored()
{
    CacheConfig config = enabledCache();
    config.maxBytes = 4096;
    LookupCache cache(config, m_clock);
    QVERIFY(cache.offer("small", response(200, "[\"v\"]"), ResultClass::Found));
    QVERIFY(!cache.offer("big", response(200, QByteArray(5000, 'x')), ResultClass::Found));
    QCOMPARE(cache.entryCount(), 1);
    QVERIFY(cache.fresh("small"));
}

void TestLookupCache::noStoreDropsOlderEntry()
{
    CacheConfig config = enabledCache();
    config.staleIfErrorMs = 60000;
    LookupCache cache(config, m_clock);
    QVERIFY(cache.offer("k", response(200, "[\"v\"]"), ResultClass::Found));
    m_clock->advance(60000);
    QVERIFY(!cache.offer("k", response(200, "[\"w\"]", "no-store"), ResultClass::Found));
    QVERIFY(!cache.stale("k"));
    QCOMPARE(cache.entryCount(), 0);
}

void TestLookupCache::errorKeepsOlderEntry()
{
    CacheConfig config = enabledCache();
    config.staleIfErrorMs = 60000;
    LookupCache cache(config, m_clock);
    QVERIFY(cache.offer("k", response(200, "[\"v\"]"), ResultClass::Found));
    m_clock->advance(60000);
    QVERIFY(!cache.offer("k", response(503, {}), ResultClass::TempError));
    QVERIFY(cache.stale("k"));
    QCOMPARE(cache.stale("k")->body, QByteArray("[\"v\"]"));
}

void TestLookupCache::purgeExpired()
{
    CacheConfig config = enabledCache();
    config.staleIfErrorMs = 1000;
    LookupCache cache(config, m_clock);
    QVERIFY(cache.offer("old", response(404, {}), ResultClass::NotFound));     // 10 s
    QVERIFY(cache.offer("new", response(200, "[\"v\"]"), ResultClass::Found)); // 60 s
    m_clock->advance(11000);
    cache.purgeExpired();
    QCOMPARE(cache.entryCount(), 1);
    QVERIFY(cache.fresh("new"));
}

// --- through an endpoint ---------------------------------------------------------------------------

void TestLookupCache::offByDefault()
{
    QFETCH(EndpointMode, mode);
    m_backend->respond(found(mode, "v", "max-age=600"));
    start(mode, [](EndpointConfig &config) { config.cache = CacheConfig(); });
    QCOMPARE(ask(mode, "k"), foundReply(mode, "v"));
    QCOMPARE(ask(mode, "k"), foundReply(mode, "v"));
    QCOMPARE(m_backend->requests().size(), 2);
    QVERIFY(!m_server->cache());
}

void TestLookupCache::hitsUntilTtlExpires_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<qint64>("ttl"); // 0: not cached at all

    const auto tcp = EndpointMode::TcpLookup;
    const auto sm = EndpointMode::SocketmapLookup;
    QTest::newRow("tcp found, default ttl")
        << tcp << 200 << QByteArray("[\"v\"]") << QByteArray() << QByteArray("200 v") << qint64(60000);
    QTest::newRow("tcp found, max-age") << tcp << 200 << QByteArray("[\"v\"]") << QByteArray("max-age=2")
                                        << QByteArray("200 v") << qint64(2000);
    QTest::newRow("tcp [] negative") << tcp << 200 << QByteArray("[]") << QByteArray() << QByteArray("500 *")
                                     << qint64(10000);
    QTest::newRow("tcp 404 negative")
        << tcp << 404 << QByteArray() << QByteArray() << QByteArray("500 *") << qint64(10000);
    QTest::newRow("tcp 404 max-age") << tcp << 404 << QByteArray() << QByteArray("max-age=120")
                                     << QByteArray("500 *") << qint64(120000);
    QTest::newRow("tcp no-store") << tcp << 200 << QByteArray("[\"v\"]") << QByteArray("no-store")
                                  << QByteArray("200 v") << qint64(0);
    QTest::newRow("tcp private") << tcp << 200 << QByteArray("[\"v\"]") << QByteArray("private")
                                 << QByteArray("200 v") << qint64(0);
    QTest::newRow("socketmap found") << sm << 200 << QByteArray("[\"relay:[mx]\"]") << QByteArray()
                                     << QByteArray("OK relay:[mx]") << qint64(60000);
    QTest::newRow("socketmap 404") << sm << 404 << QByteArray() << QByteArray() << QByteArray("NOTFOUND ")
                                   << qint64(10000);
    QTest::newRow("socketmap no-cache")
        << sm << 404 << QByteArray() << QByteArray("no-cache") << QByteArray("NOTFOUND ") << qint64(0);
    QTest::newRow("policy action") << EndpointMode::Policy << 200 << QByteArray("DUNNO") << QByteArray()
                                   << QByteArray("action=DUNNO") << qint64(60000);
}

void TestLookupCache::hitsUntilTtlExpires()
{
    QFETCH(EndpointMode, mode);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, cacheControl);
    QFETCH(QByteArray, expected);
    QFETCH(qint64, ttl);

    FakeBackend::Response answer;
    answer.status = status;
    answer.body = body;
    if (!cacheControl.isEmpty())
        answer.headers.append({"Cache-Control", cacheControl});
    m_backend->respond(answer);
    start(mode);

    const auto check = [&](const QByteArray &reply) {
        if (expected.endsWith('*'))
            return reply.startsWith(expected.chopped(1));
        return reply == expected;
    };
    QVERIFY(check(ask(mode, "k")));
    QVERIFY(check(ask(mode, "k")));
    if (ttl == 0) {
        QCOMPARE(m_backend->requests().size(), 2);
        QCOMPARE(m_server->metrics().cacheHits, quint64(0));
        return;
    }
    QCOMPARE(m_backend->requests().size(), 1);
    QCOMPARE(m_server->metrics().cacheHits, quint64(1));
    QCOMPARE(m_server->metrics().cacheMisses, quint64(1));

    m_clock->advance(ttl - 1);
    QVERIFY(check(ask(mode, "k")));
    QCOMPARE(m_backend->requests().size(), 1);
    m_clock->advance(1);
    QVERIFY(check(ask(mode, "k")));
    QCOMPARE(m_backend->requests().size(), 2);
    // Another key is another backend call.
    QVERIFY(check(ask(mode, "other")));
    QCOMPARE(m_backend->requests().size(), 3);
}

void TestLookupCache::errorsAreNotCached_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    const auto tcp = EndpointMode::TcpLookup;
    QTest::newRow("tcp 503") << tcp << 503 << QByteArray("[\"v\"]");
    QTest::newRow("tcp 401") << tcp << 401 << QByteArray();
    QTest::newRow("tcp bad json") << tcp << 200 << QByteArray("{");
    QTest::newRow("socketmap 403") << EndpointMode::SocketmapLookup << 403 << QByteArray();
    QTest::newRow("policy empty action") << EndpointMode::Policy << 200 << QByteArray();
    QTest::newRow("policy 500") << EndpointMode::Policy << 500 << QByteArray("DUNNO");
}

void TestLookupCache::errorsAreNotCached()
{
    QFETCH(EndpointMode, mode);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    FakeBackend::Response answer;
    answer.status = status;
    answer.body = body;
    answer.headers.append(
        {QByteArray("Cache-Control"), QByteArray("max-age=600")}); // even when the backend says so
    m_backend->respond(answer);
    start(mode);
    const QByteArray first = ask(mode, "k");
    const QByteArray second = ask(mode, "k");
    QVERIFY(!first.isEmpty());
    QVERIFY(!second.isEmpty());
    QVERIFY2(!first.startsWith("200 ") && !first.startsWith("OK "), first.constData());
    QCOMPARE(m_backend->requests().size(), 2);
    QCOMPARE(m_server->cache()->entryCount(), 0);
    QCOMPARE(m_server->metrics().cacheHits, quint64(0));
}

void TestLookupCache::staleIfError_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QString>("failure");
    for (const auto mode : {EndpointMode::TcpLookup, EndpointMode::SocketmapLookup, EndpointMode::Policy}) {
        for (const char *failure : {"503", "timeout", "connection closed", "backend down"}) {
            QTest::addRow("%s, %s", qPrintable(modeName(mode)), failure)
                << mode << QString::fromLatin1(failure);
        }
        // The backend answered, and said no: that is its answer, not a failure to cover up.
        for (const char *refusal : {"401", "403"}) {
            QTest::addRow("%s, %s is not covered", qPrintable(modeName(mode)), refusal)
                << mode << QString::fromLatin1(refusal);
        }
    }
}

void TestLookupCache::staleIfError()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QString, failure);

    m_backend->respond(found(mode, "v"));
    start(mode, [](EndpointConfig &config) {
        config.cache.staleIfErrorMs = 30000;
        config.requestTimeoutMs = 300;
    });
    QCOMPARE(ask(mode, "k"), foundReply(mode, "v"));
    m_clock->advance(60000 + 1000); // expired, inside the stale window

    FakeBackend::Response broken;
    if (failure == QLatin1String("503")) {
        broken.status = 503;
    } else if (failure == QLatin1String("timeout")) {
        broken.fault = Fault::NeverAnswer;
    } else if (failure == QLatin1String("connection closed")) {
        broken.fault = Fault::CloseWithoutResponse;
    }
    if (failure == QLatin1String("401") || failure == QLatin1String("403")) {
        broken.status = failure.toInt();
        m_backend->respond(broken);
        const QByteArray reply = ask(mode, "k");
        const QByteArray refused = mode == EndpointMode::TcpLookup         ? QByteArray("400 ")
                                   : mode == EndpointMode::SocketmapLookup ? QByteArray("PERM ")
                                                                           : QByteArray("action=451 4.3.5 ");
        QVERIFY2(reply.startsWith(refused), reply.constData());
        QVERIFY2(reply.contains(failure.toLatin1()), reply.constData());
        QCOMPARE(m_server->metrics().cacheStale, quint64(0));
        QCOMPARE(m_backend->requests().size(), 2);
        return;
    }
    m_backend->respond(broken);
    if (failure == QLatin1String("backend down"))
        m_backend->close();

    QCOMPARE(ask(mode, "k"), foundReply(mode, "v"));
    QCOMPARE(m_server->metrics().cacheStale, quint64(1));
    // A key never answered has nothing to fall back on.
    // socketmap has a reply of its own for a timeout.
    const QByteArray unknown = ask(mode, "unknown");
    QVERIFY2(unknown.startsWith(mode == EndpointMode::SocketmapLookup && failure == QLatin1String("timeout")
                                    ? QByteArray("TIMEOUT ")
                                    : temporaryPrefix(mode)),
             unknown.constData());
    QCOMPARE(m_server->metrics().cacheStale, quint64(1));
    QVERIFY(m_server->metrics()
                .backendErrors[size_t(failure == QLatin1String("503")       ? BackendErrorKind::Status5xx
                                      : failure == QLatin1String("timeout") ? BackendErrorKind::Timeout
                                                                            : BackendErrorKind::Network)]
            >= 2);
}

void TestLookupCache::staleLimitPassed()
{
    const auto mode = EndpointMode::TcpLookup;
    m_backend->respond(found(mode, "v"));
    start(mode, [](EndpointConfig &config) { config.cache.staleIfErrorMs = 30000; });
    QCOMPARE(ask(mode, "k"), QByteArray("200 v"));
    m_clock->advance(60000 + 30000); // past TTL and stale window
    FakeBackend::Response broken;
    broken.status = 503;
    m_backend->respond(broken);
    QVERIFY(ask(mode, "k").startsWith("400 "));
    QCOMPARE(m_server->metrics().cacheStale, quint64(0));

    // Without stale-if-error, an expired answer is never used.
    m_backend->respond(found(mode, "v"));
    start(mode);
    QCOMPARE(ask(mode, "k"), QByteArray("200 v"));
    m_clock->advance(60000);
    m_backend->respond(broken);
    QVERIFY(ask(mode, "k").startsWith("400 "));
}

void TestLookupCache::coalescing()
{
    QFETCH(EndpointMode, mode);
    constexpr int Clients = 8;
    // Long enough for every request to be taken while the one call still runs, even on a busy machine.
    FakeBackend::Response slow = found(mode, "v");
    slow.delayMs = 1500;
    m_backend->respond(slow);
    start(mode, [](EndpointConfig &config) { config.requestTimeoutMs = 10000; });

    // Several connections, and several pipelined requests on one of them, all for the same key.
    std::vector<std::unique_ptr<PostfixTestClient>> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(std::make_unique<PostfixTestClient>(framingFor(mode)));
        clients.back()->connectTo(m_server->serverPort());
        clients.back()->write(requestFor(mode, "same@example.com"));
    }
    clients.front()->write(requestFor(mode, "same@example.com") + requestFor(mode, "same@example.com"));

    QTRY_COMPARE(m_server->metrics().cacheCoalesced, quint64(Clients + 1));
    for (int i = 0; i < Clients; ++i)
        QTRY_COMPARE(clients.at(size_t(i))->replies().size(), i == 0 ? 3 : 1);
    for (const auto &client : clients) {
        for (const QByteArray &reply : client->replies())
            QCOMPARE(reply, foundReply(mode, "v"));
    }
    QCOMPARE(m_backend->requests().size(), 1);
    QCOMPARE(m_server->metrics().cacheMisses, quint64(1));
    QCOMPARE(m_server->metrics().cacheCoalesced, quint64(Clients + 1));
    QCOMPARE(m_server->metrics().backendCalls, quint64(1));
    QCOMPARE(m_server->metrics().requests[size_t(mode == EndpointMode::Policy ? ResultClass::PolicyAction
                                                                              : ResultClass::Found)],
             quint64(Clients + 2));
}

void TestLookupCache::coalescedErrorsKeepTheirOwnRequestIds()
{
    const auto mode = EndpointMode::TcpLookup;
    FakeBackend::Response failing;
    failing.status = 503;
    failing.delayMs = 300;
    m_backend->respond(failing);
    start(mode);

    constexpr int Requests = 5;
    PostfixTestClient client(Framing::Line);
    client.connectTo(m_server->serverPort());
    QByteArray pipelined;
    for (int i = 0; i < Requests; ++i)
        pipelined += requestFor(mode, "k");
    client.write(pipelined);
    QTRY_COMPARE(client.replies().size(), Requests);
    QCOMPARE(m_backend->requests().size(), 1);

    // "400 <request id> - reason": every request keeps its own id; the backend saw the first one's.
    QSet<QByteArray> ids;
    for (const QByteArray &reply : client.replies()) {
        QVERIFY2(reply.startsWith("400 "), reply.constData());
        ids.insert(reply.mid(4).split(' ').value(0));
    }
    QCOMPARE(ids.size(), Requests);
    QVERIFY(ids.contains(m_backend->requests().constFirst().header("x-request-id")));
}

void TestLookupCache::pipelinedMixAnsweredInOrder()
{
    const auto mode = EndpointMode::TcpLookup;
    m_backend->setHandler([](const FakeBackend::Request &request) {
        FakeBackend::Response response;
        const QString key = request.query.queryItemValue(QStringLiteral("key"));
        response.body = "[\"" + key.toUtf8() + "-value\"]";
        response.delayMs = key == QLatin1String("slow") ? 300 : 0; // the first answer arrives last
        return response;
    });
    start(mode);
    QCOMPARE(ask(mode, "cached"), QByteArray("200 cached-value"));

    PostfixTestClient client(Framing::Line);
    client.connectTo(m_server->serverPort());
    const QList<QByteArray> keys{"slow", "fast", "cached", "slow", "fast", "cached", "slow"};
    QByteArray pipelined;
    for (const QByteArray &key : keys)
        pipelined += requestFor(mode, key);
    client.write(pipelined);
    QTRY_COMPARE(client.replies().size(), keys.size());
    for (qsizetype i = 0; i < keys.size(); ++i)
        QCOMPARE(client.replies().at(i), "200 " + keys.at(i) + "-value");
    // cached once before, then one call each for slow and fast.
    QCOMPARE(m_backend->requests().size(), 3);
}

void TestLookupCache::waiterGoingAwayDoesNotBreakOthers()
{
    const auto mode = EndpointMode::SocketmapLookup;
    FakeBackend::Response slow = found(mode, "v");
    slow.delayMs = 2000;
    m_backend->respond(slow);
    start(mode, [](EndpointConfig &config) { config.requestTimeoutMs = 10000; });

    PostfixTestClient leaving(Framing::Netstring);
    PostfixTestClient staying(Framing::Netstring);
    leaving.connectTo(m_server->serverPort());
    staying.connectTo(m_server->serverPort());
    leaving.write(requestFor(mode, "k")); // the first one starts the backend call
    QTRY_COMPARE(m_backend->requests().size(), 1);
    staying.write(requestFor(mode, "k"));
    QTRY_COMPARE(m_server->metrics().cacheCoalesced, quint64(1));
    leaving.close();
    QTRY_COMPARE(m_server->sessionCount(), 1);

    QTRY_COMPARE(staying.replies().size(), 1);
    QCOMPARE(staying.replies().constFirst(), QByteArray("OK v"));
    QCOMPARE(m_backend->requests().size(), 1);
    // The answer was kept although the session that asked for it is gone.
    QCOMPARE(ask(mode, "k"), QByteArray("OK v"));
    QCOMPARE(m_backend->requests().size(), 1);
}

void TestLookupCache::policyCachedOnlyWhenEnabled_data()
{
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<int>("backendCalls");
    QTest::newRow("default (no cache object)") << false << 2;
    QTest::newRow("cache.enabled true") << true << 1;
}

void TestLookupCache::policyCachedOnlyWhenEnabled()
{
    QFETCH(bool, enabled);
    QFETCH(int, backendCalls);
    const auto mode = EndpointMode::Policy;
    m_backend->respond(found(mode, "REJECT no", "max-age=600"));
    start(mode, [enabled](EndpointConfig &config) { config.cache.enabled = enabled; });
    QCOMPARE(ask(mode, "k"), QByteArray("action=REJECT no"));
    QCOMPARE(ask(mode, "k"), QByteArray("action=REJECT no"));
    QCOMPARE(m_backend->requests().size(), backendCalls);
    // The whole request is the key: another client address is another entry.
    PostfixTestClient client(Framing::Policy);
    client.connectTo(m_server->serverPort());
    client.write(PolicyCodec::request({{"request", "smtpd_access_policy"},
                                       {"protocol_state", "RCPT"},
                                       {"recipient", "k"},
                                       {"client_address", "192.0.2.1"}}));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(m_backend->requests().size(), backendCalls + 1);
}

void TestLookupCache::survivesOnlyUnchangedReload()
{
    const auto mode = EndpointMode::TcpLookup;
    m_backend->respond(found(mode, "v"));
    start(mode);
    QCOMPARE(ask(mode, "k"), QByteArray("200 v"));
    const LookupCache *before = m_server->cache();
    QCOMPARE(before->entryCount(), 1);

    // A changed endpoint gets a new, empty cache (its answers may have come from another backend).
    EndpointConfig changed = m_server->config();
    changed.cache.positiveTtlMs = 120000;
    m_server->reconfigure(changed, m_server->userAgent());
    QCOMPARE(m_server->cache()->entryCount(), 0);
    QCOMPARE(ask(mode, "k"), QByteArray("200 v"));
    QCOMPARE(m_backend->requests().size(), 2);
    // Counters belong to the endpoint and carry on.
    QCOMPARE(m_server->metrics().cacheMisses, quint64(2));
}

void TestLookupCache::unchangedEndpointKeepsCacheOnServiceReload()
{
    const auto mode = EndpointMode::TcpLookup;
    m_backend->respond(found(mode, "v"));
    const auto endpoint = [this](const QString &name, quint16 port) {
        EndpointConfig config =
            localEndpoint(name, EndpointMode::TcpLookup, m_backend->url(QStringLiteral("/lookup")), port);
        config.authToken = Token;
        config.cache = enabledCache();
        return config;
    };
    ServiceConfig config;
    config.endpoints = {endpoint(QStringLiteral("kept"), reservedPort()),
                        endpoint(QStringLiteral("changed"), reservedPort())};
    ServiceApplication service;
    QString error;
    QVERIFY2(service.start(config, &error), qPrintable(error));
    for (EndpointServer *server : service.endpoints()) {
        PostfixTestClient client(Framing::Line);
        client.connectTo(server->serverPort());
        client.write(requestFor(mode, "k"));
        QTRY_COMPARE(client.replies().size(), 1);
        QCOMPARE(server->cache()->entryCount(), 1);
    }

    ServiceConfig next = config;
    next.endpoints[1].cache.negativeTtlMs = 1234;
    QVERIFY2(service.reload(next, &error), qPrintable(error));
    QCOMPARE(service.endpoint(QStringLiteral("kept"))->cache()->entryCount(), 1);
    QCOMPARE(service.endpoint(QStringLiteral("changed"))->cache()->entryCount(), 0);
}

QTEST_MAIN(TestLookupCache)
#include "tst_lookupcache.moc"
