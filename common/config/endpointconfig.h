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

/// One configured endpoint: a listening socket speaking one Postfix protocol, backed by one URL.
/// A plain value type; defaults are the ones a missing key gets.
struct EndpointConfig
{
    static constexpr int DefaultRequestTimeoutMs = 2000;
    static constexpr int DefaultMaxConnections = 1024;
    static constexpr int DefaultMaxInFlight = 16;
    static constexpr qint64 DefaultMaxResponseSize = 1024 * 1024;

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
    int idleTimeoutMs = 0; ///< 0 = the mode's default, see effectiveIdleTimeoutMs()
    qint64 maxRequestSize = 0; ///< 0 = the mode's default, see effectiveMaxRequestSize()
    int maxInFlight = DefaultMaxInFlight;
    qint64 maxResponseSize = DefaultMaxResponseSize;

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
