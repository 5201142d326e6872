// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSet>

#include <memory>

class QTcpServer;

namespace prc {

class EndpointContext;
class Session;

/// One configured endpoint: its listening socket and the sessions accepted on it.
class EndpointServer : public QObject
{
    Q_OBJECT

public:
    EndpointServer(const EndpointConfig &config, const QString &userAgent, QObject *parent = nullptr);
    ~EndpointServer() override;

    bool listen(QString *error);
    quint16 serverPort() const;

    const EndpointConfig &config() const;
    const QString &userAgent() const { return m_userAgent; }

    /// New settings for the same listener: new connections use them, open ones finish with theirs.
    void reconfigure(const EndpointConfig &config, const QString &userAgent);

    /// Stop listening and let every session finish what it has taken; drained() follows.
    void drain();
    bool isDrained() const;

    int sessionCount() const { return int(m_sessions.size()); }

Q_SIGNALS:
    void drained();

private:
    void acceptConnections();
    void removeSession(Session *session);

    QTcpServer *m_server;
    std::shared_ptr<const EndpointContext> m_context;
    QString m_userAgent;
    QSet<Session *> m_sessions;
    bool m_draining = false;
    qint64 m_refused = 0;
    QElapsedTimer m_refusedLogged;
};

/// The address to bind for a config value ("localhost" included).
QHostAddress bindAddressFor(const QString &address);

} // namespace prc
