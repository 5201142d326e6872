// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "cache/redisbreaker.h"
#include "cache/sharedentry.h"
#include "config/endpointconfig.h"

#include <QElapsedTimer>
#include <QObject>

#include <functional>
#include <optional>

namespace prc {

class EndpointMetrics;
class RedisConnection;

/// The shared tier of an endpoint's answer cache: entries in Redis under
/// prefix + endpoint name + ":" + SHA-256 of the backend call, in the SharedEntry format. Redis can only make
/// an answer miss, never make it wrong or late: every call ends within cache.shared.timeout, anything
/// unexpected is a miss, and after repeated failures Redis is skipped for a while (RedisBreaker).
class SharedCache : public QObject
{
    Q_OBJECT

public:
    /// name: the endpoint's (part of every key, and of log lines). maxBodySize: a longer stored body is
    /// refused like a longer backend answer (max-response-size).
    SharedCache(const QString &name, const SharedCacheConfig &config, qint64 maxBodySize,
                EndpointMetrics &metrics, QObject *parent = nullptr);
    ~SharedCache() override;

    using Callback = std::function<void(const std::optional<SharedEntry> &entry)>;

    /// Looks a call key (LookupCache::keyFor) up. The callback runs exactly once, within the timeout (at
    /// once when Redis is skipped or unreachable), with an entry that has not passed its stale-if-error
    /// window, or nullopt. It does not run once `context` is destroyed.
    void get(const QByteArray &callKey, QObject *context, Callback callback);
    /// Stores an answer for ttlMs, kept staleIfErrorMs longer for stale-if-error (Redis drops it after that).
    void put(const QByteArray &callKey, const BackendResult &result, qint64 ttlMs, qint64 staleIfErrorMs);
    /// Removes the key's entry (the backend now says no-store).
    void forget(const QByteArray &callKey);

    /// The Redis key of a call key.
    QByteArray redisKey(const QByteArray &callKey) const;
    /// Unix time in ms, the clock the entries' lifetimes are written in.
    static qint64 wallClockMs();

    bool isConnected() const;
    RedisBreaker::State breakerState() const { return m_breaker.state(); }
    /// One line for /healthz: where Redis is and whether it is used, never the password.
    QString status() const;

private:
    bool allow();
    void succeeded();
    void failed(const QByteArray &reason, bool timeout);

    QString m_name;
    SharedCacheConfig m_config;
    qint64 m_maxBodySize;
    EndpointMetrics &m_metrics;
    QByteArray m_keyPrefix;
    RedisConnection *m_connection;
    RedisBreaker m_breaker;
    QElapsedTimer m_clock;
};

} // namespace prc
