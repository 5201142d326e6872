// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpointconfig.h"

namespace prc {

QString modeName(EndpointMode mode)
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        return QStringLiteral("tcp-lookup");
    case EndpointMode::SocketmapLookup:
        return QStringLiteral("socketmap-lookup");
    case EndpointMode::Policy:
        return QStringLiteral("policy");
    }
    return {};
}

std::optional<EndpointMode> modeFromName(const QString &name)
{
    for (auto mode : {EndpointMode::TcpLookup, EndpointMode::SocketmapLookup, EndpointMode::Policy}) {
        if (modeName(mode) == name)
            return mode;
    }
    return std::nullopt;
}

QString backendClientName(BackendClientKind kind)
{
    return kind == BackendClientKind::Qt ? QStringLiteral("qt") : QStringLiteral("curl");
}

std::optional<BackendClientKind> backendClientFromName(const QString &name)
{
    for (auto kind : {BackendClientKind::Curl, BackendClientKind::Qt}) {
        if (backendClientName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

int EndpointConfig::defaultIdleTimeoutMs(EndpointMode mode)
{
    switch (mode) {
    case EndpointMode::SocketmapLookup:
        // Postfix drops an idle socketmap connection after 10 s itself.
        return 30 * 1000;
    case EndpointMode::Policy:
        // A little above Postfix's own max_idle (300 s), so Postfix is the one that closes.
        return 330 * 1000;
    case EndpointMode::TcpLookup:
        // Postfix keeps tcp_table connections forever and pays a 1 s retry delay when we close one,
        // so this only reaps connections of long-gone clients.
        return 600 * 1000;
    }
    return 600 * 1000;
}

qint64 EndpointConfig::defaultMaxRequestSize(EndpointMode mode)
{
    // socketmap: Postfix itself never sends more than 10000 bytes, and its reply limit is 100000.
    return mode == EndpointMode::SocketmapLookup ? 100000 : 64 * 1024;
}

int EndpointConfig::effectiveIdleTimeoutMs() const
{
    return idleTimeoutMs > 0 ? idleTimeoutMs : defaultIdleTimeoutMs(mode);
}

qint64 EndpointConfig::effectiveMaxRequestSize() const
{
    return maxRequestSize > 0 ? maxRequestSize : defaultMaxRequestSize(mode);
}

ListenAddress EndpointConfig::listenAddress() const
{
    return bindPath.isEmpty() ? ListenAddress::tcp(bindAddress, bindPort)
                              : ListenAddress::socketFile(bindPath);
}

QList<QUrl> EndpointConfig::targets() const
{
    return QList<QUrl>{target} + failoverTargets;
}

bool EndpointConfig::sameListener(const EndpointConfig &other) const
{
    // A new mode or group is applied to the file in place: binding the same path twice would fail.
    return listenAddress() == other.listenAddress();
}

bool operator==(const EndpointConfig &a, const EndpointConfig &b)
{
    return a.name == b.name && a.mode == b.mode && a.target == b.target && a.bindAddress == b.bindAddress
           && a.bindPort == b.bindPort && a.authToken == b.authToken && a.tokenSource == b.tokenSource
           && a.tokenReference == b.tokenReference && a.requestTimeoutMs == b.requestTimeoutMs
           && a.listSeparator == b.listSeparator && a.maxConnections == b.maxConnections
           && a.idleTimeoutMs == b.idleTimeoutMs && a.maxRequestSize == b.maxRequestSize
           && a.maxInFlight == b.maxInFlight && a.backendConnections == b.backendConnections
           && a.backendHttp2 == b.backendHttp2 && a.maxResponseSize == b.maxResponseSize
           && a.backendClient == b.backendClient && a.tls == b.tls
           && a.backendUnixSocket == b.backendUnixSocket && a.cache == b.cache && a.bindPath == b.bindPath
           && a.socketMode == b.socketMode && a.socketGroup == b.socketGroup
           && a.failoverTargets == b.failoverTargets && a.circuitBreaker == b.circuitBreaker
           && a.valuePath == b.valuePath && a.notFoundStatuses == b.notFoundStatuses
           && a.failureAction == b.failureAction && a.maxQueuedCalls == b.maxQueuedCalls;
}

bool operator==(const TlsConfig &a, const TlsConfig &b)
{
    return a.caFile == b.caFile && a.clientCert == b.clientCert && a.clientKey == b.clientKey
           && a.verify == b.verify;
}

bool operator==(const CacheConfig &a, const CacheConfig &b)
{
    return a.enabled == b.enabled && a.maxEntries == b.maxEntries && a.maxBytes == b.maxBytes
           && a.positiveTtlMs == b.positiveTtlMs && a.negativeTtlMs == b.negativeTtlMs
           && a.maxTtlMs == b.maxTtlMs && a.staleIfErrorMs == b.staleIfErrorMs
           && a.honorCacheControl == b.honorCacheControl && a.keyAttributes == b.keyAttributes
           && a.shared == b.shared;
}

bool operator==(const SharedCacheConfig &a, const SharedCacheConfig &b)
{
    return a.enabled == b.enabled && a.url == b.url && a.host == b.host && a.port == b.port
           && a.unixPath == b.unixPath && a.database == b.database && a.prefix == b.prefix
           && a.timeoutMs == b.timeoutMs && a.lockWaitMs == b.lockWaitMs && a.password == b.password
           && a.passwordSource == b.passwordSource && a.passwordReference == b.passwordReference;
}

} // namespace prc
