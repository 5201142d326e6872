// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSet>

#include <memory>

namespace prc {

class Clock;
class Connection;
class Listener;
class EndpointContext;
class EndpointMetrics;
class LookupCache;
class Session;

/// One configured endpoint: its listening socket and the sessions accepted on it.
class EndpointServer : public QObject
{
    Q_OBJECT

public:
    EndpointServer(const EndpointConfig &config, const QString &userAgent, QObject *parent = nullptr);
    /// With the clock the answer cache reads (tests move it by hand); the steady clock when null.
    EndpointServer(const EndpointConfig &config, const QString &userAgent, std::shared_ptr<const Clock> clock,
                   QObject *parent = nullptr);
    ~EndpointServer() override;

    /// Binds the configured address or path; with a descriptor (passed by systemd), listens on that instead.
    bool listen(QString *error, int passedDescriptor = -1);
    quint16 serverPort() const;
    bool isListening() const;

    const EndpointConfig &config() const;
    const QString &userAgent() const { return m_userAgent; }

    /// New settings for the same listener: new connections use them, open ones finish with theirs.
    void reconfigure(const EndpointConfig &config, const QString &userAgent);

    /// Stop listening and let every session finish what it has taken; drained() follows.
    void drain();
    bool isDrained() const;

    int sessionCount() const { return int(m_sessions.size()); }
    /// Requests taken from every open connection and not answered yet.
    int inFlightRequests() const;

    /// Counters since the listener was opened; kept across reloads that keep the listener.
    const EndpointMetrics &metrics() const { return *m_metrics; }
    /// The cache new connections use; null when it is off.
    const LookupCache *cache() const;
    /// The context new connections get (its backend client serves health probes, too).
    std::shared_ptr<const EndpointContext> context() const { return m_context; }

Q_SIGNALS:
    void drained();

private:
    void acceptConnection(Connection *connection);
    void removeSession(Session *session);

    Listener *m_listener = nullptr;
    std::shared_ptr<EndpointMetrics> m_metrics;
    std::shared_ptr<const Clock> m_clock;
    std::shared_ptr<const EndpointContext> m_context;
    QString m_userAgent;
    QSet<Session *> m_sessions;
    bool m_draining = false;
    QElapsedTimer m_refusedLogged;
};

/// The address to bind for a config value ("localhost" included).
QHostAddress bindAddressFor(const QString &address);

} // namespace prc
