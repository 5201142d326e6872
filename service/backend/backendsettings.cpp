// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/backendsettings.h"

namespace prc {

BackendSettings BackendSettings::fromConfig(const EndpointConfig &config, const QString &userAgent)
{
    BackendSettings settings;
    settings.kind = config.backendClient;
    settings.userAgent = userAgent;
    settings.authToken = config.authToken;
    settings.timeoutMs = config.requestTimeoutMs;
    settings.maxResponseSize = config.maxResponseSize;
    settings.connections = config.backendConnections;
    settings.http2 = config.backendHttp2;
    settings.tls = config.tls;
    settings.unixSocket = config.backendUnixSocket;
    return settings;
}

} // namespace prc
