// SPDX-License-Identifier: GPL-3.0-or-later
#include "serviceprocess.h"

#include <QFile>
#include <QJsonDocument>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>

namespace prc::test {

ServiceProcess::ServiceProcess(QObject *parent)
    : QObject(parent)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_process, &QProcess::readyRead, this, [this] { m_output += m_process.readAll(); });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        m_output += m_process.readAll();
        m_exitCode = code;
        m_exitStatus = status;
        m_exited = true;
    });
}

ServiceProcess::~ServiceProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString ServiceProcess::binary()
{
    return QStringLiteral(PRC_SERVICE_BINARY);
}

QString ServiceProcess::writeConfig(const QJsonObject &config)
{
    return writeConfig(QJsonDocument(config).toJson());
}

QString ServiceProcess::writeConfig(const QByteArray &json)
{
    const QString path = m_dir.filePath(QStringLiteral("config.json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(json);
    return path;
}

void ServiceProcess::start(const QStringList &arguments)
{
    m_output.clear();
    m_exited = false;
    m_process.start(binary(), arguments);
}

void ServiceProcess::startVia(const QString &program, const QStringList &arguments)
{
    m_output.clear();
    m_exited = false;
    m_process.start(program, arguments);
}

void ServiceProcess::sendSignal(int signal)
{
    ::kill(pid_t(m_process.processId()), signal);
}

QJsonObject endpointObject(const QString &name, const QString &mode, quint16 port, const QUrl &target,
                           const QJsonObject &extra)
{
    QJsonObject endpoint{{QStringLiteral("name"), name},
                         {QStringLiteral("mode"), mode},
                         {QStringLiteral("target"), target.toString()},
                         {QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")},
                         {QStringLiteral("bind-port"), int(port)},
                         {QStringLiteral("auth-token"), QStringLiteral("t")}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        endpoint.insert(it.key(), it.value());
    return endpoint;
}

QJsonObject configObject(const QJsonArray &endpoints)
{
    return QJsonObject{{QStringLiteral("endpoints"), endpoints}};
}

quint16 reservedPort()
{
    // Binding and releasing a port (the obvious helper) lets the OS hand the same number to the next bind(0)
    // in this process or in a test running beside it, and the service then fails with "address in use". A
    // bound socket keeps the number taken: the OS skips ports with a bound socket when it picks one. The
    // descriptor stays open on purpose until the process exits.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
        || ::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        qFatal("cannot reserve a port on 127.0.0.1: %s", std::strerror(errno));
    return ntohs(address.sin_port);
}

} // namespace prc::test
