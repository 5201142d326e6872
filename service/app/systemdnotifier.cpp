// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/systemdnotifier.h"

#include "app/serviceapplication.h"
#include "listen/endpointserver.h"
#include "servicelogging.h"

#include <QDateTime>

#ifdef PRC_HAVE_LIBSYSTEMD
#include <ctime>
#include <systemd/sd-daemon.h>
#endif

namespace prc {
namespace {

// The status line is refreshed this often (open connections change all the time; systemctl status reads it).
constexpr int StatusIntervalMs = 10000;

} // namespace

SystemdNotifier::SystemdNotifier(const ServiceApplication *service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
#ifdef PRC_HAVE_LIBSYSTEMD
    m_enabled = !qEnvironmentVariableIsEmpty("NOTIFY_SOCKET");
    uint64_t watchdogUsec = 0;
    if (m_enabled && sd_watchdog_enabled(/*unset_environment=*/0, &watchdogUsec) > 0 && watchdogUsec > 0) {
        // Half the interval, as sd_watchdog_enabled(3) recommends; the event loop itself is what is watched.
        m_watchdog.setInterval(int(std::max<uint64_t>(watchdogUsec / 2000, 1)));
        connect(&m_watchdog, &QTimer::timeout, this, [this] { send("WATCHDOG=1"); });
        m_watchdog.start();
        qCInfo(lcService) << "systemd watchdog: pinging every" << m_watchdog.interval() << "ms";
    }
#endif
    m_statusTimer.setInterval(StatusIntervalMs);
    m_statusTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_statusTimer, &QTimer::timeout, this, [this] { send("STATUS=" + status().toUtf8()); });
}

QString SystemdNotifier::status() const
{
    int endpoints = 0;
    int connections = 0;
    for (const EndpointServer *server : m_service->endpoints()) {
        endpoints += server->isListening() ? 1 : 0;
        connections += server->sessionCount();
    }
    QString text = QStringLiteral("%1 endpoint(s) listening, %2 open connection(s); last reload: %3")
                       .arg(endpoints)
                       .arg(connections)
                       .arg(m_lastReload);
    if (m_stopping)
        text = QStringLiteral("draining: ") + text;
    return text;
}

void SystemdNotifier::ready()
{
    send("READY=1\nSTATUS=" + status().toUtf8());
    if (m_enabled)
        m_statusTimer.start();
}

void SystemdNotifier::reloading()
{
    QByteArray state = "RELOADING=1";
#ifdef PRC_HAVE_LIBSYSTEMD
    // Type=notify-reload (systemd 253 and later) wants the time the reload started; older versions ignore it.
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    state += "\nMONOTONIC_USEC=" + QByteArray::number(qint64(now.tv_sec) * 1000000 + now.tv_nsec / 1000);
#endif
    send(state);
}

void SystemdNotifier::reloaded(bool ok, const QString &problem)
{
    const QString when = QDateTime::currentDateTime().toString(Qt::ISODate);
    QString why = problem;
    why.replace(QLatin1Char('\n'), QLatin1Char(' '));
    m_lastReload = ok ? QStringLiteral("applied %1").arg(when)
                      : QStringLiteral("failed %1 (%2), previous configuration kept").arg(when, why);
    ready();
}

void SystemdNotifier::stopping()
{
    m_stopping = true;
    m_statusTimer.stop();
    send("STOPPING=1\nSTATUS=" + status().toUtf8());
}

void SystemdNotifier::send(const QByteArray &state)
{
#ifdef PRC_HAVE_LIBSYSTEMD
    if (!m_enabled)
        return;
    const int result = sd_notify(/*unset_environment=*/0, state.constData());
    if (result < 0)
        qCWarning(lcService) << "sd_notify failed:" << result;
#else
    Q_UNUSED(state);
#endif
}

} // namespace prc
