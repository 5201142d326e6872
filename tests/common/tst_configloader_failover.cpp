// SPDX-License-Identifier: GPL-3.0-or-later
// The keys that decide where a call goes and how an answer is read: "target" as an array, "circuit-breaker",
// "value-path", "not-found-statuses", "failure-action", "cache.key-attributes" and "max-queued-calls".
#include "config/configloader.h"
#include "config/policyfailureaction.h"
#include "configerrortext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <functional>

using namespace prc;
using prc::test::render;

namespace {

const QString FileName = QStringLiteral("/etc/postfix-rest-connector/test.json");
const QString Tcp = QStringLiteral("tcp-lookup");
const QString Socketmap = QStringLiteral("socketmap-lookup");
const QString Policy = QStringLiteral("policy");

/// One endpoint of `mode` with the keys of `set` added (or replaced).
QByteArray config(const QJsonObject &set, const QString &mode = Tcp)
{
    QJsonObject endpoint{{QStringLiteral("name"), QStringLiteral("e")},
                         {QStringLiteral("mode"), mode},
                         {QStringLiteral("target"), QStringLiteral("http://127.0.0.1:9000/lookup")},
                         {QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")},
                         {QStringLiteral("bind-port"), 9001},
                         {QStringLiteral("auth-token"), QStringLiteral("t0ken")}};
    for (auto it = set.begin(); it != set.end(); ++it)
        endpoint.insert(it.key(), it.value());
    return QJsonDocument(QJsonObject{{QStringLiteral("endpoints"), QJsonArray{endpoint}}}).toJson();
}

EndpointConfig parsed(const QJsonObject &set, const QString &mode = Tcp)
{
    const ConfigLoadResult result = ConfigLoader::parse(config(set, mode), FileName);
    return result.ok() ? result.config->endpoints.constFirst() : EndpointConfig();
}

const QString P = QStringLiteral("endpoints[0].");

} // namespace

class TestConfigLoaderFailover : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsKeepTodaysBehaviour_data();
    void defaultsKeepTodaysBehaviour();
    void targetArray();
    void circuitBreaker();
    void answerShape();
    void policyKeys();
    void errors_data();
    void errors();
    void warnings_data();
    void warnings();
    void failureActions_data();
    void failureActions();
    void circuitBreakerKeys();
    void newKeysTakePartInEquality();
};

void TestConfigLoaderFailover::defaultsKeepTodaysBehaviour_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("tcp") << Tcp;
    QTest::newRow("socketmap") << Socketmap;
    QTest::newRow("policy") << Policy;
}

void TestConfigLoaderFailover::defaultsKeepTodaysBehaviour()
{
    QFETCH(QString, mode);
    const ConfigLoadResult result = ConfigLoader::parse(config({}, mode), FileName);
    QVERIFY(result.ok());
    QVERIFY(result.warnings.isEmpty());
    const EndpointConfig &e = result.config->endpoints.constFirst();
    QCOMPARE(e.targets(), QList<QUrl>{QUrl(QStringLiteral("http://127.0.0.1:9000/lookup"))});
    QVERIFY(e.failoverTargets.isEmpty());
    QVERIFY(!e.circuitBreaker.enabled);
    QVERIFY(e.valuePath.isEmpty());
    QCOMPARE(e.notFoundStatuses, QList<int>{404});
    QVERIFY(e.failureAction.isEmpty());
    QVERIFY(e.cache.keyAttributes.isEmpty());
    QCOMPARE(e.maxQueuedCalls, EndpointConfig::UnboundedQueue);
}

void TestConfigLoaderFailover::targetArray()
{
    const QJsonArray urls{QStringLiteral("http://a.test/x"), QStringLiteral("https://b.test:8443/y?t=1")};
    const EndpointConfig e = parsed({{QStringLiteral("target"), urls}});
    QCOMPARE(e.target, QUrl(QStringLiteral("http://a.test/x")));
    QCOMPARE(e.failoverTargets, QList<QUrl>{QUrl(QStringLiteral("https://b.test:8443/y?t=1"))});
    QCOMPARE(e.targets().size(), 2);

    // A one-element array is the same endpoint as the plain string.
    QCOMPARE(parsed({{QStringLiteral("target"), QJsonArray{QStringLiteral("http://127.0.0.1:9000/lookup")}}}),
             parsed({}));
}

void TestConfigLoaderFailover::circuitBreaker()
{
    EndpointConfig e = parsed({{QStringLiteral("circuit-breaker"), QJsonObject()}});
    QVERIFY(e.circuitBreaker.enabled);
    QCOMPARE(e.circuitBreaker.failures, CircuitBreakerConfig::DefaultFailures);
    QCOMPARE(e.circuitBreaker.openForMs, CircuitBreakerConfig::DefaultOpenForMs);
    QCOMPARE(CircuitBreakerConfig::DefaultFailures, 5);
    QCOMPARE(CircuitBreakerConfig::DefaultOpenForMs, 10000);

    e = parsed({{QStringLiteral("circuit-breaker"),
                 QJsonObject{{QStringLiteral("failures"), 2}, {QStringLiteral("open-for"), 250}}}});
    QVERIFY(e.circuitBreaker.enabled);
    QCOMPARE(e.circuitBreaker.failures, 2);
    QCOMPARE(e.circuitBreaker.openForMs, 250);
}

void TestConfigLoaderFailover::answerShape()
{
    EndpointConfig e = parsed({{QStringLiteral("value-path"), QStringLiteral("/data/aliases")},
                               {QStringLiteral("not-found-statuses"), QJsonArray{404, 410, 204}}},
                              Socketmap);
    QCOMPARE(e.valuePath, QStringLiteral("/data/aliases"));
    QCOMPARE(e.notFoundStatuses, (QList<int>{404, 410, 204}));

    // An empty list: no status means "not found", a 404 becomes a rejection like any other 4xx.
    e = parsed({{QStringLiteral("not-found-statuses"), QJsonArray()}});
    QVERIFY(e.notFoundStatuses.isEmpty());
    // The empty pointer is the whole body, as without the key.
    e = parsed({{QStringLiteral("value-path"), QString()}});
    QVERIFY(e.valuePath.isEmpty());
    e = parsed({{QStringLiteral("value-path"), QStringLiteral("/a~1b/~0c/0/")}});
    QCOMPARE(e.valuePath, QStringLiteral("/a~1b/~0c/0/"));
}

void TestConfigLoaderFailover::policyKeys()
{
    const ConfigLoadResult result = ConfigLoader::parse(
        config({{QStringLiteral("failure-action"), QStringLiteral("DEFER_IF_PERMIT backend down")},
                {QStringLiteral("max-queued-calls"), 0},
                {QStringLiteral("cache"),
                 QJsonObject{{QStringLiteral("enabled"), true},
                             {QStringLiteral("key-attributes"),
                              QJsonArray{QStringLiteral("client_address"), QStringLiteral("sender")}}}}},
               Policy),
        FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    const EndpointConfig &e = result.config->endpoints.constFirst();
    QCOMPARE(e.failureAction, QStringLiteral("DEFER_IF_PERMIT backend down"));
    QCOMPARE(e.maxQueuedCalls, 0);
    QCOMPARE(e.cache.keyAttributes,
             (QStringList{QStringLiteral("client_address"), QStringLiteral("sender")}));
    // The risk of sharing answers is spelt out once, on the key that causes it.
    QCOMPARE(
        render(result.warnings),
        QStringList{P
                    + QStringLiteral("cache.key-attributes: one policy answer is shared by every request "
                                     "with the same client_address, sender; the backend must decide on "
                                     "these attributes alone")});
}

void TestConfigLoaderFailover::errors_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QJsonObject>("set");
    QTest::addColumn<QStringList>("errors");

    const auto row = [](const char *name, const QString &mode, const QJsonObject &set,
                        const QStringList &errors) {
        QTest::newRow(name) << mode << set << errors;
    };
    const QString t = QStringLiteral("target");
    row("target a number", Tcp, {{t, 5}},
        {P + QStringLiteral("target: must be a URL string or an array of URLs, found a number")});
    row("target empty array", Tcp, {{t, QJsonArray()}},
        {P + QStringLiteral("target: is an empty array; give at least one URL")});
    row("target array with a number", Tcp, {{t, QJsonArray{QStringLiteral("http://a/"), 3}}},
        {P + QStringLiteral("target[1]: must be a URL string, found a number")});
    row("target array with an empty string", Tcp, {{t, QJsonArray{QStringLiteral("http://a/"), QString()}}},
        {P + QStringLiteral("target[1]: must not be empty")});
    row("target array with ftp", Tcp,
        {{t, QJsonArray{QStringLiteral("http://a/"), QStringLiteral("ftp://b/")}}},
        {P + QStringLiteral("target[1]: \"ftp://b/\" must be an http:// or https:// URL")});
    row("target array twice the same", Policy,
        {{t, QJsonArray{QStringLiteral("http://a/p"), QStringLiteral("http://b/p"),
                        QStringLiteral("http://a/p")}}},
        {P + QStringLiteral("target[2]: \"http://a/p\" is already listed at endpoints[0].target[0]")});
    QJsonArray many;
    for (int i = 0; i < 17; ++i)
        many.append(QStringLiteral("http://h%1/").arg(i));
    row("target 17 urls", Tcp, {{t, many}},
        {P + QStringLiteral("target: lists 17 URLs; at most 16 are allowed")});

    const QString cb = QStringLiteral("circuit-breaker");
    row("circuit-breaker true", Tcp, {{cb, true}},
        {P + QStringLiteral("circuit-breaker: must be an object, found a boolean")});
    row("circuit-breaker failures 0", Tcp, {{cb, QJsonObject{{QStringLiteral("failures"), 0}}}},
        {P + QStringLiteral("circuit-breaker.failures: 0 is out of range (1..1000)")});
    row("circuit-breaker failures a string", Tcp,
        {{cb, QJsonObject{{QStringLiteral("failures"), QStringLiteral("5")}}}},
        {P + QStringLiteral("circuit-breaker.failures: must be an integer, found a string")});
    row("circuit-breaker open-for 99", Tcp, {{cb, QJsonObject{{QStringLiteral("open-for"), 99}}}},
        {P + QStringLiteral("circuit-breaker.open-for: 99 is out of range (100..3600000)")});
    row("circuit-breaker open-for 1.5", Tcp, {{cb, QJsonObject{{QStringLiteral("open-for"), 1000.5}}}},
        {P + QStringLiteral("circuit-breaker.open-for: must be an integer, found 1000.5")});

    const QString vp = QStringLiteral("value-path");
    row("value-path without slash", Tcp, {{vp, QStringLiteral("data/aliases")}},
        {P
         + QStringLiteral(
             "value-path: \"data/aliases\" is not a JSON pointer: it must be empty or start with "
             "\"/\" (RFC 6901)")});
    row("value-path bad escape", Tcp, {{vp, QStringLiteral("/a~2")}},
        {P
         + QStringLiteral(
             "value-path: \"/a~2\" is not a JSON pointer: \"~\" at offset 2 must be followed by 0 "
             "or 1 (\"~0\" is ~, \"~1\" is /)")});
    row("value-path trailing tilde", Tcp, {{vp, QStringLiteral("/a~")}},
        {P
         + QStringLiteral(
             "value-path: \"/a~\" is not a JSON pointer: \"~\" at offset 2 must be followed by 0 "
             "or 1 (\"~0\" is ~, \"~1\" is /)")});
    row("value-path an array", Tcp, {{vp, QJsonArray{QStringLiteral("data")}}},
        {P + QStringLiteral("value-path: must be a string, found an array")});

    const QString nf = QStringLiteral("not-found-statuses");
    row("not-found-statuses a number", Tcp, {{nf, 404}},
        {P + QStringLiteral("not-found-statuses: must be an array of HTTP statuses, found a number")});
    row("not-found-statuses a string item", Tcp, {{nf, QJsonArray{404, QStringLiteral("410")}}},
        {P + QStringLiteral("not-found-statuses[1]: must be an integer HTTP status, found a string")});
    row("not-found-statuses fraction", Tcp, {{nf, QJsonArray{404.5}}},
        {P + QStringLiteral("not-found-statuses[0]: must be an integer HTTP status, found 404.5")});
    row("not-found-statuses 99", Socketmap, {{nf, QJsonArray{99}}},
        {P + QStringLiteral("not-found-statuses[0]: 99 is not an HTTP status (100..599)")});
    row("not-found-statuses 600", Tcp, {{nf, QJsonArray{600}}},
        {P + QStringLiteral("not-found-statuses[0]: 600 is not an HTTP status (100..599)")});
    row("not-found-statuses 200", Tcp, {{nf, QJsonArray{200}}},
        {P
         + QStringLiteral(
             "not-found-statuses[0]: 200 is the status of an answer; list other statuses only")});
    row("not-found-statuses twice", Tcp, {{nf, QJsonArray{404, 410, 404}}},
        {P + QStringLiteral("not-found-statuses[2]: 404 is listed twice")});

    const QString fa = QStringLiteral("failure-action");
    row("failure-action a number", Policy, {{fa, 451}},
        {P + QStringLiteral("failure-action: must be a string, found a number")});
    row("failure-action unknown", Policy, {{fa, QStringLiteral("ACCEPT")}},
        {P
         + QStringLiteral("failure-action: \"ACCEPT\" is not a Postfix access(5) action; use e.g. \"451 "
                          "4.3.0\", \"DEFER\", \"DEFER_IF_PERMIT\", \"REJECT\" or \"DUNNO\"")});

    const QString mq = QStringLiteral("max-queued-calls");
    row("max-queued-calls -1", Tcp, {{mq, -1}},
        {P + QStringLiteral("max-queued-calls: -1 is out of range (0..1000000)")});
    row("max-queued-calls a string", Tcp, {{mq, QStringLiteral("10")}},
        {P + QStringLiteral("max-queued-calls: must be an integer, found a string")});

    const auto cache = [](const QJsonValue &attributes) {
        return QJsonObject{
            {QStringLiteral("cache"),
             QJsonObject{{QStringLiteral("enabled"), true}, {QStringLiteral("key-attributes"), attributes}}}};
    };
    row("key-attributes a string", Policy, cache(QStringLiteral("sender")),
        {P
         + QStringLiteral(
             "cache.key-attributes: must be an array of policy attribute names, found a string")});
    row("key-attributes empty", Policy, cache(QJsonArray()),
        {P + QStringLiteral("cache.key-attributes: is empty; list the attributes the answer depends on")});
    row("key-attributes a number item", Policy, cache(QJsonArray{QStringLiteral("sender"), 1}),
        {P + QStringLiteral("cache.key-attributes[1]: must be a string, found a number")});
    row("key-attributes upper case", Policy, cache(QJsonArray{QStringLiteral("Sender")}),
        {P
         + QStringLiteral("cache.key-attributes[0]: \"Sender\" is not a policy attribute name (lower-case "
                          "letters, digits, _)")});
    row("key-attributes with =", Policy, cache(QJsonArray{QStringLiteral("a=b")}),
        {P
         + QStringLiteral("cache.key-attributes[0]: \"a=b\" is not a policy attribute name (lower-case "
                          "letters, digits, _)")});
    row("key-attributes twice", Policy, cache(QJsonArray{QStringLiteral("sender"), QStringLiteral("sender")}),
        {P + QStringLiteral("cache.key-attributes[1]: \"sender\" is listed twice")});

    // Everything at once: each problem is named by its own path.
    row("several", Policy, {{t, QJsonArray{1}}, {vp, QStringLiteral("x")}, {fa, QString()}, {mq, 2.5}},
        {P + QStringLiteral("target[0]: must be a URL string, found a number"),
         P
             + QStringLiteral(
                 "value-path: \"x\" is not a JSON pointer: it must be empty or start with \"/\" (RFC "
                 "6901)"),
         P + QStringLiteral("failure-action: must not be empty"),
         P + QStringLiteral("max-queued-calls: must be an integer, found 2.5")});
}

void TestConfigLoaderFailover::errors()
{
    QFETCH(QString, mode);
    QFETCH(QJsonObject, set);
    QFETCH(QStringList, errors);
    const ConfigLoadResult result = ConfigLoader::parse(config(set, mode), FileName);
    QVERIFY(!result.ok());
    QCOMPARE(render(result.errors), errors);
    for (const ConfigError &error : result.errors)
        QCOMPARE(error.file, FileName);
}

void TestConfigLoaderFailover::warnings_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QJsonObject>("set");
    QTest::addColumn<QStringList>("warnings");

    const auto row = [](const char *name, const QString &mode, const QJsonObject &set,
                        const QStringList &warnings) {
        QTest::newRow(name) << mode << set << warnings;
    };
    const QString fa = QStringLiteral("failure-action");
    row("default action", Policy, {{fa, QStringLiteral("451 4.3.0")}}, {});
    row("DEFER", Policy, {{fa, QStringLiteral("DEFER")}}, {});
    row("DUNNO fails open", Policy, {{fa, QStringLiteral("DUNNO")}},
        {P
         + QStringLiteral(
             "failure-action: \"DUNNO\" fails open: while the backend fails, mail passes without "
             "the policy check")});
    row("OK fails open", Policy, {{fa, QStringLiteral("OK")}},
        {P
         + QStringLiteral(
             "failure-action: \"OK\" fails open: while the backend fails, mail passes without the "
             "policy check")});
    row("REJECT bounces", Policy, {{fa, QStringLiteral("REJECT")}},
        {P
         + QStringLiteral(
             "failure-action: \"REJECT\" rejects for good: while the backend fails, mail bounces")});
    row("550 bounces", Policy, {{fa, QStringLiteral("550 5.7.1 no policy")}},
        {P
         + QStringLiteral(
             "failure-action: \"550 5.7.1 no policy\" rejects for good: while the backend fails, "
             "mail bounces")});
    row("failure-action on a lookup", Tcp, {{fa, QStringLiteral("DEFER")}},
        {P + QStringLiteral("failure-action: only policy endpoints use this key; ignored")});
    row("value-path on policy", Policy, {{QStringLiteral("value-path"), QStringLiteral("/a")}},
        {P + QStringLiteral("value-path: only lookup endpoints use this key; ignored")});
    row("not-found-statuses on policy", Policy, {{QStringLiteral("not-found-statuses"), QJsonArray{404}}},
        {P + QStringLiteral("not-found-statuses: only lookup endpoints use this key; ignored")});
    row("key-attributes on a lookup", Socketmap,
        {{QStringLiteral("cache"),
          QJsonObject{{QStringLiteral("enabled"), true},
                      {QStringLiteral("key-attributes"), QJsonArray{QStringLiteral("a")}}}}},
        {P + QStringLiteral("cache.key-attributes: only policy endpoints use this key; ignored")});
    row("unknown circuit-breaker key", Tcp,
        {{QStringLiteral("circuit-breaker"), QJsonObject{{QStringLiteral("failure"), 3}}}},
        {P + QStringLiteral("circuit-breaker.failure: unknown key, ignored; did you mean \"failures\"?")});
}

void TestConfigLoaderFailover::warnings()
{
    QFETCH(QString, mode);
    QFETCH(QJsonObject, set);
    QFETCH(QStringList, warnings);
    const ConfigLoadResult result = ConfigLoader::parse(config(set, mode), FileName);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(QLatin1Char('\n'))));
    QCOMPARE(render(result.warnings), warnings);
}

void TestConfigLoaderFailover::failureActions_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("problem");
    QTest::addColumn<bool>("acceptsText");
    QTest::addColumn<int>("risk");

    using R = PolicyFailureAction::Risk;
    const auto row = [](const QString &action, const QString &problem, bool text, R risk) {
        QTest::newRow(qPrintable(action.isEmpty() ? QStringLiteral("(empty)") : action))
            << action << problem << text << int(risk);
    };
    row(QStringLiteral("451 4.3.0"), {}, true, R::None);
    row(QStringLiteral("421"), {}, true, R::None);
    row(QStringLiteral("554 5.7.1 policy unavailable"), {}, true, R::Bounces);
    row(QStringLiteral("DEFER"), {}, true, R::None);
    row(QStringLiteral("defer try later"), {}, true, R::None);
    row(QStringLiteral("DEFER_IF_PERMIT"), {}, true, R::None);
    row(QStringLiteral("DEFER_IF_REJECT"), {}, true, R::FailsOpen);
    row(QStringLiteral("REJECT"), {}, true, R::Bounces);
    row(QStringLiteral("HOLD"), {}, true, R::None);
    row(QStringLiteral("DISCARD"), {}, true, R::Discards);
    row(QStringLiteral("WARN"), {}, true, R::FailsOpen);
    row(QStringLiteral("INFO"), {}, true, R::FailsOpen);
    row(QStringLiteral("DUNNO"), {}, false, R::FailsOpen);
    row(QStringLiteral("OK"), {}, false, R::FailsOpen);
    row(QStringLiteral("PREPEND X-Policy: unchecked"), {}, true, R::FailsOpen);
    row(QStringLiteral("REDIRECT quarantine@example.com"), {}, false, R::FailsOpen);
    row(QStringLiteral("DUNNO please"), QStringLiteral("DUNNO takes no text"), false, R::FailsOpen);
    row(QStringLiteral("REDIRECT"), QStringLiteral("REDIRECT needs an argument"), false, R::FailsOpen);
    row(QStringLiteral("351"),
        QStringLiteral("\"351\" is not an SMTP code Postfix accepts here (4NN or 5NN)"), false, R::None);
    row(QStringLiteral("45 4.3.0"),
        QStringLiteral("\"45\" is not an SMTP code Postfix accepts here (4NN or 5NN)"), false, R::None);
    row(QStringLiteral("permit"),
        QStringLiteral("\"permit\" is not a Postfix access(5) action; use e.g. \"451 4.3.0\", \"DEFER\", "
                       "\"DEFER_IF_PERMIT\", \"REJECT\" or \"DUNNO\""),
        false, R::None);
    row(QString(), QStringLiteral("must not be empty"), false, R::None);
    row(QStringLiteral("DEFER\nREJECT"), QStringLiteral("must be a single line"), false, R::None);
    row(QStringLiteral(" DEFER"), QStringLiteral("must not start or end with white space"), true, R::None);
    row(QStringLiteral("DEFER ") + QString(600, QLatin1Char('x')),
        QStringLiteral("is longer than 512 characters"), true, R::None);
}

void TestConfigLoaderFailover::failureActions()
{
    QFETCH(QString, action);
    QFETCH(QString, problem);
    QFETCH(bool, acceptsText);
    QFETCH(int, risk);
    QCOMPARE(PolicyFailureAction::problem(action), problem);
    QCOMPARE(PolicyFailureAction::acceptsText(action), acceptsText);
    QCOMPARE(int(PolicyFailureAction::risk(action)), risk);
    // The loader says the same as the helper, under the field's path.
    const ConfigLoadResult result =
        ConfigLoader::parse(config({{QStringLiteral("failure-action"), action}}, Policy), FileName);
    if (problem.isEmpty())
        QVERIFY(result.ok());
    else
        QCOMPARE(render(result.errors), QStringList{P + QStringLiteral("failure-action: ") + problem});
}

void TestConfigLoaderFailover::circuitBreakerKeys()
{
    QCOMPARE(ConfigLoader::circuitBreakerKeys(),
             (QStringList{QStringLiteral("failures"), QStringLiteral("open-for")}));
    QVERIFY(ConfigLoader::endpointSectionKeys().contains(QStringLiteral("circuit-breaker")));
}

void TestConfigLoaderFailover::newKeysTakePartInEquality()
{
    // Reload keeps an endpoint only when its config compares equal, so each new field must count.
    const EndpointConfig base = parsed({}, Policy);
    const QList<std::function<void(EndpointConfig &)>> changes{
        [](EndpointConfig &e) { e.failoverTargets.append(QUrl(QStringLiteral("http://b/"))); },
        [](EndpointConfig &e) { e.circuitBreaker.enabled = true; },
        [](EndpointConfig &e) { e.circuitBreaker.failures += 1; },
        [](EndpointConfig &e) { e.circuitBreaker.openForMs += 1; },
        [](EndpointConfig &e) { e.valuePath = QStringLiteral("/a"); },
        [](EndpointConfig &e) { e.notFoundStatuses.append(410); },
        [](EndpointConfig &e) { e.failureAction = QStringLiteral("DEFER"); },
        [](EndpointConfig &e) { e.maxQueuedCalls = 5; },
        [](EndpointConfig &e) { e.cache.keyAttributes.append(QStringLiteral("sender")); },
    };
    for (int i = 0; i < changes.size(); ++i) {
        EndpointConfig changed = base;
        changes.at(i)(changed);
        QVERIFY2(changed != base, qPrintable(QString::number(i)));
    }
}

QTEST_GUILESS_MAIN(TestConfigLoaderFailover)
#include "tst_configloader_failover.moc"
