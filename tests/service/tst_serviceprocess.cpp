// SPDX-License-Identifier: GPL-3.0-or-later
// The executable as an administrator meets it: command line, config errors, real signals, its log.
#include "fakebackend.h"
#include "httpfetch.h"
#include "postfixtestclient.h"
#include "protocol/tcptablecodec.h"
#include "serviceprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <csignal>
#include <memory>

using namespace prc;
using namespace prc::test;
using Fault = FakeBackend::Response::Fault;

namespace {

const QString Token = QStringLiteral("never-log-this-token-7f3a");

QJsonObject tcpEndpoint(const QString &name, quint16 port, const QUrl &target)
{
    return endpointObject(name, QStringLiteral("tcp-lookup"), port, target,
                          {{QStringLiteral("auth-token"), Token}, {QStringLiteral("request-timeout"), 1000}});
}

QJsonObject config(const QJsonArray &endpoints)
{
    QJsonObject root = configObject(endpoints);
    root.insert(QStringLiteral("user-agent"), QStringLiteral("ProcessTest"));
    return root;
}

QJsonObject withAdmin(QJsonObject root, quint16 adminPort)
{
    root.insert(QStringLiteral("admin"), QJsonObject{{QStringLiteral("bind-port"), int(adminPort)}});
    return root;
}

/// How the service ended, with its log: a crash is named as one.
QString exitDescription(const ServiceProcess &service)
{
    if (!service.hasExited())
        return QStringLiteral("still running");
    const QString how = service.exitStatus() == QProcess::CrashExit
                            ? QStringLiteral("crashed (signal %1)").arg(service.exitCode())
                            : QStringLiteral("exited with status %1").arg(service.exitCode());
    return QStringLiteral("the service %1; its log:\n%2").arg(how, QString::fromUtf8(service.output()));
}

/// Sends GET /healthz?probe=1 on a connection the caller keeps open: the answer waits for every backend.
void startHealthProbe(QTcpSocket &socket, quint16 adminPort)
{
    socket.connectToHost(QHostAddress::LocalHost, adminPort);
    socket.write("GET /healthz?probe=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

} // namespace

class TestServiceProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void commandLine_data();
    void commandLine();
    void configErrors_data();
    void configErrors();
    void portInUse();
    void sigtermFinishesInFlightRequests();
    void sighupReloads();
    void sighupWithBrokenConfigKeepsRunning();
    void tokenNeverLogged();
    void sigtermWhileHealthProbeWaits();
    void reloadWhileHealthProbeWaits();
    void probeClientLeavesAfterReload();

private:
    /// The backend never answers calls to /silent (a health probe that waits), and answers the rest.
    void silentOnSilentPath();

    FakeBackend *m_backend = nullptr;
};

void TestServiceProcess::silentOnSilentPath()
{
    m_backend->setHandler([](const FakeBackend::Request &request) {
        FakeBackend::Response response;
        if (request.path == "/silent")
            response.fault = Fault::NeverAnswer;
        else
            response.body = R"(["found"])";
        return response;
    });
}

void TestServiceProcess::init()
{
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
    FakeBackend::Response response;
    response.body = R"(["found"])";
    m_backend->respond(response);
}

void TestServiceProcess::cleanup()
{
    delete m_backend;
    m_backend = nullptr;
}

void TestServiceProcess::commandLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("withValidConfig");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("outputPart");

    QTest::newRow("no argument") << QStringList() << false << 2
                                 << QByteArray("expected exactly one argument");
    QTest::newRow("two arguments") << QStringList{QStringLiteral("a.json"), QStringLiteral("b.json")} << false
                                   << 2 << QByteArray("expected exactly one argument");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--bogus")} << false << 2
                                    << QByteArray("bogus");
    QTest::newRow("version") << QStringList{QStringLiteral("--version")} << false << 0
                             << QByteArray("postfix-rest-connector 1.");
    QTest::newRow("help") << QStringList{QStringLiteral("--help")} << false << 0
                          << QByteArray("--check-config");
    QTest::newRow("check valid config")
        << QStringList{QStringLiteral("--check-config")} << true << 0 << QByteArray("OK (1 endpoints)");
}

void TestServiceProcess::commandLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, withValidConfig);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, outputPart);

    ServiceProcess service;
    if (withValidConfig)
        arguments << service.writeConfig(
            config({tcpEndpoint(QStringLiteral("a"), reservedPort(), m_backend->url(QStringLiteral("/")))}));
    service.start(arguments);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 10000);
    QCOMPARE(service.exitCode(), exitCode);
    QVERIFY2(service.output().contains(outputPart), service.output().constData());
}

void TestServiceProcess::configErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected"); // "<file>: " is prefixed by the test

    const QByteArray ep =
        R"("name":"a","mode":"tcp-lookup","target":"http://127.0.0.1:1/x","bind-address":"127.0.0.1","auth-token":"t")";
    QTest::newRow("bad json") << QByteArray("{\n  \"endpoints\": [\n    {,\n")
                              << QByteArray("invalid JSON at line 3");
    QTest::newRow("not an object") << QByteArray("[]") << QByteArray("the top level must be a JSON object");
    QTest::newRow("no endpoints") << QByteArray("{}") << QByteArray("endpoints: missing");
    QTest::newRow("unknown mode") << QByteArray(
        R"({"endpoints":[{"name":"a","mode":"lookup","target":"http://x/","bind-address":"127.0.0.1","bind-port":1025,"auth-token":"t"}]})")
                                  << QByteArray("endpoints[0].mode: unknown mode \"lookup\"");
    QTest::newRow("port as string") << QByteArray(R"({"endpoints":[{)" + ep + R"(,"bind-port":"25"}]})")
                                    << QByteArray(
                                           "endpoints[0].bind-port: must be an integer, found a string");
    QTest::newRow("port out of range")
        << QByteArray(R"({"endpoints":[{)" + ep + R"(,"bind-port":65536}]})")
        << QByteArray("endpoints[0].bind-port: 65536 is out of range (1..65535)");
    QTest::newRow("bad url") << QByteArray(
        R"({"endpoints":[{"name":"a","mode":"policy","target":"localhost:80","bind-address":"127.0.0.1","bind-port":1025,"auth-token":"t"}]})")
                             << QByteArray("endpoints[0].target: \"localhost:80\" must be an http:// or "
                                           "https:// URL");
    QTest::newRow("missing field") << QByteArray(
        R"({"endpoints":[{"name":"a","mode":"policy","target":"http://x/","bind-port":1025,"auth-token":"t"}]})")
                                   << QByteArray("endpoints[0].bind-address: missing (required)");
    QTest::newRow("duplicate port") << QByteArray(
        R"({"endpoints":[{)" + ep
        + R"(,"bind-port":1025},{"name":"b","mode":"policy","target":"http://x/","bind-address":"0.0.0.0","bind-port":1025,"auth-token":"t"}]})")
                                    << QByteArray("endpoints[1].bind-port: 0.0.0.0:1025 is already used by "
                                                  "endpoints[0] (a)");
}

void TestServiceProcess::configErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);
    ServiceProcess service;
    const QString path = service.writeConfig(json);
    service.start({path});
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 10000);
    QCOMPARE(service.exitCode(), 1);
    const QByteArray line = path.toUtf8() + ": " + expected;
    QVERIFY2(service.output().contains(line), service.output().constData());
    QVERIFY(!service.output().contains("started with"));
}

void TestServiceProcess::portInUse()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    ServiceProcess service;
    const QString path = service.writeConfig(config(
        {tcpEndpoint(QStringLiteral("busy"), occupant.serverPort(), m_backend->url(QStringLiteral("/")))}));
    service.start({path});
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 10000);
    QCOMPARE(service.exitCode(), 3);
    const QByteArray expected =
        "endpoints[0] (busy): cannot listen on 127.0.0.1:" + QByteArray::number(occupant.serverPort());
    QVERIFY2(service.output().contains(expected), service.output().constData());
}

void TestServiceProcess::sigtermFinishesInFlightRequests()
{
    FakeBackend::Response slow;
    slow.body = R"(["late"])";
    slow.delayMs = 500;
    m_backend->respond(slow);
    const quint16 port = reservedPort();
    ServiceProcess service;
    service.start({service.writeConfig(
        config({tcpEndpoint(QStringLiteral("t"), port, m_backend->url(QStringLiteral("/")))}))});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);

    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(port);
    client.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(m_backend->requests().size(), 1);
    service.sendSignal(SIGTERM);
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().constFirst(), QByteArray("200 late"));
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 10000);
    QCOMPARE(service.exitStatus(), QProcess::NormalExit);
    QCOMPARE(service.exitCode(), 0);
    QVERIFY(service.output().contains("all connections finished"));
}

void TestServiceProcess::sighupReloads()
{
    const quint16 first = reservedPort();
    const quint16 second = reservedPort();
    ServiceProcess service;
    const QString path = service.writeConfig(
        config({tcpEndpoint(QStringLiteral("first"), first, m_backend->url(QStringLiteral("/one")))}));
    service.start({path});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);

    PostfixTestClient kept(PostfixTestClient::Framing::Line);
    kept.connectTo(first);
    kept.write(TcpTableCodec::requestLine("before"));
    QTRY_COMPARE(kept.replies().size(), 1);

    service.writeConfig(
        config({tcpEndpoint(QStringLiteral("first"), first, m_backend->url(QStringLiteral("/one"))),
                tcpEndpoint(QStringLiteral("second"), second, m_backend->url(QStringLiteral("/two")))}));
    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(
        service.output().contains("configuration reloaded: 1 unchanged, 0 changed, 1 added"), 10000);

    // The unchanged endpoint kept its connection; the new one listens.
    kept.write(TcpTableCodec::requestLine("after"));
    QTRY_COMPARE(kept.replies().size(), 2);
    QVERIFY(!kept.isClosed());
    PostfixTestClient added(PostfixTestClient::Framing::Line);
    added.connectTo(second);
    added.write(TcpTableCodec::requestLine("new"));
    QTRY_COMPARE(added.replies().size(), 1);
    QCOMPARE(m_backend->requests().last().path, QByteArray("/two"));

    // Removing an endpoint closes its listener.
    service.writeConfig(
        config({tcpEndpoint(QStringLiteral("second"), second, m_backend->url(QStringLiteral("/two")))}));
    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(service.output().contains("1 unchanged, 0 changed, 0 added, 1 removed"), 10000);
    QTRY_VERIFY(kept.isClosed());
    PostfixTestClient refused(PostfixTestClient::Framing::Line);
    refused.connectTo(first);
    QTRY_VERIFY(refused.socket().state() == QAbstractSocket::UnconnectedState);
}

void TestServiceProcess::sighupWithBrokenConfigKeepsRunning()
{
    const quint16 port = reservedPort();
    ServiceProcess service;
    const QString path = service.writeConfig(
        config({tcpEndpoint(QStringLiteral("t"), port, m_backend->url(QStringLiteral("/")))}));
    service.start({path});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);

    service.writeConfig(QByteArray("{ \"endpoints\": [ oops"));
    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(
        service.output().contains("reload rejected; still running with the previous configuration"), 10000);
    QVERIFY(service.output().contains("invalid JSON"));

    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(port);
    client.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().constFirst(), QByteArray("200 found"));
    QVERIFY(!service.hasExited());
}

void TestServiceProcess::tokenNeverLogged()
{
    qputenv("QT_LOGGING_RULES", "prc.*.debug=true");
    const quint16 port = reservedPort();
    const quint16 down = reservedPort();
    ServiceProcess service;
    service.start({service.writeConfig(
        config({tcpEndpoint(QStringLiteral("up"), port, m_backend->url(QStringLiteral("/"))),
                tcpEndpoint(QStringLiteral("down"), down,
                            QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(FakeBackend::unusedPort())))}))});
    qunsetenv("QT_LOGGING_RULES");
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);
    PostfixTestClient a(PostfixTestClient::Framing::Line), b(PostfixTestClient::Framing::Line);
    a.connectTo(port);
    b.connectTo(down);
    a.write(TcpTableCodec::requestLine("user@example.com") + "garbage\n");
    b.write(TcpTableCodec::requestLine("user@example.com"));
    QTRY_COMPARE(a.replies().size(), 2);
    QTRY_COMPARE(b.replies().size(), 1);
    service.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 10000);
    QCOMPARE(m_backend->requests().constFirst().header("x-auth-token"), Token.toUtf8());
    QVERIFY(service.output().contains("user@example.com")); // debug logging was really on
    QVERIFY2(!service.output().contains(Token.toUtf8()), service.output().constData());
}

void TestServiceProcess::sigtermWhileHealthProbeWaits()
{
    FakeBackend::Response silent;
    silent.fault = Fault::NeverAnswer;
    m_backend->respond(silent);
    const quint16 port = reservedPort();
    const quint16 adminPort = reservedPort();
    ServiceProcess service;
    service.start({service.writeConfig(
        withAdmin(config({endpointObject(QStringLiteral("t"), QStringLiteral("tcp-lookup"), port,
                                         m_backend->url(QStringLiteral("/probed")),
                                         {{QStringLiteral("request-timeout"), 600000}})}),
                  adminPort))});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);

    QTcpSocket probe;
    startHealthProbe(probe, adminPort);
    QTRY_COMPARE_WITH_TIMEOUT(m_backend->requests().size(), 1, 10000);
    QCOMPARE(m_backend->requests().constFirst().path, QByteArray("/probed"));

    // Shutting down must not wait for the probe, nor trip over the backend call it leaves behind.
    service.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 15000);
    QVERIFY2(service.exitStatus() == QProcess::NormalExit, qPrintable(exitDescription(service)));
    QCOMPARE(service.exitCode(), 0);
    QVERIFY(service.output().contains("all connections finished"));
}

void TestServiceProcess::reloadWhileHealthProbeWaits()
{
    silentOnSilentPath();
    const quint16 port = reservedPort();
    const quint16 firstAdmin = reservedPort();
    const quint16 secondAdmin = reservedPort();
    const auto configWith = [&](const QString &path, quint16 adminPort) {
        return withAdmin(
            config({endpointObject(QStringLiteral("t"), QStringLiteral("tcp-lookup"), port,
                                   m_backend->url(path), {{QStringLiteral("request-timeout"), 600000}})}),
            adminPort);
    };
    ServiceProcess service;
    service.start({service.writeConfig(configWith(QStringLiteral("/silent"), firstAdmin))});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);

    QTcpSocket probe;
    startHealthProbe(probe, firstAdmin);
    QTRY_COMPARE_WITH_TIMEOUT(m_backend->requests().size(), 1, 10000);
    QCOMPARE(m_backend->requests().constFirst().path, QByteArray("/silent"));

    // One reload replaces the admin listener that owns the waiting probe and the endpoint settings (with the
    // backend client) that the probe's call runs on.
    service.writeConfig(configWith(QStringLiteral("/answers"), secondAdmin));
    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(service.output().contains("configuration reloaded") || service.hasExited(),
                             10000);
    QVERIFY2(!service.hasExited(), qPrintable(exitDescription(service)));

    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(port);
    client.write(TcpTableCodec::requestLine("k"));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().constFirst(), QByteArray("200 found"));
    QCOMPARE(m_backend->requests().constLast().path, QByteArray("/answers"));
    const HttpFetch health = HttpFetch::get(secondAdmin, "/healthz?probe=1");
    QCOMPARE(health.status, 200);
    QVERIFY2(health.body.contains("t: backend ok (HTTP 200"), health.body.constData());
    QVERIFY(!service.hasExited());

    service.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 15000);
    QVERIFY2(service.exitStatus() == QProcess::NormalExit, qPrintable(exitDescription(service)));
    QCOMPARE(service.exitCode(), 0);
}

void TestServiceProcess::probeClientLeavesAfterReload()
{
    silentOnSilentPath();
    const quint16 port = reservedPort();
    const quint16 adminPort = reservedPort();
    const auto configWith = [&](const QString &path) {
        return withAdmin(
            config({endpointObject(QStringLiteral("t"), QStringLiteral("tcp-lookup"), port,
                                   m_backend->url(path), {{QStringLiteral("request-timeout"), 600000}})}),
            adminPort);
    };
    ServiceProcess service;
    service.start({service.writeConfig(configWith(QStringLiteral("/silent")))});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);

    auto probe = std::make_unique<QTcpSocket>();
    startHealthProbe(*probe, adminPort);
    QTRY_COMPARE_WITH_TIMEOUT(m_backend->requests().size(), 1, 10000);

    // The reload gives the endpoint new settings: the waiting probe is now all that holds the old ones.
    service.writeConfig(configWith(QStringLiteral("/answers")));
    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(service.output().contains("configuration reloaded") || service.hasExited(),
                             10000);
    QVERIFY2(!service.hasExited(), qPrintable(exitDescription(service)));
    // Then the client that asked goes away, and its probe with it.
    probe.reset();

    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(port);
    client.write(TcpTableCodec::requestLine("k"));
    QTRY_VERIFY(client.replies().size() == 1 || service.hasExited());
    QVERIFY2(!service.hasExited(), qPrintable(exitDescription(service)));
    QCOMPARE(client.replies().constFirst(), QByteArray("200 found"));
    QCOMPARE(HttpFetch::get(adminPort, "/healthz?probe=1").status, 200);
    QVERIFY2(!service.hasExited(), qPrintable(exitDescription(service)));

    service.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 15000);
    QVERIFY2(service.exitStatus() == QProcess::NormalExit, qPrintable(exitDescription(service)));
    QCOMPARE(service.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestServiceProcess)
#include "tst_serviceprocess.moc"
