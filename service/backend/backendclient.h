// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"

#include <QByteArray>
#include <QObject>

#include <vector>

class QNetworkAccessManager;

namespace prc {

class BackendRequest;

/// The HTTP side of one endpoint: the network clients and the headers every call carries.
class BackendClient : public QObject
{
    Q_OBJECT

public:
    /// Qt opens at most this many HTTP/1.1 connections per host and client.
    static constexpr int ConnectionsPerClient = 6;

    struct Settings
    {
        QString userAgent;
        QString authToken;
        int timeoutMs = 2000;
        qint64 maxResponseSize = 1024 * 1024;
        int connections = ConnectionsPerClient; ///< parallel backend connections (HTTP/1.1)
        bool http2 = false;                     ///< HTTP/2: ALPN for https, prior knowledge (h2c) for http
    };

    explicit BackendClient(Settings settings, QObject *parent = nullptr);
    ~BackendClient() override;

    /// Starts a call. The returned request is owned by `owner`; it emits finished() exactly once, at the
    /// latest when the timeout elapses. Deleting it aborts the call.
    BackendRequest *start(const BackendCall &call, const QByteArray &requestId, QObject *owner);

    int clientCount() const { return int(m_clients.size()); }

private:
    Settings m_settings;
    QByteArray m_userAgent;
    QByteArray m_authToken;
    /// Each QNetworkAccessManager runs its HTTP connections in a thread of its own; several of them lift both
    /// the per-client connection limit and the single-thread ceiling. Calls are spread round-robin.
    std::vector<QNetworkAccessManager *> m_clients;
    size_t m_next = 0;
};

} // namespace prc
