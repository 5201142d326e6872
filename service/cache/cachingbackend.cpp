// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/cachingbackend.h"

#include "backend/backendclient.h"
#include "backend/backendrequest.h"
#include "cache/lookupcache.h"
#include "cache/sharedcache.h"
#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

namespace prc {

CachingBackend::CachingBackend(const QString &name, EndpointMode mode, BackendClient &client,
                               LookupCache &cache, EndpointMetrics &metrics, QObject *parent,
                               SharedCache *shared)
    : QObject(parent)
    , m_name(name)
    , m_mode(mode)
    , m_client(client)
    , m_cache(cache)
    , m_metrics(metrics)
    , m_shared(shared)
{
}

// Requests still in flight are children and abort when deleted; their waiters are gone by then (sessions
// hold the endpoint context that owns this object).
CachingBackend::~CachingBackend() = default;

QLatin1String CachingBackend::sourceName(Source source)
{
    switch (source) {
    case Source::Backend:
        return QLatin1String("backend");
    case Source::Coalesced:
        return QLatin1String("coalesced");
    case Source::Cache:
        return QLatin1String("cache");
    case Source::Stale:
        return QLatin1String("stale");
    case Source::Shared:
        return QLatin1String("shared");
    }
    return QLatin1String("unknown");
}

void CachingBackend::lookup(const BackendCall &call, const QByteArray &requestId, QObject *receiver,
                            Callback callback)
{
    const QByteArray key = LookupCache::keyFor(call);
    if (const BackendResult *hit = m_cache.fresh(key)) {
        ++m_metrics.cacheHits;
        callback(*hit, Source::Cache);
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
        // Another connector of the fleet may have the answer; the reply (or a miss) comes within
        // cache.shared.timeout, and identical lookups meanwhile join this flight.
        m_shared->get(key, this,
                      [this, key](const std::optional<SharedEntry> &entry) { sharedAnswer(key, entry); });
        return;
    }
    start(key);
}

void CachingBackend::start(const QByteArray &key)
{
    Flight &flight = m_flights[key];
    // The request belongs to this object, not to the session that asked first: when that session goes away,
    // the others waiting for the same answer still get it (and the cache still learns it).
    flight.request = m_client.start(flight.call, flight.leaderId, this);
    connect(flight.request, &BackendRequest::finished, this,
            [this, key](const BackendResult &result) { finish(key, result); });
}

void CachingBackend::sharedAnswer(const QByteArray &key, const std::optional<SharedEntry> &entry)
{
    if (!m_flights.contains(key))
        return;
    // Only what this endpoint would have stored itself is an answer: a value another connector wrote for
    // another mode under the same name, say, is not.
    const ResultClass resultClass = entry ? classifyResult(m_mode, entry->result) : ResultClass::TempError;
    const bool usable = resultClass == ResultClass::Found || resultClass == ResultClass::NotFound
                        || resultClass == ResultClass::PolicyAction;
    if (entry && !usable)
        ++m_metrics.sharedInvalid;
    if (usable) {
        const qint64 now = SharedCache::wallClockMs();
        // Kept for the rest of the lifetime the fetching connector gave it, not a new full one.
        m_cache.adopt(key, entry->result, entry->expiresAtMs - now, entry->staleUntilMs - now);
        if (now < entry->expiresAtMs) {
            Flight flight = m_flights.take(key);
            for (Waiter &waiter : flight.waiters) {
                if (waiter.receiver)
                    waiter.callback(entry->result, Source::Shared);
            }
            return;
        }
        // Expired: kept in memory only to stand in if the backend fails (stale-if-error).
    }
    start(key);
}

void CachingBackend::share(const QByteArray &key, const BackendResult &result, ResultClass resultClass)
{
    if (!m_shared)
        return;
    const LookupCache::Decision decision = m_cache.decide(result, resultClass);
    if (decision.store)
        m_shared->put(key, result, decision.ttlMs, m_cache.config().staleIfErrorMs);
    else if (decision.forget)
        m_shared->forget(key);
}

void CachingBackend::finish(const QByteArray &key, const BackendResult &result)
{
    // Taken out first: a callback may start a new lookup for the same key (the next pipelined request).
    Flight flight = m_flights.take(key);
    flight.request->deleteLater();

    const ResultClass resultClass = classifyResult(m_mode, result);
    m_metrics.recordBackendCall(result, resultClass);
    m_cache.offer(key, result, resultClass);
    share(key, result, resultClass);

    const BackendResult *answer = &result;
    bool stale = false;
    if (isBackendFailure(result)) {
        if (const BackendResult *previous = m_cache.stale(key)) {
            answer = previous;
            stale = true;
        }
    }
    if (result.isFailedCall()) {
        // Logged once per backend call, with the request id the backend saw, however many requests waited.
        qCWarning(lcBackend).noquote()
            << flight.leaderId << m_name << "backend call failed:" << result.failureText()
            << QStringLiteral("(%1 ms)").arg(result.elapsedMs)
            << (flight.waiters.size() > 1 ? QStringLiteral("for %1 requests").arg(flight.waiters.size())
                                          : QString())
            << (stale ? "- answered from the cache (stale-if-error)" : "");
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
        waiter.callback(delivered, source);
    }
}

} // namespace prc
