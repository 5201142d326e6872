// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <QList>
#include <QString>

#include <optional>

namespace prc {

/// The optional admin HTTP listener ("admin" object): /metrics and /healthz. Off when the key is absent.
struct AdminConfig
{
    QString bindAddress = QStringLiteral("127.0.0.1");
    quint16 bindPort = 0;

    friend bool operator==(const AdminConfig &a, const AdminConfig &b)
    {
        return a.bindAddress == b.bindAddress && a.bindPort == b.bindPort;
    }
    friend bool operator!=(const AdminConfig &a, const AdminConfig &b) { return !(a == b); }
};

/// The whole configuration file: one user agent and the endpoints.
struct ServiceConfig
{
    static QString defaultUserAgent() { return QStringLiteral("Postfix REST Connector"); }

    QString userAgent = defaultUserAgent();
    QList<EndpointConfig> endpoints;
    std::optional<AdminConfig> admin;
};

} // namespace prc
