// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>

namespace prc {

class ServiceApplication;

/// Tells systemd (Type=notify) where the service stands: READY=1 once every endpoint listens, RELOADING=1 and
/// READY=1 around a reload, STOPPING=1 when draining starts, a STATUS= line (endpoints, open connections, the
/// last reload), and WATCHDOG=1 at half of WATCHDOG_USEC when the unit sets WatchdogSec=. Does nothing
/// without NOTIFY_SOCKET or where libsystemd is not available.
class SystemdNotifier : public QObject
{
    Q_OBJECT

public:
    explicit SystemdNotifier(const ServiceApplication *service, QObject *parent = nullptr);

    void ready();
    void reloading();
    /// After a reload, applied or not: READY=1 with the result in the status line.
    void reloaded(bool ok, const QString &problem = {});
    void stopping();

    /// The current STATUS= text.
    QString status() const;

private:
    void send(const QByteArray &state);

    const ServiceApplication *m_service;
    QTimer m_watchdog;
    QTimer m_statusTimer;
    QString m_lastReload = QStringLiteral("none");
    bool m_enabled = false;
    bool m_stopping = false;
};

} // namespace prc
