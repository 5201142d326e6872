// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/listenaddress.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace prc {

enum class EndpointMode { TcpLookup, SocketmapLookup, Policy };

/// The config spelling of a mode: "tcp-lookup", "socketmap-lookup", "policy".
QString modeName(EndpointMode mode);
std::optional<EndpointMode> modeFromName(const QString &name);

/// Where an endpoint's auth token comes from. Only Inline exists in the original connector.
enum class TokenSource { Inline, File, Environment };

/// Which HTTP client carries an endpoint's backend calls ("backend-client").
enum class BackendClientKind { Curl, Qt };

/// The config spelling: "curl" or "qt".
QString backendClientName(BackendClientKind kind);
std::optional<BackendClientKind> backendClientFromName(const QString &name);

/// TLS to the backend (the tls-* keys). Empty paths mean the system's defaults.
struct TlsConfig
{
    QString caFile;     ///< PEM bundle of trusted CAs; empty: the system store
    QString clientCert; ///< PEM certificate (chain) presented to the backend (mutual TLS)
    QString clientKey;  ///< PEM private key for clientCert; empty: read from clientCert
    bool verify = true; ///< false: any server certificate is accepted (warned at every start and reload)

    friend bool operator==(const TlsConfig &a, const TlsConfig &b);
    friend bool operator!=(const TlsConfig &a, const TlsConfig &b) { return !(a == b); }
};

/// The optional shared tier of an endpoint's cache ("cache.shared" object): answers kept in Redis so that
/// several connectors share them. Off unless the object is given.
struct SharedCacheConfig
{
    static constexpr int DefaultTimeoutMs = 50;
    static constexpr int DefaultLockWaitMs = 250;
    static constexpr quint16 DefaultPort = 6379;
    static QString defaultPrefix() { return QStringLiteral("prc:"); }

    bool enabled = false;
    QString url;  ///< as written: redis://host[:port][/db] or unix:/path
    QString host; ///< empty for a Unix socket
    quint16 port = DefaultPort;
    QString unixPath; ///< empty for TCP
    int database = 0;
    QString prefix = defaultPrefix();
    int timeoutMs = DefaultTimeoutMs; ///< the most a Redis call may add to a lookup
    /// How long a connector that finds another one asking the backend for the same key waits for its answer
    /// in Redis (at most half the endpoint's request-timeout); 0: no fleet coalescing, every host asks.
    int lockWaitMs = DefaultLockWaitMs;
    /// The resolved password (from the file or the environment); empty: no AUTH. Never log it.
    QString password;
    TokenSource passwordSource = TokenSource::Inline; ///< Inline here means "no password"
    QString passwordReference;                        ///< file path or variable name

    friend bool operator==(const SharedCacheConfig &a, const SharedCacheConfig &b);
    friend bool operator!=(const SharedCacheConfig &a, const SharedCacheConfig &b) { return !(a == b); }
};

/// The optional answer cache of one endpoint ("cache" object). Off unless enabled; see
/// docs/caching-and-metrics.md.
struct CacheConfig
{
    static constexpr int DefaultMaxEntries = 10000;
    static constexpr qint64 DefaultMaxBytes = 16 * 1024 * 1024;
    static constexpr int DefaultPositiveTtlMs = 60 * 1000;
    static constexpr int DefaultNegativeTtlMs = 10 * 1000;
    static constexpr int DefaultMaxTtlMs = 60 * 60 * 1000;

    bool enabled = false;
    int maxEntries = DefaultMaxEntries;
    qint64 maxBytes = DefaultMaxBytes;
    int positiveTtlMs =
        DefaultPositiveTtlMs; ///< found answers (and policy actions) without Cache-Control max-age
    int negativeTtlMs = DefaultNegativeTtlMs; ///< not-found answers (404 or []) without max-age
    int maxTtlMs = DefaultMaxTtlMs;           ///< upper bound for any TTL, including the backend's max-age
    int staleIfErrorMs = 0; ///< how long past expiry an answer may stand in for a failing backend
    bool honorCacheControl = true;
    /// Policy only: the attributes a cache key is built from; empty = the whole request.
    QStringList keyAttributes;
    SharedCacheConfig shared;

    friend bool operator==(const CacheConfig &a, const CacheConfig &b);
    friend bool operator!=(const CacheConfig &a, const CacheConfig &b) { return !(a == b); }
};

/// The optional per-target circuit breaker ("circuit-breaker" object). Off unless the object is given.
struct CircuitBreakerConfig
{
    static constexpr int DefaultFailures = 5;
    static constexpr int DefaultOpenForMs = 10 * 1000;

    bool enabled = false;
    int failures = DefaultFailures;   ///< consecutive failed calls that open a target
    int openForMs = DefaultOpenForMs; ///< how long an open target is skipped before one trial call

    friend bool operator==(const CircuitBreakerConfig &a, const CircuitBreakerConfig &b)
    {
        return a.enabled == b.enabled && a.failures == b.failures && a.openForMs == b.openForMs;
    }
    friend bool operator!=(const CircuitBreakerConfig &a, const CircuitBreakerConfig &b) { return !(a == b); }
};

/// One configured endpoint: a listening socket speaking one Postfix protocol, backed by one URL.
/// A plain value type; defaults are the ones a missing key gets.
struct EndpointConfig
{
    static constexpr int DefaultRequestTimeoutMs = 2000;
    static constexpr int DefaultMaxConnections = 1024;
    static constexpr int DefaultMaxInFlight = 16;
    static constexpr qint64 DefaultMaxResponseSize = 1024 * 1024;
    static constexpr int DefaultBackendConnections = 6;

    QString name;
    EndpointMode mode = EndpointMode::TcpLookup;
    QUrl target; ///< the first (or only) URL of "target"
    QString bindAddress;
    quint16 bindPort = 0;

    // A Unix socket instead of bindAddress/bindPort (socketmap-lookup and policy only).
    static constexpr int DefaultSocketMode = 0660;
    QString bindPath;
    int socketMode = DefaultSocketMode; ///< permission bits of the socket file
    QString socketGroup;                ///< group of the socket file; empty = the process's group

    /// The resolved token (read from the file or environment when configured so). Never log it.
    QString authToken;
    TokenSource tokenSource = TokenSource::Inline;
    QString tokenReference; ///< file path or variable name for File / Environment

    int requestTimeoutMs = DefaultRequestTimeoutMs;
    QString listSeparator = QStringLiteral(",");

    // Limits: optional keys, not known to the original connector.
    int maxConnections = DefaultMaxConnections;
    int idleTimeoutMs = 0;     ///< 0 = the mode's default, see effectiveIdleTimeoutMs()
    qint64 maxRequestSize = 0; ///< 0 = the mode's default, see effectiveMaxRequestSize()
    int maxInFlight = DefaultMaxInFlight;
    qint64 maxResponseSize = DefaultMaxResponseSize;

    // The HTTP side: which client, persistent connections to the backend (the qt client opens at most 6 per
    // network manager and rounds up), HTTP/2 (ALPN for https; prior knowledge for http, qt client only), TLS,
    // and an optional Unix socket to reach the backend through (curl client only).
    BackendClientKind backendClient = BackendClientKind::Curl;
    int backendConnections = DefaultBackendConnections;
    bool backendHttp2 = false;
    TlsConfig tls;
    QString backendUnixSocket;

    CacheConfig cache;

    // Failover and answer shaping: optional keys; unset, every answer is what it was before they existed.
    static constexpr int UnboundedQueue = -1;
    QList<QUrl> failoverTargets; ///< the URLs after the first when "target" is an array, in order
    CircuitBreakerConfig circuitBreaker;
    QString valuePath; ///< RFC 6901 pointer into a 200 body; empty = the body
    QList<int> notFoundStatuses = defaultNotFoundStatuses(); ///< lookups: statuses answered as "not found"
    QString failureAction; ///< policy: the action for a failed call; empty = 451 4.3.0 (4.3.5 for a 4xx)
    int maxQueuedCalls = UnboundedQueue; ///< calls that may wait for a free backend connection

    static QList<int> defaultNotFoundStatuses() { return {404}; }
    /// target followed by failoverTargets.
    QList<QUrl> targets() const;

    int effectiveIdleTimeoutMs() const;
    qint64 effectiveMaxRequestSize() const;

    static int defaultIdleTimeoutMs(EndpointMode mode);
    static qint64 defaultMaxRequestSize(EndpointMode mode);

    /// The bind-path when set, else bind-address and bind-port.
    ListenAddress listenAddress() const;

    /// True when a listener bound for `other` can be kept for this config (same address and port, or same
    /// path).
    bool sameListener(const EndpointConfig &other) const;

    friend bool operator==(const EndpointConfig &a, const EndpointConfig &b);
    friend bool operator!=(const EndpointConfig &a, const EndpointConfig &b) { return !(a == b); }
};

} // namespace prc
