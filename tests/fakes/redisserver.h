// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

namespace prc::test {

/// A real redis-server for tests, run as a child process with its own config file in a temporary directory:
/// on 127.0.0.1 at a free port (and a Unix socket), nothing saved to disk. Can be stopped, started again on
/// the same port, frozen (SIGSTOP: a Redis that accepts but never answers) and asked with redis-cli.
class RedisServer : public QObject
{
    Q_OBJECT

public:
    explicit RedisServer(QObject *parent = nullptr);
    ~RedisServer() override;

    /// True when redis-server and redis-cli are installed.
    static bool available();

    /// Requires clients to AUTH with this password (requirepass) from the next start().
    void setPassword(const QString &password) { m_password = password; }
    /// Starts it (on the port it had before, if any) and waits until it answers PING.
    bool start();
    /// Stops it (SIGTERM) and waits for the process to end.
    void stop();
    void freeze();
    void thaw();
    bool isRunning() const { return m_process.state() == QProcess::Running; }

    quint16 port() const { return m_port; }
    QString unixSocket() const;
    /// redis://127.0.0.1:port/0
    QString url() const;

    /// Runs redis-cli with the arguments against this server; returns its standard output, trimmed.
    QByteArray cli(const QStringList &arguments) const;
    /// The keys that match a pattern, sorted.
    QList<QByteArray> keys(const QByteArray &pattern = QByteArrayLiteral("*")) const;

    QByteArray log() const;

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_password;
    quint16 m_port = 0;
};

} // namespace prc::test
