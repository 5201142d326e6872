// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/configloader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace prc;

namespace {

const QString FileName = QStringLiteral("/etc/postfix-rest-connector/test.json");

QJsonObject baseEndpoint(const QString &name = QStringLiteral("e1"), int port = 9001)
{
    return QJsonObject{{QStringLiteral("name"), name},
                       {QStringLiteral("mode"), QStringLiteral("tcp-lookup")},
                       {QStringLiteral("target"), QStringLiteral("http://127.0.0.1:9000/lookup")},
                       {QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")},
                       {QStringLiteral("bind-port"), port},
                       {QStringLiteral("auth-token"), QStringLiteral("t0ken")}};
}

QByteArray document(const QJsonArray &endpoints)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("endpoints"), endpoints}}).toJson();
}

/// A config with one endpoint: the base one with `set` applied and `remove` taken out.
QByteArray withEndpoint(const QJsonObject &set, const QStringList &remove = {})
{
    QJsonObject endpoint = baseEndpoint();
    for (auto it = set.begin(); it != set.end(); ++it)
        endpoint.insert(it.key(), it.value());
    for (const QString &key : remove)
        endpoint.remove(key);
    return document(QJsonArray{endpoint});
}

QByteArray without(const QString &key)
{
    return withEndpoint({}, {key});
}

QByteArray with(const QString &key, const QJsonValue &value)
{
    return withEndpoint({{key, value}});
}

bool writeFile(const QString &path, const QByteArray &content,
               QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    if (file.write(content) != content.size())
        return false;
    file.close();
    return file.setPermissions(permissions);
}

QString describe(const ConfigErrors &errors)
{
    QStringList lines;
    for (const ConfigError &error : errors)
        lines.append(error.toString());
    return lines.join(QLatin1Char('\n'));
}

const ConfigError *findError(const ConfigErrors &errors, const QString &path, const QString &messagePart)
{
    for (const ConfigError &error : errors) {
        if (error.path == path && error.message.contains(messagePart))
            return &error;
    }
    return nullptr;
}

} // namespace

class TestConfigLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sampleJsonLoadsUnchanged();
    void sampleJsonWarnsOnlyWhenWorldReadable();
    void defaults();
    void allKeysFixture();
    void sharedPortsOnDistinctAddresses_data();
    void sharedPortsOnDistinctAddresses();
    void validValues_data();
    void validValues();
    void errors_data();
    void errors();
    void errorStringForm();
    void allErrorsAtOnce();
    void secretsNeverInMessages();
    void unknownKeysWarn();
    void misspeltKeySuggestion_data();
    void misspeltKeySuggestion();
    void missingFile();
    void directoryIsNotAConfig();
    void fileLargerThanLimit();
    void fileAtLimitIsRead();
    void worldReadableInlineToken_data();
    void worldReadableInlineToken();
    void tokenFile_data();
    void tokenFile();
    void tokenFileTooLarge();
    void tokenEnvironment_data();
    void tokenEnvironment();
    void endpointKeys();
    void modeNames_data();
    void modeNames();
    void modeDefaults_data();
    void modeDefaults();
    void endpointEquality();
    void secretsNotResolvedWhenDisabled();
};

void TestConfigLoader::sampleJsonLoadsUnchanged()
{
    const QString path = QFINDTESTDATA("../../sample.json");
    QVERIFY(!path.isEmpty());
    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QVERIFY(result.errors.isEmpty());
    const ServiceConfig &config = *result.config;
    QCOMPARE(config.userAgent, QStringLiteral("Postfix REST Connector"));
    QCOMPARE(config.endpoints.size(), 5);

    const QStringList names{QStringLiteral("domain-lookup"), QStringLiteral("mailbox-lookup"),
                            QStringLiteral("alias-lookup"), QStringLiteral("policy-check"),
                            QStringLiteral("socketmap-lookup")};
    const QList<EndpointMode> modes{EndpointMode::TcpLookup, EndpointMode::TcpLookup, EndpointMode::TcpLookup,
                                    EndpointMode::Policy, EndpointMode::SocketmapLookup};
    const QStringList targets{QStringLiteral("http://localhost:9000/api/postfix/domain"),
                              QStringLiteral("http://localhost:9000/api/postfix/mailbox"),
                              QStringLiteral("http://localhost:9000/api/postfix/aliases"),
                              QStringLiteral("http://localhost:9000/api/postfix/policy"),
                              QStringLiteral("http://localhost:9000/api/postfix/socketmap")};
    for (int i = 0; i < config.endpoints.size(); ++i) {
        const EndpointConfig &endpoint = config.endpoints.at(i);
        QCOMPARE(endpoint.name, names.at(i));
        QCOMPARE(endpoint.mode, modes.at(i));
        QCOMPARE(endpoint.target, QUrl(targets.at(i)));
        QCOMPARE(endpoint.bindAddress, QStringLiteral("0.0.0.0"));
        QCOMPARE(endpoint.bindPort, quint16(9001 + i));
        QCOMPARE(endpoint.authToken, QStringLiteral("t"
                                                    "est123"));
        QCOMPARE(endpoint.tokenSource, TokenSource::Inline);
        QVERIFY(endpoint.tokenReference.isEmpty());
        QCOMPARE(endpoint.requestTimeoutMs, 2000);
        QCOMPARE(endpoint.listSeparator, QStringLiteral(","));
        QCOMPARE(endpoint.maxConnections, EndpointConfig::DefaultMaxConnections);
        QCOMPARE(endpoint.maxInFlight, EndpointConfig::DefaultMaxInFlight);
        QCOMPARE(endpoint.maxResponseSize, EndpointConfig::DefaultMaxResponseSize);
        QCOMPARE(endpoint.idleTimeoutMs, 0);
        QCOMPARE(endpoint.maxRequestSize, qint64(0));
    }
    // Only a permissions warning may come with it; the sample has no unknown keys.
    for (const ConfigError &warning : result.warnings)
        QVERIFY2(warning.path.isEmpty() && warning.message.contains(QStringLiteral("readable by every user")),
                 qPrintable(warning.toString()));
}

void TestConfigLoader::sampleJsonWarnsOnlyWhenWorldReadable()
{
    QFile sample(QFINDTESTDATA("../../sample.json"));
    QVERIFY(sample.open(QIODevice::ReadOnly));
    const QByteArray content = sample.readAll();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("sample.json"));

    QVERIFY(writeFile(path, content));
    ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY(result.ok());
    QVERIFY2(result.warnings.isEmpty(), qPrintable(describe(result.warnings)));

    QVERIFY(writeFile(path, content,
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                          | QFileDevice::ReadOther));
    result = ConfigLoader::loadFile(path);
    QVERIFY(result.ok());
    QCOMPARE(result.warnings.size(), 1);
    QCOMPARE(result.warnings.at(0).file, path);
    QVERIFY(result.warnings.at(0).message.contains(QStringLiteral("readable by every user")));
}

void TestConfigLoader::defaults()
{
    const QByteArray json = R"({"endpoints": [{"name": "n", "mode": "policy", "target": "http://h/p",
        "bind-address": "127.0.0.1", "bind-port": 10000, "auth-token": "x"}]})";
    const ConfigLoadResult result = ConfigLoader::parse(json, FileName);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QVERIFY(result.warnings.isEmpty());
    QCOMPARE(result.config->userAgent, ServiceConfig::defaultUserAgent());
    QCOMPARE(result.config->userAgent, QStringLiteral("Postfix REST Connector"));
    const EndpointConfig &endpoint = result.config->endpoints.at(0);
    QCOMPARE(endpoint.mode, EndpointMode::Policy);
    QCOMPARE(endpoint.requestTimeoutMs, 2000);
    QCOMPARE(endpoint.listSeparator, QStringLiteral(","));
    QCOMPARE(endpoint.maxConnections, 1024);
    QCOMPARE(endpoint.maxInFlight, 16);
    QCOMPARE(endpoint.maxResponseSize, qint64(1024 * 1024));
    QCOMPARE(endpoint.effectiveIdleTimeoutMs(), EndpointConfig::defaultIdleTimeoutMs(EndpointMode::Policy));
    QCOMPARE(endpoint.effectiveMaxRequestSize(), EndpointConfig::defaultMaxRequestSize(EndpointMode::Policy));
}

void TestConfigLoader::allKeysFixture()
{
    const QByteArray variable("PRC_TST_CONFIGLOADER_FIXTURE_TOKEN");
    qputenv(variable.constData(), "from-env");
    const ConfigLoadResult result = ConfigLoader::loadFile(QFINDTESTDATA("data/all-keys.json"));
    qunsetenv(variable.constData());
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QCOMPARE(result.config->userAgent, QStringLiteral("Custom Agent/1.0"));
    QCOMPARE(result.config->endpoints.size(), 2);

    const EndpointConfig &full = result.config->endpoints.at(0);
    QCOMPARE(full.name, QStringLiteral("full"));
    QCOMPARE(full.mode, EndpointMode::SocketmapLookup);
    QCOMPARE(full.target, QUrl(QStringLiteral("https://backend.example.com:8443/api/socketmap?x=1")));
    QCOMPARE(full.bindAddress, QStringLiteral("::1"));
    QCOMPARE(full.bindPort, quint16(65535));
    QCOMPARE(full.tokenSource, TokenSource::Environment);
    QCOMPARE(full.tokenReference, QString::fromLatin1(variable));
    QCOMPARE(full.authToken, QStringLiteral("from-env"));
    QCOMPARE(full.requestTimeoutMs, 600000);
    QCOMPARE(full.listSeparator, QStringLiteral("; "));
    QCOMPARE(full.maxConnections, 10);
    QCOMPARE(full.idleTimeoutMs, 1000);
    QCOMPARE(full.effectiveIdleTimeoutMs(), 1000);
    QCOMPARE(full.maxRequestSize, qint64(512));
    QCOMPARE(full.effectiveMaxRequestSize(), qint64(512));
    QCOMPARE(full.maxInFlight, 10000);
    QCOMPARE(full.maxResponseSize, qint64(1024));

    const EndpointConfig &policy = result.config->endpoints.at(1);
    QCOMPARE(policy.bindAddress, QStringLiteral("localhost"));
    QCOMPARE(policy.bindPort, quint16(1));
    QCOMPARE(policy.tokenSource, TokenSource::Inline);
    QVERIFY(policy.authToken.isEmpty());
}

void TestConfigLoader::validValues_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("expected");

    auto row = [](const char *name, const QString &key, const QJsonValue &value, const QVariant &expected) {
        QTest::newRow(name) << with(key, value) << key << expected;
    };
    const QString bindAddress = QStringLiteral("bind-address");
    const QString bindPort = QStringLiteral("bind-port");
    const QString target = QStringLiteral("target");
    row("ipv4 any", bindAddress, QStringLiteral("0.0.0.0"), QStringLiteral("0.0.0.0"));
    row("ipv6 loopback", bindAddress, QStringLiteral("::1"), QStringLiteral("::1"));
    row("ipv6 any", bindAddress, QStringLiteral("::"), QStringLiteral("::"));
    row("localhost", bindAddress, QStringLiteral("localhost"), QStringLiteral("localhost"));
    row("port 1", bindPort, 1, 1);
    row("port 65535", bindPort, 65535, 65535);
    row("port as 25.0", bindPort, 25.0, 25);
    row("https target", target, QStringLiteral("https://h.example/x"), QStringLiteral("https://h.example/x"));
    row("ipv6 target", target, QStringLiteral("http://[::1]:9000/x"), QStringLiteral("http://[::1]:9000/x"));
    row("target with query", target, QStringLiteral("http://h/x?a=b"), QStringLiteral("http://h/x?a=b"));
    row("mode socketmap", QStringLiteral("mode"), QStringLiteral("socketmap-lookup"),
        int(EndpointMode::SocketmapLookup));
    row("mode policy", QStringLiteral("mode"), QStringLiteral("policy"), int(EndpointMode::Policy));
    row("request-timeout 1", QStringLiteral("request-timeout"), 1, 1);
    row("request-timeout 600000", QStringLiteral("request-timeout"), 600000, 600000);
    row("empty list-separator", QStringLiteral("list-separator"), QString(), QString());
    row("newline list-separator", QStringLiteral("list-separator"), QStringLiteral("\n"),
        QStringLiteral("\n"));
    row("max-connections 1", QStringLiteral("max-connections"), 1, 1);
    row("max-connections 1000000", QStringLiteral("max-connections"), 1000000, 1000000);
    row("idle-timeout 86400000", QStringLiteral("idle-timeout"), 86400000, 86400000);
    row("max-request-size 16 MiB", QStringLiteral("max-request-size"), 16 * 1024 * 1024, 16 * 1024 * 1024);
    row("max-in-flight 1", QStringLiteral("max-in-flight"), 1, 1);
    row("max-response-size 256 MiB", QStringLiteral("max-response-size"), 256 * 1024 * 1024,
        256 * 1024 * 1024);
    row("empty inline token", QStringLiteral("auth-token"), QString(), QString());
    row("backend-connections 600", QStringLiteral("backend-connections"), 600, 600);
    // backend-http2 with an http:// target needs the qt client: tst_configloader_backend.
}

void TestConfigLoader::validValues()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, key);
    QFETCH(QVariant, expected);

    const ConfigLoadResult result = ConfigLoader::parse(json, FileName);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QVERIFY2(result.warnings.isEmpty(), qPrintable(describe(result.warnings)));
    const EndpointConfig &endpoint = result.config->endpoints.at(0);
    QVariant actual;
    if (key == QLatin1String("bind-address"))
        actual = endpoint.bindAddress;
    else if (key == QLatin1String("bind-port"))
        actual = int(endpoint.bindPort);
    else if (key == QLatin1String("target"))
        actual = endpoint.target.toString();
    else if (key == QLatin1String("mode"))
        actual = int(endpoint.mode);
    else if (key == QLatin1String("request-timeout"))
        actual = endpoint.requestTimeoutMs;
    else if (key == QLatin1String("list-separator"))
        actual = endpoint.listSeparator;
    else if (key == QLatin1String("max-connections"))
        actual = endpoint.maxConnections;
    else if (key == QLatin1String("idle-timeout"))
        actual = endpoint.idleTimeoutMs;
    else if (key == QLatin1String("max-request-size"))
        actual = int(endpoint.maxRequestSize);
    else if (key == QLatin1String("max-in-flight"))
        actual = endpoint.maxInFlight;
    else if (key == QLatin1String("max-response-size"))
        actual = int(endpoint.maxResponseSize);
    else if (key == QLatin1String("auth-token"))
        actual = endpoint.authToken;
    else if (key == QLatin1String("backend-connections"))
        actual = endpoint.backendConnections;
    else if (key == QLatin1String("backend-http2"))
        actual = endpoint.backendHttp2;
    QCOMPARE(actual, expected);
}

void TestConfigLoader::sharedPortsOnDistinctAddresses_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::newRow("two loopback addresses") << QStringLiteral("127.0.0.1") << QStringLiteral("127.0.0.2");
    QTest::newRow("ipv4 and ipv6 loopback") << QStringLiteral("127.0.0.1") << QStringLiteral("::1");
    QTest::newRow("localhost and ::1") << QStringLiteral("localhost") << QStringLiteral("::1");
}

void TestConfigLoader::sharedPortsOnDistinctAddresses()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QJsonObject a = baseEndpoint(QStringLiteral("a"), 9001);
    a.insert(QStringLiteral("bind-address"), first);
    QJsonObject b = baseEndpoint(QStringLiteral("b"), 9001);
    b.insert(QStringLiteral("bind-address"), second);
    const ConfigLoadResult result = ConfigLoader::parse(document({a, b}), FileName);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QCOMPARE(result.config->endpoints.size(), 2);
}

void TestConfigLoader::errors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    const QString p = QStringLiteral("endpoints[0].");
    auto row = [](const char *name, const QByteArray &json, int count, const QString &path,
                  const char *message) {
        QTest::newRow(name) << json << count << path << QString::fromUtf8(message);
    };

    // The file as a whole.
    row("invalid json", "{\n  \"endpoints\": [\n    {,\n", 1, QString(), "invalid JSON at line 3, column 6");
    row("invalid json first line", "{\"endpoints\" 1}", 1, QString(), "invalid JSON at line 1, column 14");
    row("missing comma between members", "{\n  \"user-agent\": \"x\"\n  \"endpoints\": []\n}", 1, QString(),
        "invalid JSON at line 3, column 3");
    row("trailing comma", "{\n  \"endpoints\": [],\n}", 1, QString(), "invalid JSON at line 3, column 1");
    row("empty file", "", 1, QString(), "invalid JSON at line 1, column 1");
    row("trailing garbage", "{\"endpoints\": []} x", 1, QString(), "invalid JSON");
    row("top level array", "[]", 1, QString(), "the top level must be a JSON object");
    row("top level array of objects", "[{}]", 1, QString(), "the top level must be a JSON object");

    // The endpoints list.
    row("endpoints missing", "{}", 1, QStringLiteral("endpoints"), "missing; expected an array");
    row("endpoints missing, other keys", "{\"user-agent\": \"x\"}", 1, QStringLiteral("endpoints"),
        "missing");
    row("endpoints an object", "{\"endpoints\": {}}", 1, QStringLiteral("endpoints"),
        "must be an array, found an object");
    row("endpoints a string", "{\"endpoints\": \"e\"}", 1, QStringLiteral("endpoints"),
        "must be an array, found a string");
    row("endpoints null", "{\"endpoints\": null}", 1, QStringLiteral("endpoints"),
        "must be an array, found null");
    row("endpoints empty", "{\"endpoints\": []}", 1, QStringLiteral("endpoints"), "is empty");
    row("endpoint a number", "{\"endpoints\": [1]}", 1, QStringLiteral("endpoints[0]"),
        "must be an object, found a number");
    row("endpoint an array", "{\"endpoints\": [[]]}", 1, QStringLiteral("endpoints[0]"),
        "must be an object, found an array");
    row("user-agent a number", "{\"user-agent\": 3, \"endpoints\": [1]}", 2, QStringLiteral("user-agent"),
        "must be a string, found a number");
    row("user-agent empty", "{\"user-agent\": \"\", \"endpoints\": [1]}", 2, QStringLiteral("user-agent"),
        "must not be empty");

    // Required keys.
    row("missing name", without(QStringLiteral("name")), 1, p + QStringLiteral("name"), "missing (required)");
    row("missing mode", without(QStringLiteral("mode")), 1, p + QStringLiteral("mode"), "missing (required)");
    row("missing target", without(QStringLiteral("target")), 1, p + QStringLiteral("target"),
        "missing (required)");
    row("missing bind-address", without(QStringLiteral("bind-address")), 1,
        p + QStringLiteral("bind-address"), "missing (required)");
    row("missing bind-port", without(QStringLiteral("bind-port")), 1, p + QStringLiteral("bind-port"),
        "missing (required)");
    row("missing auth-token", without(QStringLiteral("auth-token")), 1, p + QStringLiteral("auth-token"),
        "missing (required; or give auth-token-file or auth-token-env instead)");

    // Wrong types.
    row("name a number", with(QStringLiteral("name"), 5), 1, p + QStringLiteral("name"),
        "must be a string, found a number");
    row("name null", with(QStringLiteral("name"), QJsonValue::Null), 1, p + QStringLiteral("name"),
        "must be a string, found null");
    row("name empty", with(QStringLiteral("name"), QString()), 1, p + QStringLiteral("name"),
        "must not be empty");
    row("name blank", with(QStringLiteral("name"), QStringLiteral("  ")), 1, p + QStringLiteral("name"),
        "must not be empty");
    row("mode a boolean", with(QStringLiteral("mode"), true), 1, p + QStringLiteral("mode"),
        "must be a string, found a boolean");
    row("target an array", with(QStringLiteral("target"), QJsonArray()), 1, p + QStringLiteral("target"),
        "is an empty array; give at least one URL");
    row("bind-address a number", with(QStringLiteral("bind-address"), 127), 1,
        p + QStringLiteral("bind-address"), "must be a string, found a number");
    row("auth-token an object", with(QStringLiteral("auth-token"), QJsonObject()), 1,
        p + QStringLiteral("auth-token"), "must be a string, found an object");
    row("list-separator a number", with(QStringLiteral("list-separator"), 1), 1,
        p + QStringLiteral("list-separator"), "must be a string, found a number");
    row("request-timeout a string", with(QStringLiteral("request-timeout"), QStringLiteral("2000")), 1,
        p + QStringLiteral("request-timeout"), "must be an integer, found a string");
    row("max-connections a boolean", with(QStringLiteral("max-connections"), false), 1,
        p + QStringLiteral("max-connections"), "must be an integer, found a boolean");

    // Modes.
    row("unknown mode", with(QStringLiteral("mode"), QStringLiteral("tcp")), 1, p + QStringLiteral("mode"),
        "unknown mode \"tcp\"; expected tcp-lookup, socketmap-lookup or policy");
    row("mode in upper case", with(QStringLiteral("mode"), QStringLiteral("TCP-LOOKUP")), 1,
        p + QStringLiteral("mode"), "unknown mode \"TCP-LOOKUP\"");
    row("mode empty", with(QStringLiteral("mode"), QString()), 1, p + QStringLiteral("mode"),
        "must not be empty");

    // Targets.
    row("target not a url", with(QStringLiteral("target"), QStringLiteral("http://exa mple.com/")), 1,
        p + QStringLiteral("target"), "is not a valid URL");
    row("target ftp", with(QStringLiteral("target"), QStringLiteral("ftp://example.com/x")), 1,
        p + QStringLiteral("target"), "\"ftp://example.com/x\" must be an http:// or https:// URL");
    row("target without scheme", with(QStringLiteral("target"), QStringLiteral("example.com/x")), 1,
        p + QStringLiteral("target"), "must be an http:// or https:// URL");
    row("target host:port without scheme", with(QStringLiteral("target"), QStringLiteral("localhost:9000/x")),
        1, p + QStringLiteral("target"), "must be an http:// or https:// URL");
    row("target without host", with(QStringLiteral("target"), QStringLiteral("http:///x")), 1,
        p + QStringLiteral("target"), "\"http:///x\" has no host");
    row("target empty", with(QStringLiteral("target"), QString()), 1, p + QStringLiteral("target"),
        "must not be empty");

    // Bind addresses.
    row("bind-address a host name", with(QStringLiteral("bind-address"), QStringLiteral("mail.example.com")),
        1, p + QStringLiteral("bind-address"), "\"mail.example.com\" is not an IP address");
    row("bind-address shorthand 127.1", with(QStringLiteral("bind-address"), QStringLiteral("127.1")), 1,
        p + QStringLiteral("bind-address"), "\"127.1\" is not an IP address");
    row("bind-address shorthand 10.0.1", with(QStringLiteral("bind-address"), QStringLiteral("10.0.1")), 1,
        p + QStringLiteral("bind-address"), "is not an IP address");
    row("bind-address octet 256", with(QStringLiteral("bind-address"), QStringLiteral("256.0.0.1")), 1,
        p + QStringLiteral("bind-address"), "is not an IP address");
    row("bind-address five parts", with(QStringLiteral("bind-address"), QStringLiteral("1.2.3.4.5")), 1,
        p + QStringLiteral("bind-address"), "is not an IP address");
    row("bind-address with port", with(QStringLiteral("bind-address"), QStringLiteral("127.0.0.1:25")), 1,
        p + QStringLiteral("bind-address"), "is not an IP address");
    row("bind-address empty", with(QStringLiteral("bind-address"), QString()), 1,
        p + QStringLiteral("bind-address"), "must not be empty");

    // Ports.
    row("port 0", with(QStringLiteral("bind-port"), 0), 1, p + QStringLiteral("bind-port"),
        "0 is out of range (1..65535)");
    row("port 70000", with(QStringLiteral("bind-port"), 70000), 1, p + QStringLiteral("bind-port"),
        "70000 is out of range (1..65535)");
    row("port 65536", with(QStringLiteral("bind-port"), 65536), 1, p + QStringLiteral("bind-port"),
        "out of range");
    row("port negative", with(QStringLiteral("bind-port"), -25), 1, p + QStringLiteral("bind-port"),
        "out of range");
    row("port 1.5", with(QStringLiteral("bind-port"), 1.5), 1, p + QStringLiteral("bind-port"),
        "must be an integer, found 1.5");
    row("port as string", with(QStringLiteral("bind-port"), QStringLiteral("25")), 1,
        p + QStringLiteral("bind-port"), "must be an integer, found a string");
    row("port huge", with(QStringLiteral("bind-port"), 1e300), 1, p + QStringLiteral("bind-port"),
        "out of range");

    // Uniqueness.
    {
        QJsonObject second = baseEndpoint(QStringLiteral("e1"), 9002);
        row("duplicate name", document({baseEndpoint(), second}), 1, QStringLiteral("endpoints[1].name"),
            "\"e1\" is already used by endpoints[0]");
        second = baseEndpoint(QStringLiteral("e2"), 9001);
        row("duplicate port, same address", document({baseEndpoint(), second}), 1,
            QStringLiteral("endpoints[1].bind-port"), "127.0.0.1:9001 is already used by endpoints[0] (e1)");
        QJsonObject any = baseEndpoint(QStringLiteral("e0"), 9001);
        any.insert(QStringLiteral("bind-address"), QStringLiteral("0.0.0.0"));
        row("duplicate port, any before loopback", document({any, second}), 1,
            QStringLiteral("endpoints[1].bind-port"), "127.0.0.1:9001 is already used by endpoints[0] (e0)");
        row("duplicate port, loopback before any", document({second, any}), 1,
            QStringLiteral("endpoints[1].bind-port"), "0.0.0.0:9001 is already used by endpoints[0] (e2)");
        QJsonObject anyV6 = any;
        anyV6.insert(QStringLiteral("bind-address"), QStringLiteral("::"));
        row("duplicate port, :: and 127.0.0.1", document({anyV6, second}), 1,
            QStringLiteral("endpoints[1].bind-port"), "already used by endpoints[0]");
        QJsonObject localhost = baseEndpoint(QStringLiteral("lh"), 9001);
        localhost.insert(QStringLiteral("bind-address"), QStringLiteral("localhost"));
        row("duplicate port, 127.0.0.1 and localhost", document({baseEndpoint(), localhost}), 1,
            QStringLiteral("endpoints[1].bind-port"), "localhost:9001 is already used by endpoints[0] (e1)");
        QJsonObject v6 = baseEndpoint(QStringLiteral("v6"), 9001);
        v6.insert(QStringLiteral("bind-address"), QStringLiteral("::1"));
        QJsonObject v6Long = baseEndpoint(QStringLiteral("v6long"), 9001);
        v6Long.insert(QStringLiteral("bind-address"), QStringLiteral("0:0:0:0:0:0:0:1"));
        row("duplicate port, ::1 spelt two ways", document({v6, v6Long}), 1,
            QStringLiteral("endpoints[1].bind-port"),
            "0:0:0:0:0:0:0:1:9001 is already used by endpoints[0] (v6)");
        QJsonObject bad1 = baseEndpoint(QStringLiteral("b1"), 9001);
        bad1.insert(QStringLiteral("bind-address"), QStringLiteral("bogus"));
        QJsonObject bad2 = baseEndpoint(QStringLiteral("b2"), 9001);
        bad2.insert(QStringLiteral("bind-address"), QStringLiteral("other"));
        row("two invalid addresses are not duplicates", document({bad1, bad2}), 2,
            QStringLiteral("endpoints[1].bind-address"), "\"other\" is not an IP address");
        QJsonObject third = baseEndpoint(QStringLiteral("e3"), 9001);
        row("duplicate port, third endpoint",
            document({baseEndpoint(), baseEndpoint(QStringLiteral("x"), 9002), third}), 1,
            QStringLiteral("endpoints[2].bind-port"), "already used by endpoints[0] (e1)");
        row("duplicate name and port", document({baseEndpoint(), baseEndpoint()}), 2,
            QStringLiteral("endpoints[1].name"), "already used by endpoints[0]");
    }

    // Ranges of the optional keys.
    row("request-timeout 0", with(QStringLiteral("request-timeout"), 0), 1,
        p + QStringLiteral("request-timeout"), "0 is out of range (1..600000)");
    row("request-timeout 600001", with(QStringLiteral("request-timeout"), 600001), 1,
        p + QStringLiteral("request-timeout"), "600001 is out of range (1..600000)");
    row("request-timeout 1.5", with(QStringLiteral("request-timeout"), 1.5), 1,
        p + QStringLiteral("request-timeout"), "must be an integer");
    row("max-connections 0", with(QStringLiteral("max-connections"), 0), 1,
        p + QStringLiteral("max-connections"), "0 is out of range (1..1000000)");
    row("max-connections 1000001", with(QStringLiteral("max-connections"), 1000001), 1,
        p + QStringLiteral("max-connections"), "out of range");
    row("idle-timeout 999", with(QStringLiteral("idle-timeout"), 999), 1, p + QStringLiteral("idle-timeout"),
        "999 is out of range (1000..86400000)");
    row("idle-timeout 86400001", with(QStringLiteral("idle-timeout"), 86400001), 1,
        p + QStringLiteral("idle-timeout"), "out of range");
    row("max-request-size 511", with(QStringLiteral("max-request-size"), 511), 1,
        p + QStringLiteral("max-request-size"), "511 is out of range (512..16777216)");
    row("max-request-size 16 MiB + 1", with(QStringLiteral("max-request-size"), 16 * 1024 * 1024 + 1), 1,
        p + QStringLiteral("max-request-size"), "out of range");
    row("max-in-flight 0", with(QStringLiteral("max-in-flight"), 0), 1, p + QStringLiteral("max-in-flight"),
        "0 is out of range (1..10000)");
    row("max-in-flight 10001", with(QStringLiteral("max-in-flight"), 10001), 1,
        p + QStringLiteral("max-in-flight"), "out of range");
    row("max-response-size 1023", with(QStringLiteral("max-response-size"), 1023), 1,
        p + QStringLiteral("max-response-size"), "1023 is out of range (1024..268435456)");
    row("max-response-size 256 MiB + 1", with(QStringLiteral("max-response-size"), 256 * 1024 * 1024 + 1), 1,
        p + QStringLiteral("max-response-size"), "out of range");
    row("backend-connections 0", with(QStringLiteral("backend-connections"), 0), 1,
        p + QStringLiteral("backend-connections"), "0 is out of range (1..600)");
    row("backend-http2 as string", with(QStringLiteral("backend-http2"), QStringLiteral("yes")), 1,
        p + QStringLiteral("backend-http2"), "must be true or false, found a string");

    // Token sources.
    row("inline and file", with(QStringLiteral("auth-token-file"), QStringLiteral("/t")), 1,
        p + QStringLiteral("auth-token"), "give only one of auth-token, auth-token-file and auth-token-env");
    row("inline and env", with(QStringLiteral("auth-token-env"), QStringLiteral("X")), 1,
        p + QStringLiteral("auth-token"), "give only one");
    row("file and env",
        withEndpoint({{QStringLiteral("auth-token-file"), QStringLiteral("/t")},
                      {QStringLiteral("auth-token-env"), QStringLiteral("X")}},
                     {QStringLiteral("auth-token")}),
        1, p + QStringLiteral("auth-token"), "give only one");
    row("token with newline", with(QStringLiteral("auth-token"), QStringLiteral("a\nb")), 1,
        p + QStringLiteral("auth-token"), "must not contain a line break");
    row("token with cr", with(QStringLiteral("auth-token"), QStringLiteral("a\r")), 1,
        p + QStringLiteral("auth-token"), "must not contain a line break");
    row("auth-token-file empty name",
        withEndpoint({{QStringLiteral("auth-token-file"), QString()}}, {QStringLiteral("auth-token")}), 1,
        p + QStringLiteral("auth-token-file"), "must not be empty");
    row("auth-token-env empty name",
        withEndpoint({{QStringLiteral("auth-token-env"), QString()}}, {QStringLiteral("auth-token")}), 1,
        p + QStringLiteral("auth-token-env"), "must not be empty");
    row("auth-token-env a number",
        withEndpoint({{QStringLiteral("auth-token-env"), 1}}, {QStringLiteral("auth-token")}), 1,
        p + QStringLiteral("auth-token-env"), "must be a string, found a number");
}

void TestConfigLoader::errors()
{
    QFETCH(QByteArray, json);
    QFETCH(int, count);
    QFETCH(QString, path);
    QFETCH(QString, message);

    const ConfigLoadResult result = ConfigLoader::parse(json, FileName);
    QVERIFY(!result.ok());
    QVERIFY(!result.config.has_value());
    QVERIFY2(
        result.errors.size() == count,
        qPrintable(QStringLiteral("expected %1 error(s), got:\n%2").arg(count).arg(describe(result.errors))));
    for (const ConfigError &error : result.errors)
        QCOMPARE(error.file, FileName);
    QVERIFY2(findError(result.errors, path, message),
             qPrintable(QStringLiteral("no error at \"%1\" containing \"%2\"; got:\n%3")
                            .arg(path, message, describe(result.errors))));
}

void TestConfigLoader::errorStringForm()
{
    const ConfigLoadResult result = ConfigLoader::parse(with(QStringLiteral("bind-port"), 0), FileName);
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.at(0).toString(),
             FileName + QStringLiteral(": endpoints[0].bind-port: 0 is out of range (1..65535)"));

    const ConfigLoadResult whole = ConfigLoader::parse("[]", FileName);
    QCOMPARE(whole.errors.at(0).toString(),
             FileName + QStringLiteral(": the top level must be a JSON object"));
    QCOMPARE((ConfigError{QString(), QStringLiteral("a"), QStringLiteral("b")}.toString()),
             QStringLiteral("<config>: a: b"));
}

void TestConfigLoader::allErrorsAtOnce()
{
    const QString path = QFINDTESTDATA("data/many-errors.json");
    QVERIFY(!path.isEmpty());
    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY(!result.ok());

    const QList<QPair<QString, QString>> expected{
        {QStringLiteral("user-agent"), QStringLiteral("must be a string, found a number")},
        {QStringLiteral("endpoints[0].name"), QStringLiteral("must not be empty")},
        {QStringLiteral("endpoints[0].mode"), QStringLiteral("unknown mode \"lookup\"")},
        {QStringLiteral("endpoints[0].target"), QStringLiteral("must be an http:// or https:// URL")},
        {QStringLiteral("endpoints[0].bind-address"), QStringLiteral("\"127.1\" is not an IP address")},
        {QStringLiteral("endpoints[0].bind-port"), QStringLiteral("out of range")},
        {QStringLiteral("endpoints[0].request-timeout"), QStringLiteral("out of range")},
        {QStringLiteral("endpoints[1].bind-port"), QStringLiteral("must be an integer, found a string")},
        {QStringLiteral("endpoints[1].auth-token"), QStringLiteral("missing (required")},
    };
    QVERIFY2(result.errors.size() == expected.size(), qPrintable(describe(result.errors)));
    for (const auto &[errorPath, message] : expected) {
        const ConfigError *error = findError(result.errors, errorPath, message);
        QVERIFY2(error, qPrintable(errorPath + QStringLiteral(": ") + message));
        QCOMPARE(error->file, path);
    }
}

void TestConfigLoader::secretsNeverInMessages()
{
    const QString secret = QStringLiteral("SECRET-in-many-errors");
    const ConfigLoadResult result = ConfigLoader::loadFile(QFINDTESTDATA("data/many-errors.json"));
    QVERIFY(!result.errors.isEmpty());
    QVERIFY(!describe(result.errors).contains(secret));
    QVERIFY(!describe(result.warnings).contains(secret));

    const QString inlineSecret = QStringLiteral("SECRET-inline\nline2");
    const ConfigLoadResult broken = ConfigLoader::parse(
        withEndpoint({{QStringLiteral("auth-token"), inlineSecret}, {QStringLiteral("auth-token-env"), 3}}),
        FileName);
    QVERIFY(!broken.errors.isEmpty());
    QVERIFY(!describe(broken.errors).contains(QStringLiteral("SECRET")));
}

void TestConfigLoader::unknownKeysWarn()
{
    QJsonObject endpoint = baseEndpoint();
    endpoint.insert(QStringLiteral("comment"), QStringLiteral("x"));
    endpoint.insert(QStringLiteral("bind_port"), 25);
    const QJsonObject root{{QStringLiteral("endpoints"), QJsonArray{endpoint}},
                           {QStringLiteral("log-level"), QStringLiteral("debug")}};
    const ConfigLoadResult result = ConfigLoader::parse(QJsonDocument(root).toJson(), FileName);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QVERIFY(result.errors.isEmpty());
    QCOMPARE(result.warnings.size(), 3);
    for (const QString &path : {QStringLiteral("log-level"), QStringLiteral("endpoints[0].comment"),
                                QStringLiteral("endpoints[0].bind_port")}) {
        const ConfigError *warning = findError(result.warnings, path, QStringLiteral("unknown key"));
        QVERIFY2(warning, qPrintable(path));
        QCOMPARE(warning->file, FileName);
    }
    QCOMPARE(result.config->endpoints.at(0).bindPort, quint16(9001));

    // Warnings are kept when there are errors too, so they are shown together.
    endpoint.insert(QStringLiteral("bind-port"), 0);
    const ConfigLoadResult failed = ConfigLoader::parse(
        QJsonDocument(QJsonObject{{QStringLiteral("endpoints"), QJsonArray{endpoint}}}).toJson(), FileName);
    QVERIFY(!failed.ok());
    QCOMPARE(failed.errors.size(), 1);
    QCOMPARE(failed.warnings.size(), 2);
}

void TestConfigLoader::misspeltKeySuggestion_data()
{
    QTest::addColumn<QString>("section"); // "" (the endpoint), "cache" or "root"
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("suggestion"); // empty: no "did you mean"

    QTest::newRow("missing letter") << QString() << "request-timout"
                                    << "request-timeout";
    QTest::newRow("underscore") << QString() << "bind_port"
                                << "bind-port";
    QTest::newRow("swapped letters") << QString() << "max-in-fligth"
                                     << "max-in-flight";
    QTest::newRow("upper case") << QString() << "Bind-Address"
                                << "bind-address";
    QTest::newRow("cache key") << "cache"
                               << "max-entires"
                               << "max-entries";
    QTest::newRow("top level") << "root"
                               << "user_agent"
                               << "user-agent";
    QTest::newRow("unrelated") << QString() << "comment" << QString();
    QTest::newRow("too far") << QString() << "timeout" << QString();
}

void TestConfigLoader::misspeltKeySuggestion()
{
    QFETCH(QString, section);
    QFETCH(QString, key);
    QFETCH(QString, suggestion);

    QJsonObject endpoint = baseEndpoint();
    QJsonObject root;
    QString path;
    if (section == QLatin1String("cache")) {
        endpoint.insert(QStringLiteral("cache"), QJsonObject{{QStringLiteral("enabled"), true}, {key, 10}});
        path = QStringLiteral("endpoints[0].cache.") + key;
    } else if (section == QLatin1String("root")) {
        root.insert(key, QStringLiteral("x"));
        path = key;
    } else {
        endpoint.insert(key, 10);
        path = QStringLiteral("endpoints[0].") + key;
    }
    root.insert(QStringLiteral("endpoints"), QJsonArray{endpoint});
    const ConfigLoadResult result = ConfigLoader::parse(QJsonDocument(root).toJson(), FileName);
    const ConfigError *warning = findError(result.warnings, path, QStringLiteral("unknown key"));
    QVERIFY2(warning, qPrintable(describe(result.warnings)));
    if (suggestion.isEmpty())
        QVERIFY2(!warning->message.contains(QLatin1String("did you mean")), qPrintable(warning->message));
    else
        QCOMPARE(warning->message,
                 QStringLiteral("unknown key, ignored; did you mean \"%1\"?").arg(suggestion));
}

void TestConfigLoader::missingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("does-not-exist.json"));
    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.at(0).file, path);
    QVERIFY(result.errors.at(0).path.isEmpty());
    QVERIFY2(result.errors.at(0).message.startsWith(QStringLiteral("cannot open: ")),
             qPrintable(result.errors.at(0).message));
}

void TestConfigLoader::directoryIsNotAConfig()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ConfigLoadResult result = ConfigLoader::loadFile(dir.path());
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.at(0).file, dir.path());
}

void TestConfigLoader::fileLargerThanLimit()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("big.json"));
    // Valid JSON padded with whitespace: only the size can make it fail.
    const QByteArray valid = with(QStringLiteral("auth-token"), QStringLiteral("x"));
    QVERIFY(writeFile(path, valid + QByteArray(ConfigLoader::MaxFileSize + 1 - valid.size(), ' ')));
    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.at(0).file, path);
    QVERIFY(result.errors.at(0).path.isEmpty());
    QVERIFY2(result.errors.at(0).message.contains(QStringLiteral("larger than 1048576 bytes")),
             qPrintable(result.errors.at(0).message));
}

void TestConfigLoader::fileAtLimitIsRead()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("big.json"));
    const QByteArray valid = with(QStringLiteral("auth-token"), QStringLiteral("x"));
    QVERIFY(writeFile(path, valid + QByteArray(ConfigLoader::MaxFileSize - valid.size(), '\n')));
    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
}

void TestConfigLoader::worldReadableInlineToken_data()
{
    QTest::addColumn<int>("permissions");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("warns");

    const int owner = int(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const int group = owner | int(QFileDevice::ReadGroup);
    const int world = group | int(QFileDevice::ReadOther);
    const QByteArray inlineToken = with(QStringLiteral("auth-token"), QStringLiteral("secret"));
    const QByteArray emptyToken = with(QStringLiteral("auth-token"), QString());
    const QByteArray fileToken = withEndpoint({{QStringLiteral("auth-token-file"), QStringLiteral("token")}},
                                              {QStringLiteral("auth-token")});

    QTest::newRow("0600 inline") << owner << inlineToken << false;
    QTest::newRow("0640 inline") << group << inlineToken << false;
    QTest::newRow("0644 inline") << world << inlineToken << true;
    QTest::newRow("0644 empty inline token") << world << emptyToken << false;
    QTest::newRow("0644 token file") << world << fileToken << false;
}

void TestConfigLoader::worldReadableInlineToken()
{
    QFETCH(int, permissions);
    QFETCH(QByteArray, json);
    QFETCH(bool, warns);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(QStringLiteral("token")), "from-file\n"));
    const QString path = dir.filePath(QStringLiteral("config.json"));
    QVERIFY(writeFile(path, json, QFileDevice::Permissions(permissions)));

    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    if (!warns) {
        QVERIFY2(result.warnings.isEmpty(), qPrintable(describe(result.warnings)));
        return;
    }
    QCOMPARE(result.warnings.size(), 1);
    const ConfigError &warning = result.warnings.at(0);
    QCOMPARE(warning.file, path);
    QVERIFY(warning.path.isEmpty());
    QVERIFY(warning.message.contains(QStringLiteral("readable by every user")));
    QVERIFY(!warning.message.contains(QStringLiteral("secret")));
}

void TestConfigLoader::tokenFile_data()
{
    QTest::addColumn<QString>("reference"); ///< as written in the config; "$DIR" is the config's directory
    QTest::addColumn<QString>("fileName");  ///< relative to the config's directory; empty: create none
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("token"); ///< expected token; empty: expect an error
    QTest::addColumn<QString>("message");

    QTest::newRow("relative") << QStringLiteral("token.txt") << QStringLiteral("token.txt")
                              << QByteArray("s3cret") << QStringLiteral("s3cret") << QString();
    QTest::newRow("relative in subdirectory")
        << QStringLiteral("secrets/token") << QStringLiteral("secrets/token") << QByteArray("sub")
        << QStringLiteral("sub") << QString();
    QTest::newRow("absolute") << QStringLiteral("$DIR/abs") << QStringLiteral("abs")
                              << QByteArray("abs-token") << QStringLiteral("abs-token") << QString();
    QTest::newRow("trailing newline trimmed")
        << QStringLiteral("t") << QStringLiteral("t") << QByteArray("s3cret\n") << QStringLiteral("s3cret")
        << QString();
    QTest::newRow("trailing crlf trimmed")
        << QStringLiteral("t") << QStringLiteral("t") << QByteArray("s3cret\r\n") << QStringLiteral("s3cret")
        << QString();
    QTest::newRow("utf8 token") << QStringLiteral("t") << QStringLiteral("t") << QByteArray("t\xC3\xB6ken\n")
                                << QStringLiteral("t\u00F6ken") << QString();
    QTest::newRow("missing file") << QStringLiteral("nope.txt") << QString() << QByteArray() << QString()
                                  << QStringLiteral("cannot read $DIR/nope.txt");
    QTest::newRow("empty file") << QStringLiteral("t") << QStringLiteral("t") << QByteArray() << QString()
                                << QStringLiteral("$DIR/t is empty");
    QTest::newRow("newline only") << QStringLiteral("t") << QStringLiteral("t") << QByteArray("\n")
                                  << QString() << QStringLiteral("is empty");
    QTest::newRow("two lines") << QStringLiteral("t") << QStringLiteral("t") << QByteArray("a\nb\n")
                               << QString() << QStringLiteral("must not contain a line break");
}

void TestConfigLoader::tokenFile()
{
    QFETCH(QString, reference);
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QString, token);
    QFETCH(QString, message);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString directory = dir.path();
    reference.replace(QStringLiteral("$DIR"), directory);
    message.replace(QStringLiteral("$DIR"), directory);
    if (!fileName.isEmpty()) {
        if (fileName.contains(QLatin1Char('/')))
            QVERIFY(QDir(directory).mkpath(QFileInfo(fileName).path()));
        QVERIFY(writeFile(dir.filePath(fileName), content));
    }
    const QString path = dir.filePath(QStringLiteral("config.json"));
    QVERIFY(writeFile(path, withEndpoint({{QStringLiteral("auth-token-file"), reference}},
                                         {QStringLiteral("auth-token")})));

    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    if (!token.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
        const EndpointConfig &endpoint = result.config->endpoints.at(0);
        QCOMPARE(endpoint.authToken, token);
        QCOMPARE(endpoint.tokenSource, TokenSource::File);
        QCOMPARE(endpoint.tokenReference, reference);
        QVERIFY2(result.warnings.isEmpty(), qPrintable(describe(result.warnings)));
        return;
    }
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    const ConfigError &error = result.errors.at(0);
    QCOMPARE(error.file, path);
    QVERIFY2(error.path.startsWith(QStringLiteral("endpoints[0].auth-token")), qPrintable(error.path));
    QVERIFY2(error.message.contains(message), qPrintable(error.toString()));
}

void TestConfigLoader::tokenFileTooLarge()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(QStringLiteral("t")), QByteArray(64 * 1024 + 1, 'a')));
    const QString path = dir.filePath(QStringLiteral("config.json"));
    QVERIFY(writeFile(path, withEndpoint({{QStringLiteral("auth-token-file"), QStringLiteral("t")}},
                                         {QStringLiteral("auth-token")})));
    const ConfigLoadResult result = ConfigLoader::loadFile(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.at(0).path, QStringLiteral("endpoints[0].auth-token-file"));
    QVERIFY2(result.errors.at(0).message.contains(QStringLiteral("larger than 65536 bytes")),
             qPrintable(result.errors.at(0).message));
}

void TestConfigLoader::tokenEnvironment_data()
{
    QTest::addColumn<bool>("set");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("token"); ///< expected token; empty: expect an error
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    QTest::newRow("set") << true << QByteArray("env-s3cret") << QStringLiteral("env-s3cret") << QString()
                         << QString();
    QTest::newRow("set, utf8") << true << QByteArray("t\xC3\xB6ken") << QStringLiteral("t\u00F6ken")
                               << QString() << QString();
    QTest::newRow("unset") << false << QByteArray() << QString()
                           << QStringLiteral("endpoints[0].auth-token-env")
                           << QStringLiteral("environment variable PRC_TST_CONFIGLOADER_TOKEN is not set");
    QTest::newRow("set but empty") << true << QByteArray() << QString()
                                   << QStringLiteral("endpoints[0].auth-token-env")
                                   << QStringLiteral(
                                          "environment variable PRC_TST_CONFIGLOADER_TOKEN is empty");
    QTest::newRow("two lines") << true << QByteArray("two\nlines") << QString()
                               << QStringLiteral("endpoints[0].auth-token")
                               << QStringLiteral("the token must not contain a line break");
}

void TestConfigLoader::tokenEnvironment()
{
    QFETCH(bool, set);
    QFETCH(QByteArray, value);
    QFETCH(QString, token);
    QFETCH(QString, path);
    QFETCH(QString, message);

    const QByteArray variable("PRC_TST_CONFIGLOADER_TOKEN");
    if (set)
        QVERIFY(qputenv(variable.constData(), value));
    else
        qunsetenv(variable.constData());
    const QByteArray json = withEndpoint({{QStringLiteral("auth-token-env"), QString::fromLatin1(variable)}},
                                         {QStringLiteral("auth-token")});
    const ConfigLoadResult result = ConfigLoader::parse(json, FileName);
    qunsetenv(variable.constData());

    if (!token.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
        const EndpointConfig &endpoint = result.config->endpoints.at(0);
        QCOMPARE(endpoint.authToken, token);
        QCOMPARE(endpoint.tokenSource, TokenSource::Environment);
        QCOMPARE(endpoint.tokenReference, QString::fromLatin1(variable));
        return;
    }
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.at(0).file, FileName);
    QCOMPARE(result.errors.at(0).path, path);
    QCOMPARE(result.errors.at(0).message, message);
}

void TestConfigLoader::endpointKeys()
{
    const QStringList expected{QStringLiteral("name"),
                               QStringLiteral("mode"),
                               QStringLiteral("target"),
                               QStringLiteral("bind-address"),
                               QStringLiteral("bind-port"),
                               QStringLiteral("bind-path"),
                               QStringLiteral("socket-mode"),
                               QStringLiteral("socket-group"),
                               QStringLiteral("auth-token"),
                               QStringLiteral("auth-token-file"),
                               QStringLiteral("auth-token-env"),
                               QStringLiteral("request-timeout"),
                               QStringLiteral("list-separator"),
                               QStringLiteral("max-connections"),
                               QStringLiteral("idle-timeout"),
                               QStringLiteral("max-request-size"),
                               QStringLiteral("max-in-flight"),
                               QStringLiteral("max-response-size"),
                               QStringLiteral("backend-connections"),
                               QStringLiteral("backend-http2"),
                               QStringLiteral("backend-client"),
                               QStringLiteral("tls-ca-file"),
                               QStringLiteral("tls-client-cert"),
                               QStringLiteral("tls-client-key"),
                               QStringLiteral("tls-verify"),
                               QStringLiteral("backend-unix-socket"),
                               QStringLiteral("value-path"),
                               QStringLiteral("not-found-statuses"),
                               QStringLiteral("failure-action"),
                               QStringLiteral("max-queued-calls")};
    QCOMPARE(ConfigLoader::endpointKeys(), expected);
}

void TestConfigLoader::modeNames_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("name");
    QTest::newRow("tcp") << int(EndpointMode::TcpLookup) << QStringLiteral("tcp-lookup");
    QTest::newRow("socketmap") << int(EndpointMode::SocketmapLookup) << QStringLiteral("socketmap-lookup");
    QTest::newRow("policy") << int(EndpointMode::Policy) << QStringLiteral("policy");
}

void TestConfigLoader::modeNames()
{
    QFETCH(int, mode);
    QFETCH(QString, name);
    QCOMPARE(modeName(EndpointMode(mode)), name);
    const auto parsed = modeFromName(name);
    QVERIFY(parsed.has_value());
    QCOMPARE(int(*parsed), mode);
    QVERIFY(!modeFromName(name.toUpper()).has_value());
    QVERIFY(!modeFromName(name + QLatin1Char(' ')).has_value());
}

void TestConfigLoader::modeDefaults_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("idleTimeoutMs");
    QTest::addColumn<qint64>("maxRequestSize");
    QTest::newRow("tcp") << int(EndpointMode::TcpLookup) << 600000 << qint64(64 * 1024);
    QTest::newRow("socketmap") << int(EndpointMode::SocketmapLookup) << 30000 << qint64(100000);
    QTest::newRow("policy") << int(EndpointMode::Policy) << 330000 << qint64(64 * 1024);
}

void TestConfigLoader::modeDefaults()
{
    QFETCH(int, mode);
    QFETCH(int, idleTimeoutMs);
    QFETCH(qint64, maxRequestSize);

    EndpointConfig endpoint;
    endpoint.mode = EndpointMode(mode);
    QCOMPARE(endpoint.effectiveIdleTimeoutMs(), idleTimeoutMs);
    QCOMPARE(endpoint.effectiveMaxRequestSize(), maxRequestSize);
    endpoint.idleTimeoutMs = 1234;
    endpoint.maxRequestSize = 777;
    QCOMPARE(endpoint.effectiveIdleTimeoutMs(), 1234);
    QCOMPARE(endpoint.effectiveMaxRequestSize(), qint64(777));
}

void TestConfigLoader::endpointEquality()
{
    const EndpointConfig base = ConfigLoader::parse(withEndpoint({}), FileName).config->endpoints.at(0);
    EndpointConfig copy = base;
    QVERIFY(copy == base);
    QVERIFY(copy.sameListener(base));

    // Every field takes part in ==; only address and port in sameListener().
    const QList<std::function<void(EndpointConfig &)>> changes{
        [](EndpointConfig &e) { e.name += QLatin1Char('x'); },
        [](EndpointConfig &e) { e.mode = EndpointMode::Policy; },
        [](EndpointConfig &e) { e.target = QUrl(QStringLiteral("http://other/")); },
        [](EndpointConfig &e) { e.authToken += QLatin1Char('x'); },
        [](EndpointConfig &e) { e.tokenSource = TokenSource::File; },
        [](EndpointConfig &e) { e.tokenReference = QStringLiteral("f"); },
        [](EndpointConfig &e) { e.requestTimeoutMs += 1; },
        [](EndpointConfig &e) { e.listSeparator = QStringLiteral(";"); },
        [](EndpointConfig &e) { e.maxConnections += 1; },
        [](EndpointConfig &e) { e.idleTimeoutMs += 1; },
        [](EndpointConfig &e) { e.maxRequestSize += 1; },
        [](EndpointConfig &e) { e.maxInFlight += 1; },
        [](EndpointConfig &e) { e.maxResponseSize += 1; },
    };
    for (int i = 0; i < changes.size(); ++i) {
        copy = base;
        changes.at(i)(copy);
        QVERIFY2(copy != base, qPrintable(QString::number(i)));
        QVERIFY2(copy.sameListener(base), qPrintable(QString::number(i)));
    }
    copy = base;
    copy.bindPort += 1;
    QVERIFY(copy != base);
    QVERIFY(!copy.sameListener(base));
    copy = base;
    copy.bindAddress = QStringLiteral("0.0.0.0");
    QVERIFY(copy != base);
    QVERIFY(!copy.sameListener(base));
}

void TestConfigLoader::secretsNotResolvedWhenDisabled()
{
    const QByteArray variable("PRC_TST_CONFIGLOADER_UNSET");
    qunsetenv(variable.constData());
    QJsonObject fromEnv = baseEndpoint(QStringLiteral("env"), 9001);
    fromEnv.remove(QStringLiteral("auth-token"));
    fromEnv.insert(QStringLiteral("auth-token-env"), QString::fromLatin1(variable));
    QJsonObject fromFile = baseEndpoint(QStringLiteral("file"), 9002);
    fromFile.remove(QStringLiteral("auth-token"));
    fromFile.insert(QStringLiteral("auth-token-file"), QStringLiteral("/nonexistent/token"));

    ConfigLoader::Options options;
    options.resolveSecrets = false;
    const ConfigLoadResult result = ConfigLoader::parse(document({fromEnv, fromFile}), FileName, options);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QCOMPARE(result.config->endpoints.at(0).tokenSource, TokenSource::Environment);
    QCOMPARE(result.config->endpoints.at(0).tokenReference, QString::fromLatin1(variable));
    QVERIFY(result.config->endpoints.at(0).authToken.isEmpty());
    QCOMPARE(result.config->endpoints.at(1).tokenSource, TokenSource::File);
    QCOMPARE(result.config->endpoints.at(1).tokenReference, QStringLiteral("/nonexistent/token"));

    // With resolution on, the same config reports both.
    const ConfigLoadResult resolved = ConfigLoader::parse(document({fromEnv, fromFile}), FileName);
    QCOMPARE(resolved.errors.size(), 2);
}

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "tst_configloader.moc"
