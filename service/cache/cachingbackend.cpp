// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/cachingbackend.h"

#include "cache/lookupcache.h"
#include "cache/sharedcache.h"
#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

namespace prc {

CachingBackend::CachingBackend(const QString &name, EndpointMode mode, Backend &backend, LookupCache &cache,
                               EndpointMetrics &metrics, QObject *parent, SharedCache *shared)
    : Backend(parent)
    , m_name(name)
    , m_mode(mode)
    , m_backend(backend)
    , m_cache(cache)
    , m_metrics(metrics)
    , m_shared(shared)
{
}

// Backend calls still in flight are children (this object is their receiver) and abort when deleted; their
// waiters are gone by then (sessions hold the endpoint context that owns this object).
CachingBackend::~CachingBackend() = default;

void CachingBackend::lookup(const BackendCall &call, const QByteArray &requestId, QObject *receiver,
                            Callback callback)
{
    const QByteArray key = LookupCache::keyFor(call, m_cache.config().keyAttributes);
    ResultClass hitClass = ResultClass::Found;
    if (const BackendResult *hit = m_cache.fresh(key, &hitClass)) {
        ++m_metrics.cacheHits;
        callback(*hit, hitClass, Source::Cache);
        return;
    }

    const auto flight = m_flights.find(key);
    if (flight != m_flights.end()) {
        ++m_metrics.cacheCoalesced;
        qCDebug(lcBackend).noquote() << requestId << "joins backend call" << flight->leaderId;
        flight->waiters.push_back({receiver, requestId, std::move(callback)});
        return;
    }

    ++m_metrics.cacheMisses;
    Flight started;
    started.call = call;
    started.leaderId = requestId;
    started.waiters.push_back({receiver, requestId, std::move(callback)});
    m_flights.insert(key, std::move(started));
    if (m_shared) {
        // Another connector of the fleet may have the answer, or be fetching it; the reply (or a miss) comes
        // within cache.shared.timeout plus lock-wait, and identical lookups meanwhile join this flight: one
        // Redis wait per key and process.
        m_shared->lookup(
            key,
            // Only what this endpoint would have stored itself is an answer: a value another connector wrote
            // for another mode under the same name, say, is not.
            [this](const BackendResult &result) {
                const ResultClass resultClass = classifyResult(m_mode, result, m_shape);
                return resultClass == ResultClass::Found || resultClass == ResultClass::NotFound
                       || resultClass == ResultClass::PolicyAction;
            },
            this, [this, key](const SharedLookup &found) { sharedAnswer(key, found); });
        return;
    }
    start(key);
}

void CachingBackend::start(const QByteArray &key)
{
    // Copies: the backend may answer before lookup() returns, and finish() takes the flight out of the hash.
    const Flight &flight = m_flights[key];
    const BackendCall call = flight.call;
    const QByteArray leaderId = flight.leaderId;
    // The request belongs to this object, not to the session that asked first: when that session goes away,
    // the others waiting for the same answer still get it (and the cache still learns it).
    m_backend.lookup(call, leaderId, this,
                     [this, key](const BackendResult &result, ResultClass resultClass, Source) {
                         finish(key, result, resultClass);
                     });
}

void CachingBackend::sharedAnswer(const QByteArray &key, const SharedLookup &found)
{
    const auto flight = m_flights.find(key);
    if (flight == m_flights.end()) {
        m_shared->release(key, found.lockToken);
        return;
    }
    flight->lockToken = found.lockToken;
    if (found.entry) {
        const SharedEntry &entry = *found.entry;
        const qint64 now = SharedCache::wallClockMs();
        // Kept for the rest of the lifetime the fetching connector gave it, not a new full one.
        const ResultClass resultClass = classifyResult(m_mode, entry.result, m_shape);
        m_cache.adopt(key, entry.result, resultClass, entry.expiresAtMs - now, entry.staleUntilMs - now);
        if (found.fresh) {
            Flight answered = m_flights.take(key);
            for (Waiter &waiter : answered.waiters) {
                if (waiter.receiver)
                    waiter.callback(entry.result, resultClass, Source::Shared);
            }
            return;
        }
        // Expired: kept in memory only to stand in if the backend fails (stale-if-error).
    }
    start(key);
}

void CachingBackend::share(const QByteArray &key, const BackendResult &result, ResultClass resultClass,
                           const QByteArray &lockToken)
{
    if (!m_shared)
        return;
    const LookupCache::Decision decision = m_cache.decide(result, resultClass);
    if (decision.store)
        m_shared->put(key, result, decision.ttlMs, m_cache.config().staleIfErrorMs);
    else if (decision.forget)
        m_shared->forget(key);
    // After the store, on the same connection: a connector waiting for this answer finds it before it finds
    // the lock gone. With nothing stored (a failed call, an answer not cached) the others stop waiting now
    // and ask the backend themselves, instead of waiting out lock-wait.
    m_shared->release(key, lockToken);
}

void CachingBackend::finish(const QByteArray &key, const BackendResult &result, ResultClass resultClass)
{
    // Taken out first: a callback may start a new lookup for the same key (the next pipelined request).
    Flight flight = m_flights.take(key);
    // The backend call itself was counted and, when it failed, logged by the backend behind this cache.
    m_cache.offer(key, result, resultClass);
    share(key, result, resultClass, flight.lockToken);

    const BackendResult *answer = &result;
    ResultClass answerClass = resultClass;
    bool stale = false;
    if (isBackendFailure(result)) {
        if (const BackendResult *previous = m_cache.stale(key, &answerClass)) {
            answer = previous;
            stale = true;
        }
    }
    if (stale) {
        qCWarning(lcBackend).noquote() << flight.leaderId << m_name << "answered" << flight.waiters.size()
                                       << "request(s) from the cache (stale-if-error)";
    }

    // The stale answer lives in the cache; copy it, since a callback may start a lookup that evicts it.
    const BackendResult delivered = *answer;
    for (std::size_t i = 0; i < flight.waiters.size(); ++i) {
        Waiter &waiter = flight.waiters[i];
        if (!waiter.receiver)
            continue; // its session is gone; the others still get their answer
        if (stale)
            ++m_metrics.cacheStale;
        const Source source = stale ? Source::Stale : (i == 0 ? Source::Backend : Source::Coalesced);
        waiter.callback(delivered, answerClass, source);
    }
}

} // namespace prc
