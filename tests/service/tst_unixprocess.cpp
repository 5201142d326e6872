// SPDX-License-Identifier: GPL-3.0-or-later
// The built executable with Unix endpoints, socket activation and readiness notification, driven the way
// systemd drives it: real signals, systemd's own systemd-socket-activate, a NOTIFY_SOCKET datagram socket.
#include "client/postfixclient.h"
#include "fakebackend.h"
#include "serviceprocess.h"

#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace prc;
using namespace prc::test;

namespace {

/// A datagram socket bound at a path, as systemd's NOTIFY_SOCKET: collects every notification line.
class NotifySocket : public QObject
{
public:
    explicit NotifySocket(const QString &path)
        : m_path(path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray encoded = path.toLocal8Bit();
        std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
        if (::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0)
            qFatal("cannot bind %s", encoded.constData());
        m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] {
            char buffer[4096];
            ssize_t size;
            while ((size = ::recv(m_fd, buffer, sizeof(buffer), 0)) > 0)
                m_lines += QByteArray(buffer, int(size)).split('\n');
        });
    }
    ~NotifySocket() override { ::close(m_fd); }

    QString path() const { return m_path; }
    /// The state changes in arrival order (READY=1, RELOADING=1, STOPPING=1), without STATUS and the rest.
    QByteArrayList states() const
    {
        QByteArrayList out;
        for (const QByteArray &line : m_lines) {
            if (line == "READY=1" || line == "RELOADING=1" || line == "STOPPING=1")
                out.append(line);
        }
        return out;
    }
    QByteArrayList linesStartingWith(const QByteArray &prefix) const
    {
        QByteArrayList out;
        for (const QByteArray &line : m_lines) {
            if (line.startsWith(prefix))
                out.append(line);
        }
        return out;
    }

private:
    QString m_path;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QByteArrayList m_lines;
};

QJsonObject unixEndpoint(const QString &name, const QString &mode, const QString &path, const QUrl &target,
                         const QJsonObject &extra = {})
{
    QJsonObject endpoint = endpointObject(name, mode, 0, target, extra);
    endpoint.remove(QStringLiteral("bind-address"));
    endpoint.remove(QStringLiteral("bind-port"));
    endpoint.insert(QStringLiteral("bind-path"), path);
    return endpoint;
}

} // namespace

class TestUnixProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void socketFileLifeCycle();
    void pathInUseExitsWithStatus3();
    void socketActivation_data();
    void socketActivation();
    void unmatchedPassedSocketIsAnError();
    void readinessNotifications();

private:
    LookupResult ask(const std::function<void(PostfixClient &)> &send);

    QTemporaryDir *m_dir = nullptr;
    FakeBackend *m_backend = nullptr;
};

void TestUnixProcess::init()
{
    // Short paths: a Unix socket path has at most 107 bytes, and TMPDIR may be deep.
    m_dir = new QTemporaryDir(QStringLiteral("/tmp/prc-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
    m_backend->setHandler([](const FakeBackend::Request &request) {
        return FakeBackend::Response::withBody(request.method == "POST" ? "DUNNO" : "[\"found\"]");
    });
}

void TestUnixProcess::cleanup()
{
    delete m_backend;
    m_backend = nullptr;
    delete m_dir;
    m_dir = nullptr;
}

LookupResult TestUnixProcess::ask(const std::function<void(PostfixClient &)> &send)
{
    PostfixClient client;
    QSignalSpy finished(&client, &PostfixClient::finished);
    send(client);
    if (!finished.wait(10000))
        return {};
    return finished.at(0).at(0).value<LookupResult>();
}

void TestUnixProcess::socketFileLifeCycle()
{
    const QString path = m_dir->filePath(QStringLiteral("policy"));
    ServiceProcess service;
    service.start({service.writeConfig(configObject({unixEndpoint(
        QStringLiteral("policy"), QStringLiteral("policy"), path, m_backend->url(QStringLiteral("/p")),
        {{QStringLiteral("socket-mode"), QStringLiteral("0600")}})}))});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted() || service.hasExited(), 10000);
    QVERIFY2(service.isStarted(), service.output().constData());
    QVERIFY(service.output().contains(QByteArray("listening on unix:" + path.toUtf8())));

    struct stat info
    {
    };
    QCOMPARE(::stat(path.toLocal8Bit().constData(), &info), 0);
    QVERIFY(S_ISSOCK(info.st_mode));
    QCOMPARE(int(info.st_mode & 07777), 0600);

    const LookupResult result = ask([&path](PostfixClient &client) {
        client.sendLocal(path, LookupRequest::policy({{"request", "smtpd_access_policy"}}));
    });
    QCOMPARE(result.value, QByteArray("DUNNO"));

    service.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 15000);
    QCOMPARE(service.exitCode(), 0);
    QVERIFY2(!QFileInfo::exists(path), "the socket file outlived the process");
}

void TestUnixProcess::pathInUseExitsWithStatus3()
{
    const QString path = m_dir->filePath(QStringLiteral("busy"));
    QLocalServer squatter;
    QVERIFY(squatter.listen(path));

    ServiceProcess service;
    service.start({service.writeConfig(
        configObject({unixEndpoint(QStringLiteral("maps"), QStringLiteral("socketmap-lookup"), path,
                                   m_backend->url(QStringLiteral("/m")))}))});
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 10000);
    QCOMPARE(service.exitCode(), 3);
    QVERIFY2(service.output().contains(QByteArray("endpoints[0] (maps): cannot listen on " + path.toUtf8()
                                                  + ": another process is listening there")),
             service.output().constData());
    QVERIFY(QFileInfo::exists(path)); // the other process's socket is left alone
}

void TestUnixProcess::socketActivation_data()
{
    QTest::addColumn<bool>("unixSocket");
    QTest::addColumn<QString>("fdName");
    QTest::newRow("tcp, matched by name") << false << QStringLiteral("maps");
    QTest::newRow("tcp, matched by address") << false << QString();
    QTest::newRow("unix, matched by name") << true << QStringLiteral("maps");
    QTest::newRow("unix, matched by path") << true << QString();
}

void TestUnixProcess::socketActivation()
{
    QFETCH(bool, unixSocket);
    QFETCH(QString, fdName);
    const QString activate = QStandardPaths::findExecutable(QStringLiteral("systemd-socket-activate"));
    if (activate.isEmpty())
        QSKIP("systemd-socket-activate not found: install the Debian package \"systemd\"");

    const QString path = m_dir->filePath(QStringLiteral("maps"));
    const quint16 port = reservedPort();
    const QString listen = unixSocket ? path : QStringLiteral("127.0.0.1:%1").arg(port);
    // Matched by name, the configured address is not what systemd bound: the passed socket wins.
    QJsonObject endpoint =
        unixSocket
            ? unixEndpoint(QStringLiteral("maps"), QStringLiteral("socketmap-lookup"),
                           fdName.isEmpty() ? path : m_dir->filePath(QStringLiteral("unused")),
                           m_backend->url(QStringLiteral("/m")))
            : endpointObject(QStringLiteral("maps"), QStringLiteral("socketmap-lookup"),
                             fdName.isEmpty() ? port : reservedPort(), m_backend->url(QStringLiteral("/m")));

    ServiceProcess service;
    const QString config = service.writeConfig(configObject({endpoint}));
    QStringList arguments{QStringLiteral("-l"), listen};
    if (!fdName.isEmpty())
        arguments << QStringLiteral("--fdname=") + fdName;
    arguments << ServiceProcess::binary() << config;
    service.startVia(activate, arguments);
    // Like systemd, the tool listens first and starts the service on the first connection, which waits in the
    // socket's backlog meanwhile.
    QTRY_VERIFY_WITH_TIMEOUT(service.output().contains("Listening on") || service.hasExited(), 10000);
    QVERIFY2(!service.hasExited(), service.output().constData());
    QVERIFY(!service.isStarted());

    const LookupResult result = ask([&](PostfixClient &client) {
        if (unixSocket)
            client.sendLocal(path, LookupRequest::socketmap("aliases", "k"));
        else
            client.send(QStringLiteral("127.0.0.1"), port, LookupRequest::socketmap("aliases", "k"));
    });
    QVERIFY2(result.error.isEmpty(),
             qPrintable(result.error + QLatin1Char('\n') + QString::fromUtf8(service.output())));
    QCOMPARE(result.value, QByteArray("found"));
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);
    QVERIFY2(service.output().contains("(passed by systemd)"), service.output().constData());
    if (unixSocket && !fdName.isEmpty())
        QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("unused"))));

    // A reload keeps the passed socket.
    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(service.output().contains("configuration reloaded"), 10000);
    const LookupResult again = ask([&](PostfixClient &client) {
        if (unixSocket)
            client.sendLocal(path, LookupRequest::socketmap("aliases", "k2"));
        else
            client.send(QStringLiteral("127.0.0.1"), port, LookupRequest::socketmap("aliases", "k2"));
    });
    QCOMPARE(again.value, QByteArray("found"));

    service.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 15000);
    QCOMPARE(service.exitCode(), 0);
    if (unixSocket)
        QVERIFY2(QFileInfo::exists(path), "the socket file belongs to whoever passed the socket");
}

void TestUnixProcess::unmatchedPassedSocketIsAnError()
{
    const QString activate = QStandardPaths::findExecutable(QStringLiteral("systemd-socket-activate"));
    if (activate.isEmpty())
        QSKIP("systemd-socket-activate not found: install the Debian package \"systemd\"");
    const QString path = m_dir->filePath(QStringLiteral("stray"));
    ServiceProcess service;
    const QString config = service.writeConfig(
        configObject({endpointObject(QStringLiteral("maps"), QStringLiteral("socketmap-lookup"),
                                     reservedPort(), m_backend->url(QStringLiteral("/m")))}));
    service.startVia(activate, {QStringLiteral("-l"), path, QStringLiteral("--fdname=stray"),
                                ServiceProcess::binary(), config});
    QTRY_VERIFY_WITH_TIMEOUT(service.output().contains("Listening on") || service.hasExited(), 10000);
    QLocalSocket trigger;
    trigger.connectToServer(path);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 10000);
    QCOMPARE(service.exitCode(), 3);
    QVERIFY2(service.output().contains(QByteArray(
                 "the socket passed by systemd \"stray\" (unix:" + path.toUtf8() + ") matches no endpoint")),
             service.output().constData());
}

void TestUnixProcess::readinessNotifications()
{
    NotifySocket notify(m_dir->filePath(QStringLiteral("notify")));
    ServiceProcess service;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("NOTIFY_SOCKET"), notify.path());
    environment.insert(QStringLiteral("WATCHDOG_USEC"), QStringLiteral("400000"));
    service.setEnvironment(environment);
    service.start({service.writeConfig(configObject(
        {unixEndpoint(QStringLiteral("policy"), QStringLiteral("policy"),
                      m_dir->filePath(QStringLiteral("p")), m_backend->url(QStringLiteral("/p"))),
         endpointObject(QStringLiteral("maps"), QStringLiteral("socketmap-lookup"), reservedPort(),
                        m_backend->url(QStringLiteral("/m")))}))});

    QTRY_VERIFY_WITH_TIMEOUT(notify.states() == QByteArrayList{"READY=1"}, 10000);
    QVERIFY(service.isStarted());
    QVERIFY(!notify.linesStartingWith("STATUS=").isEmpty());
    QCOMPARE(notify.linesStartingWith("STATUS=").constLast(),
             QByteArray("STATUS=2 endpoint(s) listening, 0 open connection(s); last reload: none"));
    QTRY_VERIFY_WITH_TIMEOUT(notify.linesStartingWith("WATCHDOG=1").size() >= 2, 5000);

    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(notify.states().size() == 3, 10000);
    QCOMPARE(notify.states(), (QByteArrayList{"READY=1", "RELOADING=1", "READY=1"}));
    QVERIFY(!notify.linesStartingWith("MONOTONIC_USEC=").isEmpty());
    QVERIFY2(notify.linesStartingWith("STATUS=").constLast().contains("last reload: applied"),
             notify.linesStartingWith("STATUS=").constLast().constData());

    service.sendSignal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(service.hasExited(), 15000);
    QCOMPARE(service.exitCode(), 0);
    QTRY_COMPARE(notify.states(), (QByteArrayList{"READY=1", "RELOADING=1", "READY=1", "STOPPING=1"}));
}

QTEST_GUILESS_MAIN(TestUnixProcess)
#include "tst_unixprocess.moc"
