// SPDX-License-Identifier: GPL-3.0-or-later
// The optional "cache" object of an endpoint and the top-level "admin" object: defaults, parsed values,
// and every error and warning with its JSON path.
#include "config/configloader.h"
#include "configerrortext.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace prc;
using prc::test::render;

namespace {

const QString FileName = QStringLiteral("/etc/postfix-rest-connector/test.json");

QJsonObject endpoint(const QString &mode = QStringLiteral("tcp-lookup"), int port = 9001)
{
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("e-%1").arg(port)},
                       {QStringLiteral("mode"), mode},
                       {QStringLiteral("target"), QStringLiteral("http://127.0.0.1:9000/lookup")},
                       {QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")},
                       {QStringLiteral("bind-port"), port},
                       {QStringLiteral("auth-token"), QStringLiteral("t0ken")}};
}

/// One endpoint of the given mode with the given "cache" value (none when undefined) and a top-level "admin"
/// value (none when undefined).
QByteArray config(const QJsonValue &cache, const QJsonValue &admin = QJsonValue::Undefined,
                  const QString &mode = QStringLiteral("tcp-lookup"))
{
    QJsonObject e = endpoint(mode);
    if (!cache.isUndefined())
        e.insert(QStringLiteral("cache"), cache);
    QJsonObject root{{QStringLiteral("endpoints"), QJsonArray{e}}};
    if (!admin.isUndefined())
        root.insert(QStringLiteral("admin"), admin);
    return QJsonDocument(root).toJson();
}

} // namespace

class TestConfigLoaderCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cacheOffByDefault();
    void cacheValues();
    void cacheErrors_data();
    void cacheErrors();
    void cacheWarnings_data();
    void cacheWarnings();
    void cacheKeys();
    void cacheTakesPartInEquality();
    void sharedOffByDefault();
    void sharedValues_data();
    void sharedValues();
    void sharedPassword();
    void sharedErrors_data();
    void sharedErrors();
    void sharedLockWait_data();
    void sharedLockWait();
    void sharedWarnings();
    void sharedTakesPartInEquality();
    void adminAbsentByDefault();
    void adminValues_data();
    void adminValues();
    void adminErrors_data();
    void adminErrors();
    void adminWarnings_data();
    void adminWarnings();
};

void TestConfigLoaderCache::cacheOffByDefault()
{
    const ConfigLoadResult result = ConfigLoader::parse(config(QJsonValue::Undefined), FileName);
    QVERIFY(result.ok());
    QVERIFY(result.warnings.isEmpty());
    const CacheConfig &cache = result.config->endpoints.constFirst().cache;
    QVERIFY(!cache.enabled);
    QCOMPARE(cache.maxEntries, CacheConfig::DefaultMaxEntries);
    QCOMPARE(cache.maxBytes, CacheConfig::DefaultMaxBytes);
    QCOMPARE(cache.positiveTtlMs, 60000);
    QCOMPARE(cache.negativeTtlMs, 10000);
    QCOMPARE(cache.maxTtlMs, 3600000);
    QCOMPARE(cache.staleIfErrorMs, 0);
    QVERIFY(cache.honorCacheControl);

    // {"enabled": true} alone takes every default.
    const ConfigLoadResult on =
        ConfigLoader::parse(config(QJsonObject{{QStringLiteral("enabled"), true}}), FileName);
    QVERIFY(on.ok());
    QVERIFY(on.warnings.isEmpty());
    CacheConfig expected;
    expected.enabled = true;
    QVERIFY(on.config->endpoints.constFirst().cache == expected);
}

void TestConfigLoaderCache::cacheValues()
{
    const QJsonObject cache{
        {QStringLiteral("enabled"), true},          {QStringLiteral("max-entries"), 500},
        {QStringLiteral("max-bytes"), 1048576},     {QStringLiteral("positive-ttl"), 30000},
        {QStringLiteral("negative-ttl"), 0},        {QStringLiteral("max-ttl"), 120000},
        {QStringLiteral("stale-if-error"), 600000}, {QStringLiteral("honor-cache-control"), false}};
    const ConfigLoadResult result = ConfigLoader::parse(config(cache), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QVERIFY(result.warnings.isEmpty());
    const CacheConfig &parsed = result.config->endpoints.constFirst().cache;
    QVERIFY(parsed.enabled);
    QCOMPARE(parsed.maxEntries, 500);
    QCOMPARE(parsed.maxBytes, qint64(1048576));
    QCOMPARE(parsed.positiveTtlMs, 30000);
    QCOMPARE(parsed.negativeTtlMs, 0);
    QCOMPARE(parsed.maxTtlMs, 120000);
    QCOMPARE(parsed.staleIfErrorMs, 600000);
    QVERIFY(!parsed.honorCacheControl);
}

void TestConfigLoaderCache::cacheErrors_data()
{
    QTest::addColumn<QJsonValue>("cache");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    const QString p = QStringLiteral("endpoints[0].cache");
    const auto with = [](const char *key, const QJsonValue &value) {
        return QJsonValue(QJsonObject{{QStringLiteral("enabled"), true}, {QString::fromLatin1(key), value}});
    };
    QTest::newRow("not an object") << QJsonValue(true) << p
                                   << QStringLiteral("must be an object, found a boolean");
    QTest::newRow("array") << QJsonValue(QJsonArray{}) << p
                           << QStringLiteral("must be an object, found an array");
    QTest::newRow("enabled string") << QJsonValue(
        QJsonObject{{QStringLiteral("enabled"), QStringLiteral("yes")}})
                                    << p + QStringLiteral(".enabled")
                                    << QStringLiteral("must be true or false, found a string");
    QTest::newRow("max-entries 0") << with("max-entries", 0) << p + QStringLiteral(".max-entries")
                                   << QStringLiteral("0 is out of range (1..10000000)");
    QTest::newRow("max-entries fraction") << with("max-entries", 1.5) << p + QStringLiteral(".max-entries")
                                          << QStringLiteral("must be an integer, found 1.5");
    QTest::newRow("max-bytes tiny") << with("max-bytes", 100) << p + QStringLiteral(".max-bytes")
                                    << QStringLiteral("100 is out of range (4096..68719476736)");
    QTest::newRow("positive-ttl negative") << with("positive-ttl", -1) << p + QStringLiteral(".positive-ttl")
                                           << QStringLiteral("-1 is out of range (0..86400000)");
    QTest::newRow("negative-ttl string")
        << with("negative-ttl", QStringLiteral("10s")) << p + QStringLiteral(".negative-ttl")
        << QStringLiteral("must be an integer, found a string");
    QTest::newRow("max-ttl too small") << with("max-ttl", 999) << p + QStringLiteral(".max-ttl")
                                       << QStringLiteral("999 is out of range (1000..604800000)");
    QTest::newRow("stale-if-error too big")
        << with("stale-if-error", 604800001.0) << p + QStringLiteral(".stale-if-error")
        << QStringLiteral("604800001 is out of range (0..604800000)");
    QTest::newRow("honor-cache-control number")
        << with("honor-cache-control", 1) << p + QStringLiteral(".honor-cache-control")
        << QStringLiteral("must be true or false, found a number");
}

void TestConfigLoaderCache::cacheErrors()
{
    QFETCH(QJsonValue, cache);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const ConfigLoadResult result = ConfigLoader::parse(config(cache), FileName);
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.constFirst().file, FileName);
    QCOMPARE(result.errors.constFirst().path, path);
    QCOMPARE(result.errors.constFirst().message, message);
}

void TestConfigLoaderCache::cacheWarnings_data()
{
    QTest::addColumn<QJsonValue>("cache");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QStringList>("warnings");

    const QString tcp = QStringLiteral("tcp-lookup");
    QTest::newRow("none") << QJsonValue(QJsonObject{{QStringLiteral("enabled"), false}}) << tcp
                          << QStringList();
    QTest::newRow("unknown key")
        << QJsonValue(QJsonObject{{QStringLiteral("enabled"), true}, {QStringLiteral("ttl"), 5}}) << tcp
        << QStringList{QStringLiteral("endpoints[0].cache.ttl: unknown key, ignored (misspelt?)")};
    QTest::newRow("settings without enabled")
        << QJsonValue(QJsonObject{{QStringLiteral("positive-ttl"), 5000}}) << tcp
        << QStringList{
               QStringLiteral("endpoints[0].cache.enabled: cache settings are given but the cache is off; "
                              "set \"enabled\": true to use them")};
    QTest::newRow("policy disabled") << QJsonValue(QJsonObject{{QStringLiteral("enabled"), false}})
                                     << QStringLiteral("policy") << QStringList();
    QTest::newRow("policy enabled")
        << QJsonValue(QJsonObject{{QStringLiteral("enabled"), true}}) << QStringLiteral("policy")
        << QStringList{
               QStringLiteral("endpoints[0].cache.enabled: caching a policy endpoint: an answer is keyed by "
                              "the whole request (client address, queue id, ...) and reused only for an "
                              "identical request")};
}

void TestConfigLoaderCache::cacheWarnings()
{
    QFETCH(QJsonValue, cache);
    QFETCH(QString, mode);
    QFETCH(QStringList, warnings);
    const ConfigLoadResult result = ConfigLoader::parse(config(cache, QJsonValue::Undefined, mode), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QCOMPARE(render(result.warnings), warnings);
}

void TestConfigLoaderCache::cacheKeys()
{
    QCOMPARE(ConfigLoader::endpointSectionKeys(),
             (QStringList{QStringLiteral("cache"), QStringLiteral("circuit-breaker")}));
    const QStringList expected{QStringLiteral("enabled"),        QStringLiteral("max-entries"),
                               QStringLiteral("max-bytes"),      QStringLiteral("positive-ttl"),
                               QStringLiteral("negative-ttl"),   QStringLiteral("max-ttl"),
                               QStringLiteral("stale-if-error"), QStringLiteral("honor-cache-control"),
                               QStringLiteral("key-attributes"), QStringLiteral("shared")};
    QCOMPARE(ConfigLoader::cacheKeys(), expected);
    const QStringList sharedExpected{QStringLiteral("url"),           QStringLiteral("prefix"),
                                     QStringLiteral("timeout"),       QStringLiteral("lock-wait"),
                                     QStringLiteral("password-file"), QStringLiteral("password-env")};
    QCOMPARE(ConfigLoader::sharedCacheKeys(), sharedExpected);
    // A "cache" key is not reported as unknown.
    const ConfigLoadResult result =
        ConfigLoader::parse(config(QJsonObject{{QStringLiteral("enabled"), true}}), FileName);
    QVERIFY(result.warnings.isEmpty());
}

void TestConfigLoaderCache::cacheTakesPartInEquality()
{
    // Reload keeps an endpoint (and its cache) only when the configs compare equal.
    const auto parsed = [](const QJsonValue &cache) {
        return ConfigLoader::parse(config(cache), FileName).config->endpoints.constFirst();
    };
    const EndpointConfig plain = parsed(QJsonValue::Undefined);
    QVERIFY(plain == parsed(QJsonObject{{QStringLiteral("enabled"), false}}));
    QVERIFY(plain != parsed(QJsonObject{{QStringLiteral("enabled"), true}}));
    const char *keys[] = {"max-entries",  "max-bytes", "positive-ttl",
                          "negative-ttl", "max-ttl",   "stale-if-error"};
    for (const char *key : keys) {
        const QJsonObject a{{QStringLiteral("enabled"), true}, {QString::fromLatin1(key), 5000}};
        const QJsonObject b{{QStringLiteral("enabled"), true}, {QString::fromLatin1(key), 6000}};
        QVERIFY2(parsed(a) != parsed(b), key);
        QVERIFY2(parsed(a) == parsed(a), key);
    }
    QVERIFY(
        parsed(QJsonObject{{QStringLiteral("enabled"), true}, {QStringLiteral("honor-cache-control"), false}})
        != parsed(QJsonObject{{QStringLiteral("enabled"), true}}));
}

void TestConfigLoaderCache::adminAbsentByDefault()
{
    const ConfigLoadResult result = ConfigLoader::parse(config(QJsonValue::Undefined), FileName);
    QVERIFY(result.ok());
    QVERIFY(!result.config->admin.has_value());
}

void TestConfigLoaderCache::adminValues_data()
{
    QTest::addColumn<QJsonObject>("admin");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("port");
    QTest::newRow("port only: loopback")
        << QJsonObject{{QStringLiteral("bind-port"), 9100}} << QStringLiteral("127.0.0.1") << 9100;
    QTest::newRow("ipv6 loopback") << QJsonObject{{QStringLiteral("bind-address"), QStringLiteral("::1")},
                                                  {QStringLiteral("bind-port"), 9100}}
                                   << QStringLiteral("::1") << 9100;
    QTest::newRow("localhost") << QJsonObject{{QStringLiteral("bind-address"), QStringLiteral("localhost")},
                                              {QStringLiteral("bind-port"), 65535}}
                               << QStringLiteral("localhost") << 65535;
    // Same port as the endpoint, other loopback address: no clash.
    QTest::newRow("same port, other address")
        << QJsonObject{{QStringLiteral("bind-address"), QStringLiteral("127.0.0.2")},
                       {QStringLiteral("bind-port"), 9001}}
        << QStringLiteral("127.0.0.2") << 9001;
}

void TestConfigLoaderCache::adminValues()
{
    QFETCH(QJsonObject, admin);
    QFETCH(QString, address);
    QFETCH(int, port);
    const ConfigLoadResult result = ConfigLoader::parse(config(QJsonValue::Undefined, admin), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QVERIFY(result.warnings.isEmpty());
    QVERIFY(result.config->admin.has_value());
    QCOMPARE(result.config->admin->bindAddress, address);
    QCOMPARE(int(result.config->admin->bindPort), port);
}

void TestConfigLoaderCache::adminErrors_data()
{
    QTest::addColumn<QJsonValue>("admin");
    QTest::addColumn<QStringList>("errors");

    QTest::newRow("not an object") << QJsonValue(9100)
                                   << QStringList{QStringLiteral("admin: must be an object, found a number")};
    QTest::newRow("no port") << QJsonValue(QJsonObject{})
                             << QStringList{QStringLiteral("admin.bind-port: missing (required)")};
    QTest::newRow("port 0") << QJsonValue(QJsonObject{{QStringLiteral("bind-port"), 0}})
                            << QStringList{QStringLiteral("admin.bind-port: 0 is out of range (1..65535)")};
    QTest::newRow("port string")
        << QJsonValue(QJsonObject{{QStringLiteral("bind-port"), QStringLiteral("9100")}})
        << QStringList{QStringLiteral("admin.bind-port: must be an integer, found a string")};
    QTest::newRow("bad address")
        << QJsonValue(QJsonObject{{QStringLiteral("bind-address"), QStringLiteral("127.1")},
                                  {QStringLiteral("bind-port"), 9100}})
        << QStringList{
               QStringLiteral("admin.bind-address: \"127.1\" is not an IP address (use e.g. 127.0.0.1, "
                              "0.0.0.0 or ::1)")};
    QTest::newRow("empty address") << QJsonValue(
        QJsonObject{{QStringLiteral("bind-address"), QString()}, {QStringLiteral("bind-port"), 9100}})
                                   << QStringList{QStringLiteral("admin.bind-address: must not be empty")};
    QTest::newRow("endpoint's port")
        << QJsonValue(QJsonObject{{QStringLiteral("bind-port"), 9001}})
        << QStringList{
               QStringLiteral("admin.bind-port: 127.0.0.1:9001 is already used by endpoints[0] (e-9001)")};
    QTest::newRow("endpoint's port via localhost")
        << QJsonValue(QJsonObject{{QStringLiteral("bind-address"), QStringLiteral("localhost")},
                                  {QStringLiteral("bind-port"), 9001}})
        << QStringList{
               QStringLiteral("admin.bind-port: localhost:9001 is already used by endpoints[0] (e-9001)")};
}

void TestConfigLoaderCache::adminErrors()
{
    QFETCH(QJsonValue, admin);
    QFETCH(QStringList, errors);
    const ConfigLoadResult result = ConfigLoader::parse(config(QJsonValue::Undefined, admin), FileName);
    QVERIFY(!result.ok());
    QCOMPARE(render(result.errors), errors);
    QCOMPARE(result.errors.constFirst().file, FileName);
}

void TestConfigLoaderCache::adminWarnings_data()
{
    QTest::addColumn<QJsonObject>("admin");
    QTest::addColumn<QStringList>("warnings");
    QTest::newRow("all interfaces")
        << QJsonObject{{QStringLiteral("bind-address"), QStringLiteral("0.0.0.0")},
                       {QStringLiteral("bind-port"), 9100}}
        << QStringList{
               QStringLiteral("admin.bind-address: \"0.0.0.0\" is not a loopback address; /metrics and "
                              "/healthz have no authentication")};
    QTest::newRow("unknown key") << QJsonObject{{QStringLiteral("bind-port"), 9100},
                                                {QStringLiteral("token"), QStringLiteral("x")}}
                                 << QStringList{
                                        QStringLiteral("admin.token: unknown key, ignored (misspelt?)")};
}

void TestConfigLoaderCache::adminWarnings()
{
    QFETCH(QJsonObject, admin);
    QFETCH(QStringList, warnings);
    const ConfigLoadResult result = ConfigLoader::parse(config(QJsonValue::Undefined, admin), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QCOMPARE(render(result.warnings), warnings);
}

namespace {

QJsonObject withShared(const QJsonValue &shared)
{
    return QJsonObject{{QStringLiteral("enabled"), true}, {QStringLiteral("shared"), shared}};
}

} // namespace

void TestConfigLoaderCache::sharedOffByDefault()
{
    const ConfigLoadResult result =
        ConfigLoader::parse(config(QJsonObject{{QStringLiteral("enabled"), true}}), FileName);
    QVERIFY(result.ok());
    const SharedCacheConfig &shared = result.config->endpoints.constFirst().cache.shared;
    QVERIFY(!shared.enabled);
    QCOMPARE(shared.prefix, QStringLiteral("prc:"));
    QCOMPARE(shared.timeoutMs, 50);
    QCOMPARE(shared.lockWaitMs, 250);
    QVERIFY(shared.password.isEmpty());
}

void TestConfigLoaderCache::sharedValues_data()
{
    QTest::addColumn<QJsonObject>("shared");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("database");
    QTest::addColumn<QString>("unixPath");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<int>("timeout");

    const auto url = [](const char *text) {
        return QJsonObject{{QStringLiteral("url"), QString::fromLatin1(text)}};
    };
    QTest::newRow("host only") << url("redis://redis.internal") << QStringLiteral("redis.internal") << 6379
                               << 0 << QString() << QStringLiteral("prc:") << 50;
    QTest::newRow("host, port, db") << url("redis://10.0.0.5:6380/2") << QStringLiteral("10.0.0.5") << 6380
                                    << 2 << QString() << QStringLiteral("prc:") << 50;
    QTest::newRow("ipv6") << url("redis://[fd00::5]:6379/0") << QStringLiteral("fd00::5") << 6379 << 0
                          << QString() << QStringLiteral("prc:") << 50;
    QTest::newRow("trailing slash") << url("redis://127.0.0.1:6379/") << QStringLiteral("127.0.0.1") << 6379
                                    << 0 << QString() << QStringLiteral("prc:") << 50;
    QTest::newRow("unix socket") << url("unix:/run/redis/redis-server.sock") << QString() << 6379 << 0
                                 << QStringLiteral("/run/redis/redis-server.sock") << QStringLiteral("prc:")
                                 << 50;
    QJsonObject all = url("redis://127.0.0.1:6379/1");
    all.insert(QStringLiteral("prefix"), QStringLiteral("mx-fleet:"));
    all.insert(QStringLiteral("timeout"), 20);
    QTest::newRow("prefix and timeout")
        << all << QStringLiteral("127.0.0.1") << 6379 << 1 << QString() << QStringLiteral("mx-fleet:") << 20;
    QJsonObject empty = url("redis://127.0.0.1");
    empty.insert(QStringLiteral("prefix"), QString());
    QTest::newRow("empty prefix") << empty << QStringLiteral("127.0.0.1") << 6379 << 0 << QString()
                                  << QString() << 50;
}

void TestConfigLoaderCache::sharedValues()
{
    QFETCH(QJsonObject, shared);
    const ConfigLoadResult result = ConfigLoader::parse(config(withShared(shared)), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QVERIFY(result.warnings.isEmpty());
    const SharedCacheConfig &parsed = result.config->endpoints.constFirst().cache.shared;
    QVERIFY(parsed.enabled);
    QCOMPARE(parsed.url, shared.value(QStringLiteral("url")).toString());
    QTEST(parsed.host, "host");
    QTEST(int(parsed.port), "port");
    QTEST(parsed.database, "database");
    QTEST(parsed.unixPath, "unixPath");
    QTEST(parsed.prefix, "prefix");
    QTEST(parsed.timeoutMs, "timeout");
}

void TestConfigLoaderCache::sharedPassword()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("redis.pass"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("from-file-pass\n");
    out.close();
    const QJsonObject fromFile{{QStringLiteral("url"), QStringLiteral("redis://127.0.0.1")},
                               {QStringLiteral("password-file"), file}};
    ConfigLoadResult result = ConfigLoader::parse(config(withShared(fromFile)), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QCOMPARE(result.config->endpoints.constFirst().cache.shared.password, QStringLiteral("from-file-pass"));
    QCOMPARE(result.config->endpoints.constFirst().cache.shared.passwordSource, TokenSource::File);

    qputenv("PRC_TEST_SHARED_PASS", "from-env-pass");
    const QJsonObject fromEnv{{QStringLiteral("url"), QStringLiteral("redis://127.0.0.1")},
                              {QStringLiteral("password-env"), QStringLiteral("PRC_TEST_SHARED_PASS")}};
    result = ConfigLoader::parse(config(withShared(fromEnv)), FileName);
    QVERIFY(result.ok());
    QCOMPARE(result.config->endpoints.constFirst().cache.shared.password, QStringLiteral("from-env-pass"));

    // The admin tool does not resolve secrets of a config it edits.
    ConfigLoader::Options options;
    options.resolveSecrets = false;
    result = ConfigLoader::parse(config(withShared(fromEnv)), FileName, options);
    QVERIFY(result.ok());
    QVERIFY(result.config->endpoints.constFirst().cache.shared.password.isEmpty());
    QCOMPARE(result.config->endpoints.constFirst().cache.shared.passwordReference,
             QStringLiteral("PRC_TEST_SHARED_PASS"));
    qunsetenv("PRC_TEST_SHARED_PASS");
}

void TestConfigLoaderCache::sharedErrors_data()
{
    QTest::addColumn<QJsonValue>("shared");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    const QString p = QStringLiteral("endpoints[0].cache.shared");
    const auto with = [](const char *url, const char *key = nullptr, const QJsonValue &value = {}) {
        QJsonObject object{{QStringLiteral("url"), QString::fromLatin1(url)}};
        if (key)
            object.insert(QString::fromLatin1(key), value);
        return QJsonValue(object);
    };
    QTest::newRow("not an object") << QJsonValue(QStringLiteral("redis://x")) << p
                                   << QStringLiteral("must be an object, found a string");
    QTest::newRow("no url") << QJsonValue(QJsonObject{}) << p + QStringLiteral(".url")
                            << QStringLiteral("missing (required)");
    QTest::newRow("http url") << with("http://127.0.0.1:6379") << p + QStringLiteral(".url")
                              << QStringLiteral("\"http://127.0.0.1:6379\" is not a redis://host:port/db or "
                                                "unix:/path URL");
    QTest::newRow("password in url")
        << with("redis://:secret@127.0.0.1") << p + QStringLiteral(".url")
        << QStringLiteral("must not contain a user or password; use password-file or password-env");
    QTest::newRow("db not a number") << with("redis://127.0.0.1/cache") << p + QStringLiteral(".url")
                                     << QStringLiteral("\"redis://127.0.0.1/cache\": the path must be a "
                                                       "database number (/0, /1, ...)");
    QTest::newRow("relative unix path")
        << with("unix:redis.sock") << p + QStringLiteral(".url")
        << QStringLiteral("\"unix:redis.sock\": a Unix socket needs an absolute path "
                          "(unix:/run/redis/redis-server.sock)");
    QTest::newRow("query") << with("redis://127.0.0.1?db=2") << p + QStringLiteral(".url")
                           << QStringLiteral("\"redis://127.0.0.1?db=2\" must not have a query or fragment");
    QTest::newRow("timeout 0") << with("redis://127.0.0.1", "timeout", 0) << p + QStringLiteral(".timeout")
                               << QStringLiteral("0 is out of range (1..10000)");
    QTest::newRow("lock-wait negative")
        << with("redis://127.0.0.1", "lock-wait", -1) << p + QStringLiteral(".lock-wait")
        << QStringLiteral("-1 is out of range (0..10000)");
    QTest::newRow("lock-wait over 10 s")
        << with("redis://127.0.0.1", "lock-wait", 10001) << p + QStringLiteral(".lock-wait")
        << QStringLiteral("10001 is out of range (0..10000)");
    QTest::newRow("lock-wait as text")
        << with("redis://127.0.0.1", "lock-wait", QStringLiteral("250ms")) << p + QStringLiteral(".lock-wait")
        << QStringLiteral("must be an integer, found a string");
    QTest::newRow("prefix with space")
        << with("redis://127.0.0.1", "prefix", QStringLiteral("my prefix")) << p + QStringLiteral(".prefix")
        << QStringLiteral("only printable ASCII without spaces is allowed");
    QTest::newRow("missing password file")
        << with("redis://127.0.0.1", "password-file", QStringLiteral("/nonexistent/redis.pass"))
        << p + QStringLiteral(".password-file")
        << QStringLiteral("cannot read /nonexistent/redis.pass: No such file or directory");
    QTest::newRow("unset password env")
        << with("redis://127.0.0.1", "password-env", QStringLiteral("PRC_TEST_UNSET_VARIABLE_9"))
        << p + QStringLiteral(".password-env")
        << QStringLiteral("environment variable PRC_TEST_UNSET_VARIABLE_9 is not set or empty");
    QJsonObject both = with("redis://127.0.0.1", "password-file", QStringLiteral("/etc/x")).toObject();
    both.insert(QStringLiteral("password-env"), QStringLiteral("X"));
    QTest::newRow("both password sources")
        << QJsonValue(both) << p + QStringLiteral(".password-file")
        << QStringLiteral("give only one of password-file and password-env");
}

void TestConfigLoaderCache::sharedErrors()
{
    QFETCH(QJsonValue, shared);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const ConfigLoadResult result = ConfigLoader::parse(config(withShared(shared)), FileName);
    QVERIFY(!result.ok());
    QCOMPARE(render(result.errors), QStringList{path + QStringLiteral(": ") + message});
    QCOMPARE(result.errors.constFirst().file, FileName);
}

void TestConfigLoaderCache::sharedLockWait_data()
{
    // lock-wait as given (-1: not given), the endpoint's request-timeout (-1: not given), the value parsed
    // and the warning expected (empty: none).
    QTest::addColumn<int>("lockWait");
    QTest::addColumn<int>("requestTimeout");
    QTest::addColumn<int>("parsed");
    QTest::addColumn<QString>("warning");

    const QString path = QStringLiteral("endpoints[0].cache.shared.lock-wait: ");
    QTest::newRow("default") << -1 << -1 << 250 << QString();
    QTest::newRow("off") << 0 << -1 << 0 << QString();
    QTest::newRow("half of the default request-timeout") << 1000 << -1 << 1000 << QString();
    QTest::newRow("more than half of request-timeout")
        << 1001 << -1 << 1001
        << path
               + QStringLiteral("1001 ms is more than half of request-timeout (2000 ms): waits end after "
                                "1000 ms");
    QTest::newRow("the longest, with a long request-timeout") << 10000 << 20000 << 10000 << QString();
    // The default is not worth a warning even where it is cut: nobody chose it.
    QTest::newRow("default with a short request-timeout") << -1 << 300 << 250 << QString();
}

void TestConfigLoaderCache::sharedLockWait()
{
    QFETCH(int, lockWait);
    QFETCH(int, requestTimeout);
    QFETCH(int, parsed);
    QFETCH(QString, warning);

    QJsonObject shared{{QStringLiteral("url"), QStringLiteral("redis://127.0.0.1")}};
    if (lockWait >= 0)
        shared.insert(QStringLiteral("lock-wait"), lockWait);
    QJsonObject e = endpoint();
    e.insert(QStringLiteral("cache"), withShared(shared));
    if (requestTimeout >= 0)
        e.insert(QStringLiteral("request-timeout"), requestTimeout);
    const ConfigLoadResult result = ConfigLoader::parse(
        QJsonDocument(QJsonObject{{QStringLiteral("endpoints"), QJsonArray{e}}}).toJson(), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QCOMPARE(result.config->endpoints.constFirst().cache.shared.lockWaitMs, parsed);
    QCOMPARE(render(result.warnings), warning.isEmpty() ? QStringList() : QStringList{warning});
}

void TestConfigLoaderCache::sharedWarnings()
{
    const QJsonObject shared{{QStringLiteral("url"), QStringLiteral("redis://127.0.0.1")},
                             {QStringLiteral("ttl"), 5}};
    const ConfigLoadResult result = ConfigLoader::parse(config(withShared(shared)), FileName);
    QVERIFY(result.ok());
    QCOMPARE(render(result.warnings),
             QStringList{QStringLiteral("endpoints[0].cache.shared.ttl: unknown key, ignored (misspelt?)")});

    // A shared tier on a cache that is off is off too, and said so.
    const ConfigLoadResult off = ConfigLoader::parse(
        config(QJsonObject{{QStringLiteral("shared"),
                            QJsonObject{{QStringLiteral("url"), QStringLiteral("redis://127.0.0.1")}}}}),
        FileName);
    QVERIFY(off.ok());
    QCOMPARE(off.warnings.size(), 1);
    QCOMPARE(off.warnings.constFirst().path, QStringLiteral("endpoints[0].cache.enabled"));
}

void TestConfigLoaderCache::sharedTakesPartInEquality()
{
    const auto parsed = [](const QJsonObject &shared) {
        return ConfigLoader::parse(config(withShared(shared)), FileName).config->endpoints.constFirst();
    };
    const QJsonObject base{{QStringLiteral("url"), QStringLiteral("redis://127.0.0.1")}};
    QVERIFY(parsed(base) == parsed(base));
    QJsonObject otherUrl = base;
    otherUrl.insert(QStringLiteral("url"), QStringLiteral("redis://127.0.0.1/1"));
    QVERIFY(parsed(base) != parsed(otherUrl));
    QJsonObject otherPrefix = base;
    otherPrefix.insert(QStringLiteral("prefix"), QStringLiteral("x:"));
    QVERIFY(parsed(base) != parsed(otherPrefix));
    QJsonObject otherTimeout = base;
    otherTimeout.insert(QStringLiteral("timeout"), 60);
    QVERIFY(parsed(base) != parsed(otherTimeout));
    QJsonObject otherLockWait = base;
    otherLockWait.insert(QStringLiteral("lock-wait"), 0);
    QVERIFY(parsed(base) != parsed(otherLockWait));
}

QTEST_MAIN(TestConfigLoaderCache)
#include "tst_configloader_cache.moc"
