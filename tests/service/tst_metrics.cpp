// SPDX-License-Identifier: GPL-3.0-or-later
// /metrics: the text exposition is parsed back and checked against the traffic the test generated.
#include "admin/adminserver.h"
#include "app/serviceapplication.h"
#include "fakebackend.h"
#include "httpfetch.h"
#include "listen/endpointcontext.h"
#include "listen/endpointserver.h"
#include "metrics/endpointmetrics.h"
#include "metrics/metricswriter.h"
#include "modeprotocol.h"
#include "modes/modehandler.h"
#include "postfixtestclient.h"
#include "protocol/policycodec.h"
#include "protocol/tcptablecodec.h"
#include "serviceprocess.h"
#include "version.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <csignal>

using namespace prc;
using namespace prc::test;
using Framing = PostfixTestClient::Framing;

Q_DECLARE_METATYPE(prc::ResultClass)

namespace {

/// A parsed exposition: samples by their printed series ("name{labels}"), and the declared family types.
struct Exposition
{
    QHash<QByteArray, double> samples;
    QHash<QByteArray, QByteArray> types;
    QStringList problems;

    double value(const QByteArray &series) const { return samples.value(series, -1); }

    static Exposition parse(const QByteArray &text)
    {
        Exposition result;
        static const QRegularExpression sampleLine(
            QStringLiteral("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*"
                           "\",?)*\\})? (\\S+)$"));
        QSet<QByteArray> finished; // families whose samples are complete: they must not come back
        QByteArray current;
        const QList<QByteArray> lines = text.split('\n');
        if (!text.endsWith('\n'))
            result.problems << QStringLiteral("no final line feed");
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            if (line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                const QList<QByteArray> parts = line.split(' ');
                const QByteArray family = parts.value(2);
                if (result.types.contains(family))
                    result.problems << QStringLiteral("TYPE twice: %1").arg(QString::fromUtf8(family));
                result.types.insert(family, parts.value(3));
                if (!current.isEmpty())
                    finished.insert(current);
                current = family;
                continue;
            }
            const auto match = sampleLine.match(QString::fromUtf8(line));
            if (!match.hasMatch()) {
                result.problems << QStringLiteral("unparsable: %1").arg(QString::fromUtf8(line));
                continue;
            }
            QByteArray name = match.captured(1).toUtf8();
            QByteArray family = name;
            for (const char *suffix : {"_bucket", "_sum", "_count"}) {
                const QByteArray base = name.endsWith(suffix) ? name.chopped(qstrlen(suffix)) : QByteArray();
                if (!base.isEmpty() && result.types.value(base) == "histogram")
                    family = base;
            }
            if (family != current || finished.contains(family))
                result.problems
                    << QStringLiteral("sample outside its family: %1").arg(QString::fromUtf8(line));
            bool ok = false;
            const QString number = match.captured(3);
            const double value = number == QLatin1String("+Inf") ? qInf() : number.toDouble(&ok);
            if (!ok && number != QLatin1String("+Inf"))
                result.problems << QStringLiteral("bad value: %1").arg(QString::fromUtf8(line));
            const QByteArray series = name + match.captured(2).toUtf8();
            if (result.samples.contains(series))
                result.problems << QStringLiteral("duplicate series: %1").arg(QString::fromUtf8(series));
            result.samples.insert(series, value);
        }
        return result;
    }
};

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escaping_data();
    void escaping();
    void doubles_data();
    void doubles();
    void replyClasses_data();
    void replyClasses();
    void histogramBuckets_data();
    void histogramBuckets();
    void afterKnownTraffic();
    void inFlightAndRefused();
    void executableServesMetrics();

private:
    bool startService(ServiceApplication &service, FakeBackend &backend);
};

void TestMetrics::escaping_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("escaped");
    QTest::newRow("plain") << QByteArray("domain-lookup") << QByteArray("domain-lookup");
    QTest::newRow("quote") << QByteArray("a\"b") << QByteArray("a\\\"b");
    QTest::newRow("backslash") << QByteArray("a\\b") << QByteArray("a\\\\b");
    QTest::newRow("newline") << QByteArray("a\nb") << QByteArray("a\\nb");
    QTest::newRow("utf-8 kept") << QByteArray("m\xc3\xa4il") << QByteArray("m\xc3\xa4il");
}

void TestMetrics::escaping()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, escaped);
    QCOMPARE(MetricsWriter::escapeLabelValue(raw), escaped);
    MetricsWriter writer;
    writer.family("x_total", "counter", "help");
    writer.sample("x_total", {{"endpoint", raw}}, quint64(3));
    QCOMPARE(writer.text(),
             "# HELP x_total help\n# TYPE x_total counter\nx_total{endpoint=\"" + escaped + "\"} 3\n");
}

void TestMetrics::doubles_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("0.005") << 0.005 << QByteArray("0.005");
    QTest::newRow("2.5") << 2.5 << QByteArray("2.5");
    QTest::newRow("10") << 10.0 << QByteArray("10");
    QTest::newRow("epoch seconds") << 1764125505.123 << QByteArray("1764125505.123");
    QTest::newRow("+Inf") << qInf() << QByteArray("+Inf");
}

void TestMetrics::doubles()
{
    QFETCH(double, value);
    QFETCH(QByteArray, text);
    QCOMPARE(MetricsWriter::formatDouble(value), text);
}

void TestMetrics::replyClasses_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<int>("outcome");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ResultClass>("expected");

    const int response = int(BackendResult::Outcome::Response);
    const int timeout = int(BackendResult::Outcome::Timeout);
    const int network = int(BackendResult::Outcome::NetworkError);
    const QByteArray found("[\"a\",\"b\"]");
    const QByteArray huge = "[\"" + QByteArray(5000, 'x') + "\"]";
    for (const auto mode : {EndpointMode::TcpLookup, EndpointMode::SocketmapLookup}) {
        const QByteArray m = modeName(mode).toUtf8();
        QTest::addRow("%s found", m.constData()) << mode << response << 200 << found << ResultClass::Found;
        QTest::addRow("%s []", m.constData())
            << mode << response << 200 << QByteArray("[]") << ResultClass::NotFound;
        QTest::addRow("%s 404", m.constData())
            << mode << response << 404 << QByteArray() << ResultClass::NotFound;
        QTest::addRow("%s 403", m.constData())
            << mode << response << 403 << QByteArray()
            << (mode == EndpointMode::SocketmapLookup ? ResultClass::PermError : ResultClass::TempError);
        QTest::addRow("%s 503", m.constData()) << mode << response << 503 << found << ResultClass::TempError;
        QTest::addRow("%s bad json", m.constData())
            << mode << response << 200 << QByteArray("{") << ResultClass::TempError;
        QTest::addRow("%s timeout", m.constData())
            << mode << timeout << 0 << QByteArray() << ResultClass::TempError;
        QTest::addRow("%s network", m.constData())
            << mode << network << 0 << QByteArray() << ResultClass::TempError;
    }
    QTest::newRow("tcp-lookup over the reply limit")
        << EndpointMode::TcpLookup << response << 200 << huge << ResultClass::TempError;
    QTest::newRow("socketmap-lookup under its reply limit")
        << EndpointMode::SocketmapLookup << response << 200 << huge << ResultClass::Found;
    const auto policy = EndpointMode::Policy;
    QTest::newRow("policy action") << policy << response << 200 << QByteArray("REJECT no\n")
                                   << ResultClass::PolicyAction;
    QTest::newRow("policy 451 action")
        << policy << response << 200 << QByteArray("451 4.3.0 later") << ResultClass::PolicyAction;
    QTest::newRow("policy empty") << policy << response << 200 << QByteArray() << ResultClass::TempError;
    QTest::newRow("policy 403") << policy << response << 403 << QByteArray("DUNNO") << ResultClass::TempError;
    QTest::newRow("policy timeout") << policy << timeout << 0 << QByteArray() << ResultClass::TempError;
}

void TestMetrics::replyClasses()
{
    QFETCH(EndpointMode, mode);
    QFETCH(int, outcome);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(ResultClass, expected);
    EndpointConfig config;
    config.mode = mode;
    config.target = QUrl(QStringLiteral("http://127.0.0.1:9/x"));
    const auto handler = EndpointContext::createHandler(config);
    BackendResult result;
    result.outcome = BackendResult::Outcome(outcome);
    result.status = status;
    result.body = body;
    result.error = QStringLiteral("failed");
    // The cheap classification of the real reply agrees with the table.
    const QByteArray reply = handler->reply(result, "id-1");
    QCOMPARE(classifyReply(mode, result, reply), expected);
}

void TestMetrics::histogramBuckets_data()
{
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<int>("bucket"); // index into DurationBucketsMs; its size = +Inf
    QTest::newRow("0 ms") << qint64(0) << 0;
    QTest::newRow("5 ms is le 0.005") << qint64(5) << 0;
    QTest::newRow("6 ms") << qint64(6) << 1;
    QTest::newRow("1000 ms") << qint64(1000) << 7;
    QTest::newRow("10000 ms") << qint64(10000) << 10;
    QTest::newRow("10001 ms") << qint64(10001) << 11;
}

void TestMetrics::histogramBuckets()
{
    QFETCH(qint64, elapsedMs);
    QFETCH(int, bucket);
    EndpointMetrics metrics;
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = 200;
    result.elapsedMs = elapsedMs;
    metrics.recordBackendCall(result, ResultClass::Found);
    QCOMPARE(metrics.durationBuckets[size_t(bucket)], quint64(1));
    QCOMPARE(metrics.backendCalls, quint64(1));
    QCOMPARE(metrics.backendDurationSumMs, elapsedMs);
    for (int kind = 0; kind < BackendErrorKindCount; ++kind)
        QCOMPARE(metrics.backendErrors[size_t(kind)], quint64(0));
}

bool TestMetrics::startService(ServiceApplication &service, FakeBackend &backend)
{
    backend.setHandler([](const FakeBackend::Request &request) {
        FakeBackend::Response response;
        QByteArray key = request.query.queryItemValue(QStringLiteral("key")).toUtf8();
        if (request.method == "POST")
            key = QUrlQuery(QString::fromUtf8(request.body))
                      .queryItemValue(QStringLiteral("recipient"))
                      .toUtf8();
        if (key == "found") {
            response.body = "[\"v\"]";
        } else if (key == "missing") {
            response.status = 404;
        } else if (key == "broken") {
            response.status = 503;
        } else if (key == "slow") {
            response.body = "DUNNO";
            response.delayMs = 2000; // long enough to scrape while it runs
        } else {
            response.body = "DUNNO";
        }
        return response;
    });

    const auto endpoint = [&backend](const QString &name, EndpointMode mode) {
        EndpointConfig config = localEndpoint(name, mode, backend.url(QStringLiteral("/lookup")));
        config.requestTimeoutMs = 10000;
        return config;
    };
    ServiceConfig config;
    config.endpoints.append(endpoint(QStringLiteral("lookups"), EndpointMode::TcpLookup));
    config.endpoints[0].cache.enabled = true;
    config.endpoints[0].maxConnections = 1;
    config.endpoints.append(endpoint(QStringLiteral("pol\"icy\\x"), EndpointMode::Policy));
    config.admin = AdminConfig{QStringLiteral("127.0.0.1"), 0};
    QString error;
    if (!service.start(config, &error)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    return true;
}

void TestMetrics::afterKnownTraffic()
{
    FakeBackend backend;
    QVERIFY(backend.listen());
    ServiceApplication service;
    QVERIFY(startService(service, backend));
    const quint16 adminPort = service.adminServer()->serverPort();

    PostfixTestClient tcp(Framing::Line);
    tcp.connectTo(service.endpoint(QStringLiteral("lookups"))->serverPort());
    tcp.write(TcpTableCodec::requestLine("found"));
    QTRY_COMPARE(tcp.replies().size(), 1);
    tcp.write(TcpTableCodec::requestLine("found")); // a cache hit
    tcp.write(TcpTableCodec::requestLine("missing"));
    tcp.write(TcpTableCodec::requestLine("broken"));
    tcp.write("get bad%zzescape\n"); // malformed, the connection stays
    QTRY_COMPARE(tcp.replies().size(), 5);
    QCOMPARE(tcp.replies().at(0), QByteArray("200 v"));
    QCOMPARE(tcp.replies().at(1), QByteArray("200 v"));

    PostfixTestClient policy(Framing::Policy);
    policy.connectTo(service.endpoint(QStringLiteral("pol\"icy\\x"))->serverPort());
    policy.write(PolicyCodec::request({{"request", "smtpd_access_policy"}, {"recipient", "anyone"}}));
    QTRY_COMPARE(policy.replies().size(), 1);

    const HttpFetch fetch = HttpFetch::get(adminPort, "/metrics");
    QCOMPARE(fetch.status, 200);
    QCOMPARE(fetch.header("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    const Exposition metrics = Exposition::parse(fetch.body);
    QVERIFY2(metrics.problems.isEmpty(), qPrintable(metrics.problems.join(QLatin1Char('\n'))));

    const QByteArray tcpLabel = "endpoint=\"lookups\"";
    const QByteArray policyLabel = "endpoint=\"pol\\\"icy\\\\x\"";
    const auto series = [](const char *name, const QByteArray &labels) -> QByteArray {
        return QByteArray(name) + '{' + labels + '}';
    };
    QCOMPARE(metrics.types.value("prc_requests_total"), QByteArray("counter"));
    QCOMPARE(metrics.types.value("prc_backend_request_duration_seconds"), QByteArray("histogram"));
    QCOMPARE(metrics.types.value("prc_cache_entries"), QByteArray("gauge"));

    QCOMPARE(metrics.value(series("prc_requests_total", tcpLabel + ",result=\"found\"")), 2.0);
    QCOMPARE(metrics.value(series("prc_requests_total", tcpLabel + ",result=\"not_found\"")), 1.0);
    QCOMPARE(metrics.value(series("prc_requests_total", tcpLabel + ",result=\"temp_error\"")), 1.0);
    QCOMPARE(metrics.value(series("prc_requests_total", tcpLabel + ",result=\"malformed\"")), 1.0);
    QCOMPARE(metrics.value(series("prc_requests_total", tcpLabel + ",result=\"policy_action\"")), 0.0);
    QCOMPARE(metrics.value(series("prc_requests_total", policyLabel + ",result=\"policy_action\"")), 1.0);

    QCOMPARE(metrics.value(series("prc_backend_errors_total", tcpLabel + ",kind=\"status_5xx\"")), 1.0);
    QCOMPARE(metrics.value(series("prc_backend_errors_total", tcpLabel + ",kind=\"timeout\"")), 0.0);
    QCOMPARE(metrics.value(series("prc_backend_errors_total", policyLabel + ",kind=\"status_5xx\"")), 0.0);

    // Three backend calls (found, missing, broken); the hit and the malformed request made none.
    QCOMPARE(metrics.value(series("prc_backend_request_duration_seconds_count", tcpLabel)), 3.0);
    QCOMPARE(metrics.value(series("prc_backend_request_duration_seconds_bucket", tcpLabel + ",le=\"+Inf\"")),
             3.0);
    double previous = 0;
    for (const qint64 bound : EndpointMetrics::DurationBucketsMs) {
        const double cumulative =
            metrics.value(series("prc_backend_request_duration_seconds_bucket",
                                 tcpLabel + ",le=\"" + MetricsWriter::formatDouble(bound / 1000.0) + '"'));
        QVERIFY(cumulative >= previous);
        previous = cumulative;
    }
    QVERIFY(metrics.value(series("prc_backend_request_duration_seconds_sum", tcpLabel)) >= 0.0);
    QCOMPARE(metrics.value(series("prc_backend_request_duration_seconds_count", policyLabel)), 1.0);

    QCOMPARE(metrics.value(series("prc_cache_enabled", tcpLabel)), 1.0);
    QCOMPARE(metrics.value(series("prc_cache_enabled", policyLabel)), 0.0);
    QCOMPARE(metrics.value(series("prc_cache_hits_total", tcpLabel)), 1.0);
    QCOMPARE(metrics.value(series("prc_cache_misses_total", tcpLabel)), 3.0);
    QCOMPARE(metrics.value(series("prc_cache_coalesced_total", tcpLabel)), 0.0);
    QCOMPARE(metrics.value(series("prc_cache_stale_total", tcpLabel)), 0.0);
    QCOMPARE(metrics.value(series("prc_cache_evictions_total", tcpLabel)), 0.0);
    QCOMPARE(metrics.value(series("prc_cache_entries", tcpLabel)), 2.0); // found and missing
    QVERIFY(metrics.value(series("prc_cache_bytes", tcpLabel)) > 0.0);
    QCOMPARE(metrics.value(series("prc_cache_bytes", policyLabel)), 0.0);

    QCOMPARE(metrics.value(series("prc_connections_open", tcpLabel)), 1.0);
    QCOMPARE(metrics.value(series("prc_connections_accepted_total", tcpLabel)), 1.0);
    QCOMPARE(metrics.value(series("prc_connections_refused_total", tcpLabel)), 0.0);
    QCOMPARE(metrics.value(series("prc_requests_in_flight", tcpLabel)), 0.0);
    QCOMPARE(metrics.value(series("prc_endpoint_up", tcpLabel + ",mode=\"tcp-lookup\"")), 1.0);
    QCOMPARE(metrics.value(series("prc_endpoint_up", policyLabel + ",mode=\"policy\"")), 1.0);

    QCOMPARE(metrics.value("prc_build_info{version=\"" PRC_VERSION "\",qt_version=\"" + QByteArray(qVersion())
                           + "\"}"),
             1.0);
    const double started = metrics.value("process_start_time_seconds");
    QVERIFY(qAbs(started - double(service.startTimeMs()) / 1000.0) < 0.002);
    QCOMPARE(metrics.value("prc_reloads_total"), 0.0);
}

void TestMetrics::inFlightAndRefused()
{
    FakeBackend backend;
    QVERIFY(backend.listen());
    ServiceApplication service;
    QVERIFY(startService(service, backend));
    const quint16 adminPort = service.adminServer()->serverPort();
    const QByteArray policyLabel = "endpoint=\"pol\\\"icy\\\\x\"";
    const QByteArray tcpLabel = "endpoint=\"lookups\"";

    PostfixTestClient policy(Framing::Policy);
    policy.connectTo(service.endpoint(QStringLiteral("pol\"icy\\x"))->serverPort());
    policy.write(PolicyCodec::request({{"request", "smtpd_access_policy"}, {"recipient", "slow"}}));
    QTRY_COMPARE(backend.requests().size(), 1);

    // max-connections is 1 on the lookup endpoint: the second connection is refused.
    PostfixTestClient first(Framing::Line);
    first.connectTo(service.endpoint(QStringLiteral("lookups"))->serverPort());
    QTRY_COMPARE(service.endpoint(QStringLiteral("lookups"))->sessionCount(), 1);
    PostfixTestClient second(Framing::Line);
    second.connectTo(service.endpoint(QStringLiteral("lookups"))->serverPort());
    QTRY_VERIFY(second.isClosed());

    Exposition metrics = Exposition::parse(HttpFetch::get(adminPort, "/metrics").body);
    QVERIFY2(metrics.problems.isEmpty(), qPrintable(metrics.problems.join(QLatin1Char('\n'))));
    QCOMPARE(metrics.value("prc_requests_in_flight{" + policyLabel + '}'), 1.0);
    QCOMPARE(metrics.value("prc_connections_refused_total{" + tcpLabel + '}'), 1.0);
    QCOMPARE(metrics.value("prc_connections_accepted_total{" + tcpLabel + '}'), 1.0);
    QCOMPARE(metrics.value("prc_connections_open{" + tcpLabel + '}'), 1.0);

    QTRY_COMPARE(policy.replies().size(), 1);
    metrics = Exposition::parse(HttpFetch::get(adminPort, "/metrics").body);
    QCOMPARE(metrics.value("prc_requests_in_flight{" + policyLabel + '}'), 0.0);
    QCOMPARE(metrics.value("prc_requests_total{" + policyLabel + ",result=\"policy_action\"}"), 1.0);
}

void TestMetrics::executableServesMetrics()
{
    FakeBackend backend;
    QVERIFY(backend.listen());
    FakeBackend::Response found;
    found.body = "[\"v\"]";
    backend.respond(found);
    ServiceProcess process;
    const quint16 adminPort = reservedPort();
    const quint16 endpointPort = reservedPort();
    const QJsonObject endpoint{{QStringLiteral("name"), QStringLiteral("d")},
                               {QStringLiteral("mode"), QStringLiteral("tcp-lookup")},
                               {QStringLiteral("target"), backend.url(QStringLiteral("/d")).toString()},
                               {QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")},
                               {QStringLiteral("bind-port"), endpointPort},
                               {QStringLiteral("auth-token"), QStringLiteral("t")},
                               {QStringLiteral("cache"), QJsonObject{{QStringLiteral("enabled"), true}}}};
    const QJsonObject config{
        {QStringLiteral("endpoints"), QJsonArray{endpoint}},
        {QStringLiteral("admin"), QJsonObject{{QStringLiteral("bind-port"), adminPort}}}};
    process.start({process.writeConfig(config)});
    QTRY_VERIFY2(process.isStarted(), process.output().constData());

    PostfixTestClient client(Framing::Line);
    client.connectTo(endpointPort);
    client.write(TcpTableCodec::requestLine("a") + TcpTableCodec::requestLine("a"));
    QTRY_COMPARE(client.replies().size(), 2);

    const HttpFetch fetch = HttpFetch::get(adminPort, "/metrics");
    QCOMPARE(fetch.status, 200);
    const Exposition metrics = Exposition::parse(fetch.body);
    QVERIFY2(metrics.problems.isEmpty(), qPrintable(metrics.problems.join(QLatin1Char('\n'))));
    QCOMPARE(metrics.value("prc_requests_total{endpoint=\"d\",result=\"found\"}"), 2.0);
    QCOMPARE(backend.requests().size(), 1);
    QCOMPARE(metrics.value("prc_cache_hits_total{endpoint=\"d\"}")
                 + metrics.value("prc_cache_coalesced_total{endpoint=\"d\"}"),
             1.0);
    QVERIFY(process.output().contains("admin listener"));
    process.sendSignal(SIGTERM);
    QTRY_VERIFY(process.hasExited());
    QCOMPARE(process.exitCode(), 0);
}

QTEST_MAIN(TestMetrics)
#include "tst_metrics.moc"
