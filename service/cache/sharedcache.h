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
struct RedisReply;

/// What a lookup found in Redis.
struct SharedLookup
{
    /// An entry that passed every check (format, checksum, and the endpoint's own idea of an answer), not
    /// past its stale-if-error window; nullopt: nothing usable.
    std::optional<SharedEntry> entry;
    /// The entry is fresh: it is the answer. Otherwise the backend is asked (the entry, if any, may stand in
    /// if that fails).
    bool fresh = false;
    /// Set when this connector took the key's lock: it asks the backend for the whole fleet and gives the
    /// token back to release() once the answer is stored, or is not going to be.
    QByteArray lockToken;
};

/// The shared tier of an endpoint's answer cache: entries in Redis under
/// prefix + endpoint name + ":" + SHA-256 of the backend call, in the SharedEntry format. Redis can only make
/// an answer miss, never make it wrong or late: every call ends within cache.shared.timeout, anything
/// unexpected is a miss, and after repeated failures Redis is skipped for a while (RedisBreaker).
///
/// Fleet coalescing (cache.shared.lock-wait > 0): a connector that misses takes a lock on the key
/// (<key>:lock, SET NX PX request-timeout) in the same round trip; the others that miss meanwhile wait for
/// the holder's answer to appear in Redis (SharedWait) instead of asking the backend too.
class SharedCache : public QObject
{
    Q_OBJECT

public:
    /// name: the endpoint's (part of every key, and of log lines). maxBodySize: a longer stored body is
    /// refused like a longer backend answer (max-response-size). requestTimeoutMs: the endpoint's; the
    /// lifetime of a lock, and twice the longest wait for one.
    SharedCache(const QString &name, const SharedCacheConfig &config, qint64 maxBodySize,
                int requestTimeoutMs, EndpointMetrics &metrics, QObject *parent = nullptr);
    ~SharedCache() override;

    using Callback = std::function<void(const std::optional<SharedEntry> &entry)>;
    /// Whether a stored answer is one this endpoint would give (the mode's own reading of it).
    using Accept = std::function<bool(const BackendResult &result)>;
    using LookupCallback = std::function<void(const SharedLookup &found)>;

    /// The longest a lookup waits for another connector's answer: lock-wait, but at most half of
    /// request-timeout, so that the backend call it may still have to make keeps the other half. 0: off.
    static int lockWaitBound(int lockWaitMs, int requestTimeoutMs);
    int lockWaitMs() const { return m_lockWaitMs; }

    /// Looks a call key up for an answer, coalescing with the fleet when lock-wait is on: a fresh entry is
    /// the answer; otherwise this connector either holds the key's lock (lockToken set: ask the backend,
    /// then put()/forget() and release()), or waited for the holder's answer and found it, or waited in vain
    /// (bound passed, lock gone without an answer, Redis failed) and asks the backend itself. The callback
    /// runs exactly once, within cache.shared.timeout plus the wait bound, and not once `context` is
    /// destroyed.
    void lookup(const QByteArray &callKey, const Accept &accept, QObject *context, LookupCallback callback);
    /// Gives a key's lock back, if it is still this token's (it may have expired and been taken by another
    /// connector meanwhile): waiting connectors go on at once, with the answer if one was stored.
    void release(const QByteArray &callKey, const QByteArray &token);

    /// Looks a call key (LookupCache::keyFor) up. The callback runs exactly once, within the timeout (at
    /// once when Redis is skipped or unreachable), with an entry that has not passed its stale-if-error
    /// window, or nullopt. It does not run once `context` is destroyed.
    void get(const QByteArray &callKey, QObject *context, Callback callback);
    /// Stores an answer for ttlMs, kept staleIfErrorMs longer for stale-if-error (Redis drops it after that).
    void put(const QByteArray &callKey, const BackendResult &result, qint64 ttlMs, qint64 staleIfErrorMs);
    /// Removes the key's entry (the backend now says no-store).
    void forget(const QByteArray &callKey);

    /// The Redis key of a call key, and of its lock.
    QByteArray redisKey(const QByteArray &callKey) const;
    static QByteArray lockKey(const QByteArray &redisKey) { return redisKey + QByteArrayLiteral(":lock"); }
    /// Unix time in ms, the clock the entries' lifetimes are written in.
    static qint64 wallClockMs();

    bool isConnected() const;
    RedisBreaker::State breakerState() const { return m_breaker.state(); }
    /// One line for /healthz: where Redis is and whether it is used, never the password.
    QString status() const;

private:
    /// What a value read from Redis is to this endpoint.
    enum class Read { Fresh, Stale, Unusable, Absent };
    Read classify(const QByteArray &callKey, const RedisReply &reply, const Accept &accept,
                  std::optional<SharedEntry> &entry) const;

    void read(const QByteArray &callKey, const Accept &accept, QObject *context, LookupCallback callback);
    void tryLock(const QByteArray &callKey, const Accept &accept, std::optional<SharedEntry> stale,
                 QObject *context, LookupCallback callback);
    void wait(const QByteArray &callKey, const Accept &accept, std::optional<SharedEntry> stale,
              QObject *context, LookupCallback callback);
    QByteArray newToken();

    bool allow();
    void succeeded();
    /// A call that timed out or found Redis unreachable: counted, and fed to the breaker.
    void failed(const RedisReply &reply);

    QString m_name;
    SharedCacheConfig m_config;
    qint64 m_maxBodySize;
    int m_lockTtlMs;
    int m_lockWaitMs;
    EndpointMetrics &m_metrics;
    QByteArray m_keyPrefix;
    RedisConnection *m_connection;
    RedisBreaker m_breaker;
    QElapsedTimer m_clock;
    bool m_reportedScriptError = false;
};

} // namespace prc
