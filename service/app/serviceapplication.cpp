// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/serviceapplication.h"

#include "admin/adminserver.h"
#include "listen/endpointserver.h"
#include "servicelogging.h"

#include <QDateTime>

namespace prc {

ServiceApplication::ServiceApplication(QObject *parent)
    : QObject(parent)
    , m_startTimeMs(QDateTime::currentMSecsSinceEpoch())
{
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this] {
        int open = 0;
        for (EndpointServer *server : std::as_const(m_endpoints))
            open += server->sessionCount();
        qCWarning(lcService) << "drain timeout: closing" << open << "connection(s) still open";
        Q_EMIT shutdownComplete();
    });
}

ServiceApplication::~ServiceApplication() = default;

bool ServiceApplication::listen(EndpointServer *server, int index, QString *error) const
{
    const int passed = m_passed.duplicateFor(server->config());
    QString problem;
    if (server->listen(&problem, passed))
        return true;
    *error = QStringLiteral("endpoints[%1] (%2): %3").arg(index).arg(server->config().name, problem);
    return false;
}

bool ServiceApplication::start(const ServiceConfig &config, QString *error)
{
    const QStringList unmatched = m_passed.unmatched(config.endpoints);
    if (!unmatched.isEmpty()) {
        *error = unmatched.join(QLatin1String("; "));
        return false;
    }
    QList<EndpointServer *> started;
    for (int i = 0; i < config.endpoints.size(); ++i) {
        const EndpointConfig &endpoint = config.endpoints.at(i);
        auto *server = new EndpointServer(endpoint, config.userAgent, this);
        if (!listen(server, i, error)) {
            delete server;
            qDeleteAll(started);
            return false;
        }
        started.append(server);
    }
    AdminServer *admin = nullptr;
    if (config.admin) {
        admin = new AdminServer(*config.admin, this, this);
        if (!admin->listen(error)) {
            delete admin;
            qDeleteAll(started);
            return false;
        }
    }
    m_admin = admin;
    m_endpoints = started;
    m_config = config;
    return true;
}

EndpointServer *ServiceApplication::endpoint(const QString &name) const
{
    for (EndpointServer *server : m_endpoints) {
        if (server->config().name == name)
            return server;
    }
    return nullptr;
}

bool ServiceApplication::reload(const ServiceConfig &config, QString *error)
{
    if (m_shuttingDown) {
        *error = QStringLiteral("shutting down");
        return false;
    }

    struct Plan
    {
        EndpointServer *existing = nullptr;
        EndpointServer *created = nullptr;
    };
    QList<Plan> plan;
    QList<EndpointServer *> created;

    // First everything that can fail: new listeners. Nothing running is touched until they all listen.
    for (int i = 0; i < config.endpoints.size(); ++i) {
        const EndpointConfig &endpoint = config.endpoints.at(i);
        Plan step;
        for (EndpointServer *server : std::as_const(m_endpoints)) {
            if (server->config().sameListener(endpoint))
                step.existing = server;
        }
        if (!step.existing) {
            auto *server = new EndpointServer(endpoint, config.userAgent, this);
            if (!listen(server, i, error)) {
                delete server;
                qDeleteAll(created);
                return false;
            }
            created.append(server);
            step.created = server;
        }
        plan.append(step);
    }

    // The admin listener is kept when it binds the same address and port, else the new one must listen first.
    AdminServer *newAdmin = nullptr;
    const bool adminChanged = config.admin != m_config.admin;
    if (adminChanged && config.admin) {
        newAdmin = new AdminServer(*config.admin, this, this);
        if (!newAdmin->listen(error)) {
            delete newAdmin;
            qDeleteAll(created);
            return false;
        }
    }
    if (adminChanged) {
        delete m_admin; // its open exchanges are answered already or are cheap to retry
        m_admin = newAdmin;
    }

    QList<EndpointServer *> next;
    int kept = 0;
    int changed = 0;
    for (int i = 0; i < plan.size(); ++i) {
        const Plan &step = plan.at(i);
        if (step.created) {
            next.append(step.created);
            continue;
        }
        const EndpointConfig &endpoint = config.endpoints.at(i);
        if (step.existing->config() == endpoint && step.existing->userAgent() == config.userAgent) {
            ++kept;
        } else {
            step.existing->reconfigure(endpoint, config.userAgent);
            ++changed;
        }
        next.append(step.existing);
    }

    int removed = 0;
    for (EndpointServer *server : std::as_const(m_endpoints)) {
        if (!next.contains(server)) {
            retire(server);
            ++removed;
        }
    }

    // At start this is an error; here the socket stays open for a later configuration that uses it again.
    for (const QString &problem : m_passed.unmatched(config.endpoints))
        qCWarning(lcService).noquote() << problem;

    m_endpoints = next;
    m_config = config;
    ++m_reloads;
    qCInfo(lcService) << "configuration reloaded:" << kept << "unchanged," << changed << "changed,"
                      << created.size() << "added," << removed << "removed";
    Q_EMIT reloaded();
    return true;
}

void ServiceApplication::retire(EndpointServer *server)
{
    qCInfo(lcService).noquote() << server->config().name << "removed; finishing its open connections";
    m_retiring.append(server);
    connect(server, &EndpointServer::drained, this, [this, server] {
        m_retiring.removeOne(server);
        server->deleteLater();
        checkDrained();
    });
    server->drain();
}

void ServiceApplication::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    qCInfo(lcService) << "shutting down: no new connections, finishing requests in flight";
    m_drainTimer.start(m_drainTimeoutMs);
    for (EndpointServer *server : std::as_const(m_endpoints)) {
        connect(server, &EndpointServer::drained, this, &ServiceApplication::checkDrained);
        server->drain();
    }
    checkDrained();
}

void ServiceApplication::checkDrained()
{
    if (!m_shuttingDown || !m_drainTimer.isActive())
        return;
    for (EndpointServer *server : std::as_const(m_endpoints)) {
        if (!server->isDrained())
            return;
    }
    if (!m_retiring.isEmpty())
        return;
    m_drainTimer.stop();
    qCInfo(lcService) << "all connections finished";
    Q_EMIT shutdownComplete();
}

} // namespace prc
