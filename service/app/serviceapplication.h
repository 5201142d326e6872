// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/serviceconfig.h"
#include "listen/passedsockets.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace prc {

class AdminServer;
class EndpointServer;

/// Owns the endpoints of one configuration: starts them, applies a new configuration without dropping what
/// did not change, and drains them on shutdown.
class ServiceApplication : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultDrainTimeoutMs = 10000;

    explicit ServiceApplication(QObject *parent = nullptr);
    ~ServiceApplication() override;

    /// Sockets systemd passed in: an endpoint they match listens on them instead of binding (start and
    /// reload).
    void setPassedSockets(const PassedSockets &sockets) { m_passed = sockets; }

    /// Listens on every endpoint and on the admin listener when configured; all or nothing.
    bool start(const ServiceConfig &config, QString *error);

    /// Applies a new configuration. Unchanged endpoints keep their socket and connections; changed ones on
    /// the same address:port keep their socket and give new connections the new settings; new ones must all
    /// listen, or nothing changes and error says why. The admin listener is kept when its address and port
    /// are unchanged, otherwise the new one must listen before the old one closes (or nothing changes).
    bool reload(const ServiceConfig &config, QString *error);

    const ServiceConfig &config() const { return m_config; }
    QList<EndpointServer *> endpoints() const { return m_endpoints; }
    EndpointServer *endpoint(const QString &name) const;

    bool isShuttingDown() const { return m_shuttingDown; }

    /// The admin listener, or null when the configuration has no "admin" object.
    AdminServer *adminServer() const { return m_admin; }
    /// Wall-clock time this object was made (process_start_time_seconds), ms since the epoch.
    qint64 startTimeMs() const { return m_startTimeMs; }
    int reloadCount() const { return m_reloads; }

public Q_SLOTS:
    /// Stop accepting, finish in-flight requests (bounded by the drain timeout), then shutdownComplete().
    void shutdown();
    void setDrainTimeout(int ms) { m_drainTimeoutMs = ms; }

Q_SIGNALS:
    void shutdownComplete();
    void reloaded();

private:
    void retire(EndpointServer *server);
    bool listen(EndpointServer *server, int index, QString *error) const;
    void checkDrained();

    ServiceConfig m_config;
    PassedSockets m_passed;
    QList<EndpointServer *> m_endpoints;
    QList<EndpointServer *> m_retiring; ///< removed by a reload, finishing their connections
    AdminServer *m_admin = nullptr;
    qint64 m_startTimeMs = 0;
    int m_reloads = 0;
    QTimer m_drainTimer;
    int m_drainTimeoutMs = DefaultDrainTimeoutMs;
    bool m_shuttingDown = false;
};

} // namespace prc
