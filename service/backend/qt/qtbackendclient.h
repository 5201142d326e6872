// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendclient.h"

#include <QSslConfiguration>

#include <vector>

class QNetworkAccessManager;

namespace prc {

/// The pure-Qt client ("backend-client": "qt"): QNetworkAccessManager. It speaks HTTP/2 cleartext (prior
/// knowledge), which the curl client of Debian 12 cannot; it costs several times the CPU per call.
class QtBackendClient : public BackendClient
{
    Q_OBJECT

public:
    /// Qt opens at most this many HTTP/1.1 connections per host and manager.
    static constexpr int ConnectionsPerManager = 6;

    explicit QtBackendClient(BackendSettings settings, QObject *parent = nullptr);
    ~QtBackendClient() override;

    BackendRequest *start(const BackendCall &call, const QByteArray &requestId, QObject *owner) override;
    QLatin1String kind() const override { return QLatin1String("qt"); }

    int managerCount() const { return int(m_managers.size()); }

private:
    QByteArray m_userAgent;
    QByteArray m_authToken;
    QSslConfiguration m_tls;
    /// Each manager runs its HTTP connections in a thread of its own; several of them lift both the
    /// per-manager connection limit and the single-thread ceiling. Calls are spread round-robin.
    std::vector<QNetworkAccessManager *> m_managers;
    size_t m_next = 0;
};

} // namespace prc
