// SPDX-License-Identifier: GPL-3.0-or-later
// Endpoints on Unix sockets inside one process: the project's PostfixClient and raw bytes over a real Unix
// socket → EndpointServer → real HTTP backend; the socket file's mode, group and life cycle; sockets passed
// in the way systemd passes them.
#include "app/serviceapplication.h"
#include "client/postfixclient.h"
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "listen/passedsockets.h"
#include "metrics/endpointmetrics.h"
#include "modeprotocol.h"
#include "protocol/policycodec.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace prc;
using namespace prc::test;

namespace {

struct stat statOf(const QString &path)
{
    struct stat info
    {
    };
    if (::lstat(path.toLocal8Bit().constData(), &info) != 0)
        info.st_mode = 0;
    return info;
}

/// A socket file nobody listens behind, as a killed process leaves it.
bool makeStaleSocket(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = path.toLocal8Bit();
    std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
    const bool ok = ::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0;
    ::close(fd);
    return ok;
}

/// A group other than the process's own, for socket-group; empty when the system has none.
QString otherGroup()
{
    for (const char *name : {"nogroup", "postfix", "daemon", "users"}) {
        if (const struct group *entry = ::getgrnam(name); entry && entry->gr_gid != ::getgid())
            return QString::fromLatin1(name);
    }
    return {};
}

} // namespace

class TestUnixListener : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void postfixClient_data();
    void postfixClient();
    void postfixClientWithoutServer();
    void rawPolicyBytesPipelined();
    void idleTimeoutCloses();
    void answerCache();
    void maxConnections();
    void modeAndGroup_data();
    void modeAndGroup();
    void unknownGroupIsRefused();
    void staleSocketIsReplaced();
    void pathInUseIsRefused();
    void fileThatIsNotASocketIsRefused();
    void fileRemovedWhenDrained();
    void reloadKeepsSocketAndAppliesMode();
    void passedSockets();
    void passedSocketMatchingNoEndpoint();

private:
    EndpointConfig unixEndpoint(const QString &name, EndpointMode mode, const QString &file = {}) const;
    EndpointServer *start(const EndpointConfig &config);
    LookupResult lookup(const QString &path, const LookupRequest &request);

    QTemporaryDir *m_dir = nullptr;
    FakeBackend *m_backend = nullptr;
    QList<EndpointServer *> m_servers;
};

void TestUnixListener::init()
{
    m_dir = new QTemporaryDir;
    QVERIFY(m_dir->isValid());
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
}

void TestUnixListener::cleanup()
{
    qDeleteAll(m_servers);
    m_servers.clear();
    delete m_backend;
    m_backend = nullptr;
    delete m_dir;
    m_dir = nullptr;
}

EndpointConfig TestUnixListener::unixEndpoint(const QString &name, EndpointMode mode,
                                              const QString &file) const
{
    EndpointConfig config = localEndpoint(name, mode, m_backend->url(QStringLiteral("/") + name));
    config.bindAddress.clear();
    config.bindPath = m_dir->filePath(file.isEmpty() ? name : file);
    return config;
}

EndpointServer *TestUnixListener::start(const EndpointConfig &config)
{
    auto *server = new EndpointServer(config, QStringLiteral("test"));
    QString error;
    if (!server->listen(&error)) {
        qWarning().noquote() << error;
        delete server;
        return nullptr;
    }
    m_servers.append(server);
    return server;
}

LookupResult TestUnixListener::lookup(const QString &path, const LookupRequest &request)
{
    PostfixClient client;
    QSignalSpy finished(&client, &PostfixClient::finished);
    client.sendLocal(path, request);
    if (!finished.wait(5000))
        return {};
    return finished.at(0).at(0).value<LookupResult>();
}

void TestUnixListener::postfixClient_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QByteArray>("status");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("policy") << EndpointMode::Policy << QByteArray("REJECT no thanks") << QByteArray("action")
                            << QByteArray("REJECT no thanks");
    QTest::newRow("socketmap") << EndpointMode::SocketmapLookup << QByteArray("[\"a@example.com\"]")
                               << QByteArray("OK") << QByteArray("a@example.com");
    QTest::newRow("socketmap not found")
        << EndpointMode::SocketmapLookup << QByteArray("[]") << QByteArray("NOTFOUND") << QByteArray();
}

void TestUnixListener::postfixClient()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QByteArray, answer);
    QFETCH(QByteArray, status);
    QFETCH(QByteArray, value);
    m_backend->respond(FakeBackend::Response::withBody(answer));
    EndpointServer *server = start(unixEndpoint(QStringLiteral("e"), mode));
    QVERIFY(server);
    QVERIFY(server->isListening());
    QCOMPARE(server->serverPort(), quint16(0));

    const LookupRequest request =
        mode == EndpointMode::Policy
            ? LookupRequest::policy({{"request", "smtpd_access_policy"}, {"recipient", "rcpt@example.com"}})
            : LookupRequest::socketmap("aliases", "rcpt@example.com");
    const LookupResult result = lookup(server->config().bindPath, request);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.status, status);
    QCOMPARE(result.value, value);
    QCOMPARE(m_backend->requests().size(), 1);
    QCOMPARE(keyOf(m_backend->requests().at(0)), QByteArray("rcpt@example.com"));
    QCOMPARE(server->metrics().connectionsAccepted, quint64(1));
}

void TestUnixListener::postfixClientWithoutServer()
{
    const QString path = m_dir->filePath(QStringLiteral("nobody-here"));
    PostfixClient client;
    QSignalSpy finished(&client, &PostfixClient::finished);
    client.sendLocal(path, LookupRequest::socketmap("m", "k"));
    QCOMPARE(finished.size(), 0); // never from inside the send call
    QVERIFY(finished.wait(5000));
    const LookupResult result = finished.at(0).at(0).value<LookupResult>();
    QCOMPARE(result.meaning, LookupResult::Meaning::NoAnswer);
    QVERIFY2(result.error.startsWith(QStringLiteral("unix:") + path + QStringLiteral(": ")),
             qPrintable(result.error));
    QVERIFY(!client.isBusy());
}

void TestUnixListener::rawPolicyBytesPipelined()
{
    // Each request gets its own answer; the second backend call finishes first, the replies keep their order.
    m_backend->setHandler([](const FakeBackend::Request &request) {
        const QByteArray key = keyOf(request);
        FakeBackend::Response response = FakeBackend::Response::withBody("PREPEND X-Key: " + key);
        response.delayMs = key == "first" ? 300 : 0;
        return response;
    });
    EndpointServer *server = start(unixEndpoint(QStringLiteral("policy"), EndpointMode::Policy));
    QVERIFY(server);

    QLocalSocket socket;
    socket.connectToServer(server->config().bindPath);
    QVERIFY(socket.waitForConnected(5000));
    socket.write("request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=first\n\n"
                 "request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=second\n\n");
    QByteArray received;
    const QByteArray expected = "action=PREPEND X-Key: first\n\naction=PREPEND X-Key: second\n\n";
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).size() >= expected.size(), 5000);
    QCOMPARE(received, expected);

    // A broken request is answered and the connection closed, like over TCP.
    socket.write(QByteArray(70 * 1024, 'x'));
    QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QLocalSocket::UnconnectedState, 5000);
    QTRY_COMPARE(server->sessionCount(), 0);
}

void TestUnixListener::idleTimeoutCloses()
{
    EndpointConfig config = unixEndpoint(QStringLiteral("idle"), EndpointMode::SocketmapLookup);
    config.idleTimeoutMs = 1000;
    EndpointServer *server = start(config);
    QVERIFY(server);
    QLocalSocket socket;
    socket.connectToServer(config.bindPath);
    QVERIFY(socket.waitForConnected(5000));
    QTRY_COMPARE(server->sessionCount(), 1);
    QSignalSpy disconnected(&socket, &QLocalSocket::disconnected);
    QVERIFY(disconnected.wait(5000));
    QTRY_COMPARE(server->sessionCount(), 0);
}

void TestUnixListener::answerCache()
{
    EndpointConfig config = unixEndpoint(QStringLiteral("cached"), EndpointMode::SocketmapLookup);
    config.cache.enabled = true;
    m_backend->respond(FakeBackend::Response::withBody("[\"v\"]"));
    EndpointServer *server = start(config);
    QVERIFY(server);
    QVERIFY(server->cache());
    for (int i = 0; i < 3; ++i) {
        const LookupResult result = lookup(config.bindPath, LookupRequest::socketmap("m", "same-key"));
        QCOMPARE(result.value, QByteArray("v"));
    }
    QCOMPARE(m_backend->requests().size(), 1);
}

void TestUnixListener::maxConnections()
{
    EndpointConfig config = unixEndpoint(QStringLiteral("max"), EndpointMode::Policy);
    config.maxConnections = 1;
    EndpointServer *server = start(config);
    QVERIFY(server);
    QLocalSocket first;
    first.connectToServer(config.bindPath);
    QVERIFY(first.waitForConnected(5000));
    QTRY_COMPARE(server->sessionCount(), 1);
    QLocalSocket second;
    second.connectToServer(config.bindPath);
    QTRY_VERIFY_WITH_TIMEOUT(second.state() == QLocalSocket::UnconnectedState, 5000);
    QCOMPARE(server->metrics().connectionsRefused, quint64(1));
    QCOMPARE(first.state(), QLocalSocket::ConnectedState);
}

void TestUnixListener::modeAndGroup_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("group");
    QTest::newRow("default 0660, own group") << QString() << QString();
    QTest::newRow("0600") << QStringLiteral("0600") << QString();
    QTest::newRow("0666") << QStringLiteral("0666") << QString();
    const QString other = otherGroup();
    if (!other.isEmpty() && ::geteuid() == 0)
        QTest::newRow("0660, another group") << QStringLiteral("0660") << other;
}

void TestUnixListener::modeAndGroup()
{
    QFETCH(QString, mode);
    QFETCH(QString, group);
    EndpointConfig config = unixEndpoint(QStringLiteral("perm"), EndpointMode::Policy);
    if (!mode.isEmpty())
        config.socketMode = mode.toInt(nullptr, 8);
    config.socketGroup = group;
    EndpointServer *server = start(config);
    QVERIFY(server);
    const struct stat info = statOf(config.bindPath);
    QVERIFY(S_ISSOCK(info.st_mode));
    QCOMPARE(int(info.st_mode & 07777), mode.isEmpty() ? 0660 : mode.toInt(nullptr, 8));
    const gid_t expectedGroup =
        group.isEmpty() ? ::getegid() : ::getgrnam(group.toLatin1().constData())->gr_gid;
    QCOMPARE(info.st_gid, expectedGroup);
    QCOMPARE(info.st_uid, ::geteuid());
}

void TestUnixListener::unknownGroupIsRefused()
{
    EndpointConfig config = unixEndpoint(QStringLiteral("g"), EndpointMode::Policy);
    config.socketGroup = QStringLiteral("no-such-group-prc");
    EndpointServer server(config, QStringLiteral("test"));
    QString error;
    QVERIFY(!server.listen(&error));
    QCOMPARE(error, QStringLiteral("cannot listen on %1: socket-group \"no-such-group-prc\": no such group")
                        .arg(config.bindPath));
    QVERIFY(!QFileInfo::exists(config.bindPath));
}

void TestUnixListener::staleSocketIsReplaced()
{
    const EndpointConfig config = unixEndpoint(QStringLiteral("stale"), EndpointMode::SocketmapLookup);
    QVERIFY(makeStaleSocket(config.bindPath));
    QVERIFY(S_ISSOCK(statOf(config.bindPath).st_mode));

    m_backend->respond(FakeBackend::Response::withBody("[\"x\"]"));
    QTest::ignoreMessage(QtInfoMsg,
                         qPrintable(QStringLiteral("replaced the stale socket ") + config.bindPath));
    EndpointServer *server = start(config);
    QVERIFY(server);
    const LookupResult result = lookup(config.bindPath, LookupRequest::socketmap("m", "k"));
    QCOMPARE(result.status, QByteArray("OK"));
}

void TestUnixListener::pathInUseIsRefused()
{
    const EndpointConfig config = unixEndpoint(QStringLiteral("busy"), EndpointMode::Policy);
    m_backend->respond(FakeBackend::Response::withBody("DUNNO"));
    EndpointServer *first = start(config);
    QVERIFY(first);

    EndpointServer second(config, QStringLiteral("test"));
    QString error;
    QVERIFY(!second.listen(&error));
    QCOMPARE(error,
             QStringLiteral("cannot listen on %1: another process is listening there").arg(config.bindPath));
    QVERIFY(!second.isListening());

    // The first one is untouched: its file is still there and answers.
    const LookupResult result =
        lookup(config.bindPath, LookupRequest::policy({{"request", "smtpd_access_policy"}}));
    QCOMPARE(result.value, QByteArray("DUNNO"));
}

void TestUnixListener::fileThatIsNotASocketIsRefused()
{
    const EndpointConfig config = unixEndpoint(QStringLiteral("file"), EndpointMode::Policy);
    QFile file(config.bindPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    EndpointServer server(config, QStringLiteral("test"));
    QString error;
    QVERIFY(!server.listen(&error));
    QVERIFY2(error.endsWith(QStringLiteral("the file exists and is not a socket")), qPrintable(error));
    QVERIFY(QFileInfo(config.bindPath).isFile());
}

void TestUnixListener::fileRemovedWhenDrained()
{
    const EndpointConfig config = unixEndpoint(QStringLiteral("drain"), EndpointMode::Policy);
    EndpointServer *server = start(config);
    QVERIFY(server);
    QVERIFY(QFileInfo::exists(config.bindPath));
    QSignalSpy drained(server, &EndpointServer::drained);
    server->drain();
    QVERIFY(drained.wait(5000));
    QVERIFY(!QFileInfo::exists(config.bindPath));

    // A successor's file at the same path is not removed by the old listener going away.
    EndpointServer *successor = start(config);
    QVERIFY(successor);
    m_servers.removeOne(server);
    delete server;
    QVERIFY(QFileInfo::exists(config.bindPath));
}

void TestUnixListener::reloadKeepsSocketAndAppliesMode()
{
    ServiceConfig config;
    config.endpoints = {unixEndpoint(QStringLiteral("p"), EndpointMode::Policy)};
    ServiceApplication service;
    QString error;
    QVERIFY2(service.start(config, &error), qPrintable(error));
    const QString path = config.endpoints.at(0).bindPath;
    const ino_t inode = statOf(path).st_ino;

    QLocalSocket open;
    open.connectToServer(path);
    QVERIFY(open.waitForConnected(5000));

    ServiceConfig next = config;
    next.endpoints[0].socketMode = 0600;
    next.endpoints[0].requestTimeoutMs = 1500;
    QVERIFY2(service.reload(next, &error), qPrintable(error));
    QCOMPARE(service.endpoints().size(), 1);
    QCOMPARE(statOf(path).st_ino, inode); // same socket, same file
    QCOMPARE(int(statOf(path).st_mode & 07777), 0600);
    QCOMPARE(open.state(), QLocalSocket::ConnectedState);

    // A different path is a new listener; the old file goes once its connections are done.
    next.endpoints[0].bindPath = m_dir->filePath(QStringLiteral("moved"));
    QVERIFY2(service.reload(next, &error), qPrintable(error));
    QVERIFY(QFileInfo::exists(next.endpoints[0].bindPath));
    QTRY_VERIFY(!QFileInfo::exists(path));
}

void TestUnixListener::passedSockets()
{
    // What systemd hands over: a bound, listening Unix socket and a TCP socket, taken by name and by address.
    const QString path = m_dir->filePath(QStringLiteral("passed"));
    const int unixFd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.toLocal8Bit().constData(), size_t(path.toLocal8Bit().size()));
    QCOMPARE(::bind(unixFd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)), 0);
    QCOMPARE(::listen(unixFd, 16), 0);
    QTcpServer tcp;
    QVERIFY(tcp.listen(QHostAddress::LocalHost, 0));
    const int tcpFd = ::fcntl(int(tcp.socketDescriptor()), F_DUPFD_CLOEXEC, 3);
    tcp.close();
    QVERIFY(tcpFd >= 0);
    sockaddr_in tcpAddress{};
    socklen_t size = sizeof(tcpAddress);
    QCOMPARE(::getsockname(tcpFd, reinterpret_cast<sockaddr *>(&tcpAddress), &size), 0);
    ::listen(tcpFd, 16);
    const quint16 port = ntohs(tcpAddress.sin_port);

    EndpointConfig byName =
        unixEndpoint(QStringLiteral("policy"), EndpointMode::Policy, QStringLiteral("elsewhere"));
    EndpointConfig byAddress = localEndpoint(QStringLiteral("maps"), EndpointMode::SocketmapLookup,
                                             m_backend->url(QStringLiteral("/maps")), port);
    ServiceConfig config;
    config.endpoints = {byName, byAddress};
    ServiceApplication service;
    service.setPassedSockets(PassedSockets::fromDescriptors(
        {unixFd, tcpFd}, {QStringLiteral("policy"), QStringLiteral("unknown")}));
    QString error;
    QVERIFY2(service.start(config, &error), qPrintable(error));
    QVERIFY(!QFileInfo::exists(byName.bindPath)); // the passed socket is used, nothing is bound

    m_backend->setHandler([](const FakeBackend::Request &request) {
        return FakeBackend::Response::withBody(request.method == "POST" ? "OK" : "[\"v\"]");
    });
    const LookupResult policy =
        lookup(path, LookupRequest::policy({{"request", "smtpd_access_policy"}, {"recipient", "r"}}));
    QCOMPARE(policy.value, QByteArray("OK"));
    PostfixClient client;
    QSignalSpy finished(&client, &PostfixClient::finished);
    client.send(QStringLiteral("127.0.0.1"), port, LookupRequest::socketmap("m", "k"));
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.at(0).at(0).value<LookupResult>().value, QByteArray("v"));

    // A reload that replaces the endpoint listens on the passed socket again; the file stays (systemd's).
    ServiceConfig next = config;
    next.endpoints[0].bindPath = m_dir->filePath(QStringLiteral("yet-another"));
    QVERIFY2(service.reload(next, &error), qPrintable(error));
    service.shutdown();
    QTRY_VERIFY(QFileInfo::exists(path));
    const LookupResult again = lookup(path, LookupRequest::policy({{"request", "smtpd_access_policy"}}));
    QVERIFY(again.status.isEmpty() || again.value == "OK"); // queued in the passed socket, never refused
    ::close(unixFd);
    ::close(tcpFd);
}

void TestUnixListener::passedSocketMatchingNoEndpoint()
{
    const QString path = m_dir->filePath(QStringLiteral("orphan"));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.toLocal8Bit().constData(), size_t(path.toLocal8Bit().size()));
    QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)), 0);
    QCOMPARE(::listen(fd, 16), 0);

    ServiceConfig config;
    config.endpoints = {unixEndpoint(QStringLiteral("policy"), EndpointMode::Policy)};
    ServiceApplication service;
    service.setPassedSockets(PassedSockets::fromDescriptors({fd}, {QStringLiteral("prc-orphan.socket")}));
    QString error;
    QVERIFY(!service.start(config, &error));
    QCOMPARE(error, QStringLiteral("the socket passed by systemd \"prc-orphan.socket\" (unix:%1) matches no "
                                   "endpoint: name an endpoint after its FileDescriptorName= or give it the "
                                   "same address")
                        .arg(path));
    ::close(fd);
}

QTEST_GUILESS_MAIN(TestUnixListener)
#include "tst_unixlistener.moc"
