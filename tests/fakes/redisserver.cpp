// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisserver.h"

#include "serviceprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace prc::test {

RedisServer::RedisServer(QObject *parent)
    : QObject(parent)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(m_dir.filePath(QStringLiteral("redis.log")), QIODevice::Append);
}

RedisServer::~RedisServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        thaw();
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool RedisServer::available()
{
    return !QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty()
           && !QStandardPaths::findExecutable(QStringLiteral("redis-cli")).isEmpty();
}

QString RedisServer::unixSocket() const
{
    return m_dir.filePath(QStringLiteral("redis.sock"));
}

QString RedisServer::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_port);
}

bool RedisServer::start()
{
    if (m_port == 0)
        m_port = reservedPort();
    QByteArray config = "bind 127.0.0.1\n"
                        "port "
                        + QByteArray::number(m_port)
                        + "\n"
                          "unixsocket "
                        + QFile::encodeName(unixSocket())
                        + "\n"
                          "unixsocketperm 700\n"
                          "dir "
                        + QFile::encodeName(m_dir.path())
                        + "\n"
                          "save \"\"\n"
                          "appendonly no\n"
                          "daemonize no\n"
                          "protected-mode yes\n"
                          "loglevel notice\n";
    if (!m_password.isEmpty())
        config += "requirepass " + m_password.toUtf8() + '\n';
    const QString configPath = m_dir.filePath(QStringLiteral("redis.conf"));
    QFile file(configPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    file.write(config);
    file.close();

    m_process.start(QStringLiteral("redis-server"), {configPath});
    if (!m_process.waitForStarted(5000))
        return false;
    // Ready once it answers; a port taken meanwhile by someone else ends the process instead.
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (m_process.state() != QProcess::Running)
            return false;
        if (cli({QStringLiteral("PING")}) == "PONG")
            return true;
        QThread::msleep(20); // polling another process; there is no signal to wait for
    }
    return false;
}

void RedisServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    thaw();
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void RedisServer::freeze()
{
#ifdef Q_OS_UNIX
    ::kill(pid_t(m_process.processId()), SIGSTOP);
#endif
}

void RedisServer::thaw()
{
#ifdef Q_OS_UNIX
    ::kill(pid_t(m_process.processId()), SIGCONT);
#endif
}

QByteArray RedisServer::cli(const QStringList &arguments) const
{
    QProcess cli;
    QStringList all{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                    QString::number(m_port)};
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!m_password.isEmpty())
        env.insert(QStringLiteral("REDISCLI_AUTH"), m_password); // not on the command line
    cli.setProcessEnvironment(env);
    cli.start(QStringLiteral("redis-cli"), all + arguments);
    if (!cli.waitForFinished(10000)) {
        cli.kill();
        cli.waitForFinished();
        return {};
    }
    return cli.readAllStandardOutput().trimmed();
}

QList<QByteArray> RedisServer::keys(const QByteArray &pattern) const
{
    QList<QByteArray> keys =
        cli({QStringLiteral("--scan"), QStringLiteral("--pattern"), QString::fromUtf8(pattern)}).split('\n');
    keys.removeAll(QByteArray());
    std::sort(keys.begin(), keys.end());
    return keys;
}

QByteArray RedisServer::log() const
{
    QFile file(m_dir.filePath(QStringLiteral("redis.log")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace prc::test
