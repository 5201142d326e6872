// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QUrl>

#include <optional>

namespace prc {

enum class EndpointMode { TcpLookup, SocketmapLookup, Policy };

/// The config spelling of a mode: "tcp-lookup", "socketmap-lookup", "policy".
QString modeName(EndpointMode mode);
std::optional<EndpointMode> modeFromName(const QString &name);

/// Where an endpoint's auth token comes from. Only Inline exists in the original connector.
enum class TokenSource { Inline, File, Environment };

/// The optional shared tier of an endpoint's cache ("cache.shared" object): answers kept in Redis so that
/// several connectors share them. Off unless the object is given.
struct SharedCacheConfig
{
    static constexpr int DefaultTimeoutMs = 50;
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
    SharedCacheConfig shared;

    friend bool operator==(const CacheConfig &a, const CacheConfig &b);
    friend bool operator!=(const CacheConfig &a, const CacheConfig &b) { return !(a == b); }
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
    QUrl target;
    QString bindAddress;
    quint16 bindPort = 0;

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

    // The HTTP side: parallel connections to the backend (Qt opens at most 6 per client; more means more
    // clients, each with its own network thread) and HTTP/2 (ALPN for https, prior knowledge for http).
    int backendConnections = DefaultBackendConnections;
    bool backendHttp2 = false;

    CacheConfig cache;

    int effectiveIdleTimeoutMs() const;
    qint64 effectiveMaxRequestSize() const;

    static int defaultIdleTimeoutMs(EndpointMode mode);
    static qint64 defaultMaxRequestSize(EndpointMode mode);

    /// True when a listener bound for `other` can be kept for this config (same address and port).
    bool sameListener(const EndpointConfig &other) const;

    friend bool operator==(const EndpointConfig &a, const EndpointConfig &b);
    friend bool operator!=(const EndpointConfig &a, const EndpointConfig &b) { return !(a == b); }
};

} // namespace prc
