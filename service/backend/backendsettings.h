// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <QString>

namespace prc {

/// What every call of one endpoint's backend client shares: headers, limits, connections, TLS. Built once per
/// endpoint context from its config.
struct BackendSettings
{
    BackendClientKind kind = BackendClientKind::Curl;
    QString userAgent;
    QString authToken; ///< never logged
    int timeoutMs = EndpointConfig::DefaultRequestTimeoutMs;
    qint64 maxResponseSize = EndpointConfig::DefaultMaxResponseSize;
    int connections = EndpointConfig::DefaultBackendConnections; ///< persistent connections to the backend
    bool http2 = false;
    TlsConfig tls;
    QString unixSocket; ///< curl only: reach the backend through this Unix socket

    static BackendSettings fromConfig(const EndpointConfig &config, const QString &userAgent);
};

} // namespace prc
