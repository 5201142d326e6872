// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "config/endpointconfig.h"
#include "metrics/resultclass.h"

#include <QByteArray>
#include <QHash>

#include <list>
#include <memory>
#include <optional>

namespace prc {

class Clock;
class EndpointMetrics;

/// The answer cache of one endpoint: backend results keyed by the exact backend call, with TTLs from the
/// backend's Cache-Control or the configured defaults, kept past expiry for stale-if-error, and bounded by
/// entry count and bytes with least-recently-used eviction. Pure storage: no sockets, no timers; time comes
/// from a Clock. See docs/caching-and-metrics.md.
class LookupCache
{
public:
    /// Fixed cost charged per entry on top of key and body, for the hash node, list node and bookkeeping.
    static constexpr qint64 EntryOverhead = 128;

    LookupCache(const CacheConfig &config, std::shared_ptr<const Clock> clock,
                EndpointMetrics *metrics = nullptr);

    /// The cache key: method, URL with query and, for POST, the body. Identical calls and only those share
    /// it. keyAttributes (policy): a POST body counts only with these form fields, in this order.
    static QByteArray keyFor(const BackendCall &call, const QStringList &keyAttributes = {});

    /// What to do with a backend result.
    struct Decision
    {
        bool store = false;  ///< keep it, for ttlMs
        bool forget = false; ///< the backend forbade storing: drop an older entry for the key too
        qint64 ttlMs = 0;
    };
    Decision decide(const BackendResult &result, ResultClass resultClass) const;

    /// A fresh answer for the key (marks it recently used), or nullptr. resultClass, when given, receives
    /// the class it was stored with: a hit needs no second reading of the body.
    const BackendResult *fresh(const QByteArray &key, ResultClass *resultClass = nullptr);
    /// An answer that expired less than stale-if-error ago (or is still fresh), or nullptr; resultClass as
    /// for fresh().
    const BackendResult *stale(const QByteArray &key, ResultClass *resultClass = nullptr);
    /// Offers a backend result; stores it when decide() says so. Returns true when stored.
    bool offer(const QByteArray &key, const BackendResult &result, ResultClass resultClass);
    /// Stores an answer whose lifetime was decided elsewhere (by the connector that fetched it, for the
    /// shared tier): fresh for freshMs more (0 or less: already expired), usable for stale-if-error for
    /// staleMs more. Both are capped by this cache's own max-ttl and stale-if-error. Returns true when
    /// stored.
    bool adopt(const QByteArray &key, const BackendResult &result, ResultClass resultClass, qint64 freshMs,
               qint64 staleMs);

    int entryCount() const { return int(m_index.size()); }
    qint64 byteCount() const { return m_bytes; }
    const CacheConfig &config() const { return m_config; }

    /// Drops every entry past its stale-if-error window. Runs by itself now and then from offer().
    void purgeExpired();

private:
    struct Entry
    {
        QByteArray key;
        BackendResult result;
        ResultClass resultClass = ResultClass::Found;
        qint64 expiresAt = 0;
        qint64 staleUntil = 0;
        qint64 bytes = 0;
    };
    using Lru = std::list<Entry>; ///< most recently used first

    bool insert(const QByteArray &key, const BackendResult &result, ResultClass resultClass, qint64 expiresAt,
                qint64 staleUntil);
    void erase(Lru::iterator it);
    void evict();

    CacheConfig m_config;
    std::shared_ptr<const Clock> m_clock;
    EndpointMetrics *m_metrics;
    Lru m_lru;
    QHash<QByteArray, Lru::iterator> m_index;
    qint64 m_bytes = 0;
    qint64 m_lastPurge = 0;
};

} // namespace prc
