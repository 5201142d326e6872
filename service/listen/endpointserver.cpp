// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/endpointserver.h"

#include "listen/endpointcontext.h"
#include "listen/session.h"
#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace prc {

QHostAddress bindAddressFor(const QString &address)
{
    if (address == QLatin1String("localhost"))
        return QHostAddress(QHostAddress::LocalHost);
    return QHostAddress(address);
}

EndpointServer::EndpointServer(const EndpointConfig &config, const QString &userAgent, QObject *parent)
    : EndpointServer(config, userAgent, nullptr, parent)
{
}

EndpointServer::EndpointServer(const EndpointConfig &config, const QString &userAgent,
                               std::shared_ptr<const Clock> clock, QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
    , m_metrics(std::make_shared<EndpointMetrics>())
    , m_clock(std::move(clock))
    , m_context(std::make_shared<const EndpointContext>(config, userAgent, m_metrics, m_clock))
    , m_userAgent(userAgent)
{
    connect(m_server, &QTcpServer::newConnection, this, &EndpointServer::acceptConnections);
}

EndpointServer::~EndpointServer() = default;

bool EndpointServer::listen(QString *error)
{
    const EndpointConfig &cfg = m_context->config();
    // Every Postfix process opens its own connection, and they all reconnect at once after a restart: a deep
    // kernel backlog (Qt's default is 50) keeps a burst of connects from waiting for SYN retransmissions.
    // Qt's own pending queue is drained as soon as the event loop runs.
    m_server->setListenBacklogSize(1024);
    m_server->setMaxPendingConnections(128);
    if (!m_server->listen(bindAddressFor(cfg.bindAddress), cfg.bindPort)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(cfg.bindAddress)
                     .arg(cfg.bindPort)
                     .arg(m_server->errorString());
        return false;
    }
    qCInfo(lcEndpoint).noquote() << cfg.name << QStringLiteral("(%1)").arg(modeName(cfg.mode))
                                 << "listening on"
                                 << QStringLiteral("%1:%2").arg(cfg.bindAddress).arg(m_server->serverPort())
                                 << "->" << cfg.target.toString(QUrl::RemoveUserInfo);
    return true;
}

quint16 EndpointServer::serverPort() const
{
    return m_server->serverPort();
}

bool EndpointServer::isListening() const
{
    return m_server->isListening();
}

int EndpointServer::inFlightRequests() const
{
    // Summed when asked (a scrape) rather than counted on every request.
    int total = 0;
    for (const Session *session : m_sessions)
        total += session->inFlight();
    return total;
}

const LookupCache *EndpointServer::cache() const
{
    return m_context->cache();
}

const EndpointConfig &EndpointServer::config() const
{
    return m_context->config();
}

void EndpointServer::reconfigure(const EndpointConfig &config, const QString &userAgent)
{
    m_context = std::make_shared<const EndpointContext>(config, userAgent, m_metrics, m_clock);
    m_userAgent = userAgent;
    qCInfo(lcEndpoint).noquote() << config.name << "reconfigured; new connections use the new settings";
}

void EndpointServer::acceptConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_draining) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        if (m_sessions.size() >= m_context->config().maxConnections) {
            // Refusing at once lets Postfix retry elsewhere or later instead of waiting for its own timeout.
            ++m_metrics->connectionsRefused;
            if (!m_refusedLogged.isValid() || m_refusedLogged.elapsed() > 10000) {
                qCWarning(lcEndpoint).noquote()
                    << m_context->config().name << "max-connections" << m_context->config().maxConnections
                    << "reached; refused" << m_metrics->connectionsRefused << "connection(s) so far";
                m_refusedLogged.start();
            }
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_metrics->connectionsAccepted;
        auto *session = new Session(socket, m_context, this);
        m_sessions.insert(session);
        connect(session, &Session::closed, this, [this, session] { removeSession(session); });
    }
}

void EndpointServer::removeSession(Session *session)
{
    m_sessions.remove(session);
    session->deleteLater();
    if (m_draining && m_sessions.isEmpty())
        Q_EMIT drained();
}

void EndpointServer::drain()
{
    if (m_draining)
        return;
    m_draining = true;
    m_server->close();
    const auto sessions = m_sessions;
    for (Session *session : sessions)
        session->drain();
    if (m_sessions.isEmpty())
        QMetaObject::invokeMethod(this, &EndpointServer::drained, Qt::QueuedConnection);
}

bool EndpointServer::isDrained() const
{
    return m_draining && m_sessions.isEmpty();
}

} // namespace prc
