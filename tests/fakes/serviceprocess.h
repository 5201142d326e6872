// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QTemporaryDir>

namespace prc::test {

/// The built postfix-rest-connector executable, run as a child process with a config written to a temporary
/// directory. Everything it prints is collected; signals are real signals.
class ServiceProcess : public QObject
{
    Q_OBJECT

public:
    explicit ServiceProcess(QObject *parent = nullptr);
    ~ServiceProcess() override;

    static QString binary();

    /// Writes the config (mode 0600) and returns its path.
    QString writeConfig(const QJsonObject &config);
    QString writeConfig(const QByteArray &json);

    /// Starts with the given arguments (usually just the config path).
    void start(const QStringList &arguments);
    /// Starts another program that runs the service in its place (systemd-socket-activate, say).
    void startVia(const QString &program, const QStringList &arguments);
    /// Environment for the next start.
    void setEnvironment(const QProcessEnvironment &environment)
    {
        m_process.setProcessEnvironment(environment);
    }
    /// True once the service logged that it is listening on every endpoint.
    bool isStarted() const { return m_output.contains("started with"); }
    bool hasExited() const { return m_exited; }
    int exitCode() const { return m_exitCode; }
    QProcess::ExitStatus exitStatus() const { return m_exitStatus; }
    const QByteArray &output() const { return m_output; }

    void sendSignal(int signal);
    qint64 pid() const { return m_process.processId(); }

    QString directory() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_output;
    int m_exitCode = -1;
    QProcess::ExitStatus m_exitStatus = QProcess::NormalExit;
    bool m_exited = false;
};

/// A port on 127.0.0.1 that the OS gives to nobody else while this test process runs: a socket bound to it
/// with SO_REUSEADDR, never listening, holds it until the process exits. A server that sets SO_REUSEADDR too
/// (QTcpServer does on Unix, the service executable included) can still listen on it, and a connection to it
/// while no server listens is refused, as on any free port. For servers that must be told their port before
/// they start, such as the executable with its config file; a server inside the test process listens on port
/// 0 and reports the port it got instead.
quint16 reservedPort();

/// One endpoint object of a config file on 127.0.0.1, as an administrator writes it; `extra` adds or
/// overrides keys.
QJsonObject endpointObject(const QString &name, const QString &mode, quint16 port, const QUrl &target,
                           const QJsonObject &extra = {});
/// A whole config: {"endpoints": [...]}.
QJsonObject configObject(const QJsonArray &endpoints);

} // namespace prc::test
