// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/lookupcache.h"

#include "cache/cachecontrol.h"
#include "cache/clock.h"
#include "metrics/endpointmetrics.h"

#include <algorithm>

namespace prc {
namespace {

// A full sweep for long-expired entries costs O(entries); doing it at most this often keeps it negligible.
constexpr qint64 PurgeIntervalMs = 30 * 1000;

/// The fields of a form-encoded body named in `names`, in that order, still encoded (so the key stays
/// unambiguous). An absent field is its bare name, which no present field ("name=...") can equal.
QByteArray selectedFields(const QByteArray &body, const QStringList &names)
{
    const QList<QByteArray> pairs = body.split('&');
    QByteArray selected;
    for (const QString &name : names) {
        const QByteArray field = name.toUtf8();
        bool found = false;
        for (const QByteArray &pair : pairs) {
            if (pair.startsWith(field) && pair.size() > field.size() && pair.at(field.size()) == '=') {
                selected += pair + '&';
                found = true;
            }
        }
        if (!found)
            selected += field + '&';
    }
    return selected;
}

} // namespace

LookupCache::LookupCache(const CacheConfig &config, std::shared_ptr<const Clock> clock,
                         EndpointMetrics *metrics)
    : m_config(config)
    , m_clock(std::move(clock))
    , m_metrics(metrics)
    , m_lastPurge(m_clock->nowMs())
{
}

QByteArray LookupCache::keyFor(const BackendCall &call, const QStringList &keyAttributes)
{
    // The URL is in its encoded form, so two keys that differ only in %-escaping stay two keys: the backend
    // might tell them apart too. The body is separated by a byte that cannot occur in an encoded URL.
    QByteArray key =
        call.method == BackendCall::Method::Post ? QByteArrayLiteral("POST ") : QByteArrayLiteral("GET ");
    key += call.url.toEncoded();
    if (call.method == BackendCall::Method::Post) {
        key += '\n';
        key += call.contentType;
        key += '\n';
        if (keyAttributes.isEmpty())
            key += call.body;
        else
            key += selectedFields(call.body, keyAttributes);
    }
    return key;
}

LookupCache::Decision LookupCache::decide(const BackendResult &result, ResultClass resultClass) const
{
    Decision decision;
    qint64 ttl = 0;
    switch (resultClass) {
    case ResultClass::Found:
    case ResultClass::PolicyAction:
        ttl = m_config.positiveTtlMs;
        break;
    case ResultClass::NotFound:
        ttl = m_config.negativeTtlMs;
        break;
    case ResultClass::TempError:
    case ResultClass::PermError:
    case ResultClass::Malformed:
        // Errors are never cached: the next request must ask the backend again.
        return decision;
    }
    if (m_config.honorCacheControl && !result.cacheControl.isEmpty()) {
        const CacheControl control = CacheControl::parse(result.cacheControl);
        if (control.forbidsStoring()) {
            decision.forget = true;
            return decision;
        }
        if (const auto seconds = control.lifetimeSeconds())
            ttl = *seconds * 1000;
    }
    ttl = std::min<qint64>(ttl, m_config.maxTtlMs);
    decision.store = ttl > 0;
    decision.ttlMs = ttl;
    return decision;
}

const BackendResult *LookupCache::fresh(const QByteArray &key, ResultClass *resultClass)
{
    const auto found = m_index.constFind(key);
    if (found == m_index.constEnd())
        return nullptr;
    const Lru::iterator it = *found;
    const qint64 now = m_clock->nowMs();
    if (now < it->expiresAt) {
        m_lru.splice(m_lru.begin(), m_lru, it);
        if (resultClass)
            *resultClass = it->resultClass;
        return &it->result;
    }
    if (now >= it->staleUntil)
        erase(it);
    return nullptr;
}

const BackendResult *LookupCache::stale(const QByteArray &key, ResultClass *resultClass)
{
    const auto found = m_index.constFind(key);
    if (found == m_index.constEnd())
        return nullptr;
    const Lru::iterator it = *found;
    if (m_clock->nowMs() >= it->staleUntil) {
        erase(it);
        return nullptr;
    }
    m_lru.splice(m_lru.begin(), m_lru, it);
    if (resultClass)
        *resultClass = it->resultClass;
    return &it->result;
}

bool LookupCache::offer(const QByteArray &key, const BackendResult &result, ResultClass resultClass)
{
    const Decision decision = decide(result, resultClass);
    const auto existing = m_index.constFind(key);
    if (!decision.store) {
        // An error keeps the previous answer (stale-if-error needs it); a backend that now says no-store does
        // not.
        if (decision.forget && existing != m_index.constEnd())
            erase(*existing);
        return false;
    }

    const qint64 now = m_clock->nowMs();
    const qint64 expiresAt = now + decision.ttlMs;
    return insert(key, result, resultClass, expiresAt, expiresAt + m_config.staleIfErrorMs);
}

bool LookupCache::adopt(const QByteArray &key, const BackendResult &result, ResultClass resultClass,
                        qint64 freshMs, qint64 staleMs)
{
    const qint64 now = m_clock->nowMs();
    const qint64 fresh = std::min<qint64>(freshMs, m_config.maxTtlMs);
    const qint64 stale = std::min<qint64>(staleMs, std::max<qint64>(fresh, 0) + m_config.staleIfErrorMs);
    if (fresh <= 0 && stale <= 0)
        return false;
    return insert(key, result, resultClass, now + fresh, now + std::max(fresh, stale));
}

bool LookupCache::insert(const QByteArray &key, const BackendResult &result, ResultClass resultClass,
                         qint64 expiresAt, qint64 staleUntil)
{
    Entry entry;
    entry.key = key;
    // Only what a reply is made from is kept; the error text and timing belong to the call that fetched it.
    entry.result.outcome = result.outcome;
    entry.result.status = result.status;
    entry.result.body = result.body;
    entry.result.cacheControl = result.cacheControl;
    entry.resultClass = resultClass;
    entry.expiresAt = expiresAt;
    entry.staleUntil = staleUntil;
    entry.bytes = EntryOverhead + key.size() + result.body.size() + result.cacheControl.size();
    if (entry.bytes > m_config.maxBytes)
        return false;

    const auto existing = m_index.constFind(key);
    if (existing != m_index.constEnd())
        erase(*existing);
    m_lru.push_front(std::move(entry));
    m_index.insert(key, m_lru.begin());
    m_bytes += m_lru.front().bytes;

    if (m_clock->nowMs() - m_lastPurge >= PurgeIntervalMs)
        purgeExpired();
    evict();
    return true;
}

void LookupCache::purgeExpired()
{
    const qint64 now = m_clock->nowMs();
    m_lastPurge = now;
    for (auto it = m_lru.begin(); it != m_lru.end();) {
        auto next = std::next(it);
        if (now >= it->staleUntil)
            erase(it);
        it = next;
    }
}

void LookupCache::erase(Lru::iterator it)
{
    m_bytes -= it->bytes;
    m_index.remove(it->key);
    m_lru.erase(it);
}

void LookupCache::evict()
{
    while (!m_lru.empty() && (int(m_index.size()) > m_config.maxEntries || m_bytes > m_config.maxBytes)) {
        erase(std::prev(m_lru.end()));
        if (m_metrics)
            ++m_metrics->cacheEvictions;
    }
}

} // namespace prc
