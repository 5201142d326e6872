// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/endpointserver.h"

#include "listen/connection.h"
#include "listen/endpointcontext.h"
#include "listen/locallistener.h"
#include "listen/session.h"
#include "listen/tcplistener.h"
#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

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
    , m_metrics(std::make_shared<EndpointMetrics>())
    , m_clock(std::move(clock))
    , m_context(std::make_shared<const EndpointContext>(config, userAgent, m_metrics, m_clock))
    , m_userAgent(userAgent)
{
}

EndpointServer::~EndpointServer() = default;

bool EndpointServer::listen(QString *error, int passedDescriptor)
{
    const EndpointConfig &cfg = m_context->config();
    bool passedUnix = false;
#ifdef Q_OS_UNIX
    if (passedDescriptor >= 0) {
        sockaddr_storage address{};
        socklen_t size = sizeof(address);
        passedUnix = ::getsockname(passedDescriptor, reinterpret_cast<sockaddr *>(&address), &size) == 0
                     && address.ss_family == AF_UNIX;
    }
#endif
    const bool unixSocket = passedDescriptor >= 0 ? passedUnix : cfg.listenAddress().isUnix();
    if (unixSocket && cfg.mode == EndpointMode::TcpLookup) {
        *error =
            QStringLiteral("the passed socket is a Unix socket, and Postfix's tcp_table speaks TCP only");
        return false;
    }

    bool ok = false;
    if (unixSocket) {
        auto *listener = new LocalListener(this);
        m_listener = listener;
        ok = passedDescriptor >= 0 ? listener->adopt(passedDescriptor, error)
                                   : listener->listen(cfg.bindPath, cfg.socketMode, cfg.socketGroup, error);
    } else {
        auto *listener = new TcpListener(this);
        m_listener = listener;
        ok = passedDescriptor >= 0 ? listener->adopt(passedDescriptor, error)
                                   : listener->listen(cfg.bindAddress, cfg.bindPort, error);
    }
    if (!ok) {
        delete m_listener;
        m_listener = nullptr;
        return false;
    }
    connect(m_listener, &Listener::accepted, this, &EndpointServer::acceptConnection);
    qCInfo(lcEndpoint).noquote() << cfg.name << QStringLiteral("(%1)").arg(modeName(cfg.mode))
                                 << "listening on"
                                 << (passedDescriptor >= 0
                                         ? m_listener->address() + QStringLiteral(" (passed by systemd)")
                                         : m_listener->address())
                                 << "->" << cfg.target.toString(QUrl::RemoveUserInfo);
    return true;
}

quint16 EndpointServer::serverPort() const
{
    return m_listener ? m_listener->port() : 0;
}

bool EndpointServer::isListening() const
{
    return m_listener && m_listener->isListening();
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
    auto *local = qobject_cast<LocalListener *>(m_listener);
    QString problem;
    if (local && !local->setPermissions(config.socketMode, config.socketGroup, &problem))
        qCWarning(lcEndpoint).noquote() << config.name << "cannot apply socket-mode/socket-group:" << problem;
    m_context = std::make_shared<const EndpointContext>(config, userAgent, m_metrics, m_clock);
    m_userAgent = userAgent;
    qCInfo(lcEndpoint).noquote() << config.name << "reconfigured; new connections use the new settings";
}

void EndpointServer::acceptConnection(Connection *connection)
{
    if (m_draining) {
        connection->abort();
        connection->deleteLater();
        return;
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
        connection->abort();
        connection->deleteLater();
        return;
    }
    ++m_metrics->connectionsAccepted;
    auto *session = new Session(connection, m_context, this);
    m_sessions.insert(session);
    connect(session, &Session::closed, this, [this, session] { removeSession(session); });
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
    if (m_listener)
        m_listener->close();
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
