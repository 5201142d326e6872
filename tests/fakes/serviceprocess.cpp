// SPDX-License-Identifier: GPL-3.0-or-later
#include "serviceprocess.h"

#include <QFile>
#include <QJsonDocument>
#include <QTcpServer>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

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
#ifdef Q_OS_UNIX
    ::kill(pid_t(m_process.processId()), signal);
#else
    Q_UNUSED(signal);
#endif
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

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace prc::test
