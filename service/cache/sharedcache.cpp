// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/sharedcache.h"

#include "cache/redisconnection.h"
#include "cache/sharedwait.h"
#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>
#include <memory>

namespace prc {
namespace {

// The entry if there is one (a bulk string, and no lock taken); otherwise the lock, in the same step: 1 when
// this connector now holds it, 0 when another one does.
const QByteArray ReadOrLockScript =
    QByteArrayLiteral("local v = redis.call('GET', KEYS[1]) "
                      "if v then return v end "
                      "if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end "
                      "return 0");

// Deletes a lock only while it holds this token: once it expired, another connector may hold it.
const QByteArray ReleaseScript =
    QByteArrayLiteral("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
                      "return 0");

} // namespace

SharedCache::SharedCache(const QString &name, const SharedCacheConfig &config, qint64 maxBodySize,
                         int requestTimeoutMs, EndpointMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_config(config)
    , m_maxBodySize(maxBodySize)
    // One backend call long: a holder that crashed blocks nobody for longer than its call could have taken.
    , m_lockTtlMs(std::max(1, requestTimeoutMs))
    , m_lockWaitMs(lockWaitBound(config.lockWaitMs, requestTimeoutMs))
    , m_metrics(metrics)
    , m_keyPrefix(config.prefix.toUtf8() + name.toUtf8() + ':')
    , m_connection(
          new RedisConnection(RedisConnection::Settings{config.host, config.port, config.unixPath,
                                                        config.database, config.password, config.timeoutMs},
                              this))
{
    m_clock.start();
}

SharedCache::~SharedCache() = default;

QByteArray SharedCache::redisKey(const QByteArray &callKey) const
{
    // Hashed: a call key holds the whole URL (and a POST body), too long and too revealing for a key name.
    return m_keyPrefix + QCryptographicHash::hash(callKey, QCryptographicHash::Sha256).toHex();
}

qint64 SharedCache::wallClockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool SharedCache::isConnected() const
{
    return m_connection->isConnected();
}

QString SharedCache::status() const
{
    const QString where = m_connection->settings().describe();
    if (m_breaker.state() == RedisBreaker::State::Open)
        return QStringLiteral("shared cache skipped for now (%1: %2); answering from the backend")
            .arg(where, m_connection->lastError().isEmpty() ? QStringLiteral("repeated failures")
                                                            : m_connection->lastError());
    if (!m_connection->isConnected())
        return QStringLiteral("shared cache unavailable (%1: %2); answering from the backend")
            .arg(where, m_connection->lastError().isEmpty() ? QStringLiteral("connecting")
                                                            : m_connection->lastError());
    return QStringLiteral("shared cache ok (%1)").arg(where);
}

bool SharedCache::allow()
{
    if (m_breaker.allow(m_clock.elapsed()))
        return true;
    ++m_metrics.sharedSkipped;
    return false;
}

void SharedCache::succeeded()
{
    if (m_breaker.recordSuccess())
        qCInfo(lcSharedCache).noquote() << m_name << "Redis answers again; using the shared cache";
}

void SharedCache::failed(const RedisReply &reply)
{
    if (reply.kind == RedisReply::Kind::Timeout)
        ++m_metrics.sharedTimeouts;
    else
        ++m_metrics.sharedErrors;
    if (m_breaker.recordFailure(m_clock.elapsed())) {
        qCWarning(lcSharedCache).noquote() << m_name << "skipping Redis for"
                                           << m_breaker.cooldownMs() / 1000.0 << "s after repeated failures"
                                           << "(last:" << QString::fromUtf8(reply.text) + QLatin1Char(')');
    }
}

void SharedCache::get(const QByteArray &callKey, QObject *context, Callback callback)
{
    if (!allow()) {
        callback(std::nullopt);
        return;
    }
    read(callKey, Accept(), context,
         [callback = std::move(callback)](const SharedLookup &found) { callback(found.entry); });
}

int SharedCache::lockWaitBound(int lockWaitMs, int requestTimeoutMs)
{
    return std::max(0, std::min(lockWaitMs, requestTimeoutMs / 2));
}

SharedCache::Read SharedCache::classify(const QByteArray &callKey, const RedisReply &reply,
                                        const Accept &accept, std::optional<SharedEntry> &entry) const
{
    entry.reset();
    if (reply.kind != RedisReply::Kind::String)
        return Read::Absent;
    std::optional<SharedEntry> decoded = SharedEntry::decode(callKey, reply.text, m_maxBodySize);
    // Another version's value, a damaged one, or one this endpoint's mode would not have stored (another
    // mode's answer under the same endpoint name, say): never an answer.
    if (!decoded || (accept && !accept(decoded->result)))
        return Read::Unusable;
    const qint64 now = wallClockMs();
    if (now >= decoded->staleUntilMs)
        return Read::Absent;
    entry = std::move(decoded);
    return now < entry->expiresAtMs ? Read::Fresh : Read::Stale;
}

void SharedCache::read(const QByteArray &callKey, const Accept &accept, QObject *context,
                       LookupCallback callback)
{
    m_connection->command(
        {QByteArrayLiteral("GET"), redisKey(callKey)}, context,
        [this, callKey, accept, callback = std::move(callback)](const RedisReply &reply) {
            switch (reply.kind) {
            case RedisReply::Kind::Timeout:
            case RedisReply::Kind::Failed:
                failed(reply);
                callback({});
                return;
            case RedisReply::Kind::Error:
            case RedisReply::Kind::Other:
                // Redis answered, so it is up; the key holds something GET cannot read (another type).
                succeeded();
                ++m_metrics.sharedErrors;
                ++m_metrics.sharedMisses;
                callback({});
                return;
            default:
                break;
            }
            succeeded();
            SharedLookup found;
            const Read what = classify(callKey, reply, accept, found.entry);
            if (what == Read::Unusable) {
                ++m_metrics.sharedInvalid;
                qCDebug(lcSharedCache).noquote() << m_name << "unusable value under" << redisKey(callKey);
            }
            found.fresh = what == Read::Fresh;
            if (found.fresh)
                ++m_metrics.sharedHits;
            else
                ++m_metrics.sharedMisses; // an expired entry is only good for stale-if-error
            callback(found);
        });
}

// Why the lock cannot make an answer wrong, and how rarely it lets a duplicate call through:
// - The first read is one script: the entry if there is one (without taking the lock, so a hit writes
//   nothing), otherwise SET NX on the lock, atomically. "No entry" and "lock taken" describe the same moment:
//   no holder can store its answer and leave between them.
// - A holder stores its answer (SET) and then releases the lock, on its one connection, so Redis runs them in
//   that order. A waiter polls the lock first and the entry second, also on one connection: when it finds the
//   lock gone and still no entry, the release came before its EXISTS and the store (if any) before that, so
//   the holder stored nothing (its call failed, or the answer is not cached) and the waiter asks the backend
//   at once instead of waiting out the bound.
// - A lock that expires (holder crashed, or slower than request-timeout) looks the same: gone, no entry.
//   Whoever sees that asks the backend: one more call, bounded by the lock's lifetime.
// - An entry that is there but no answer (expired and kept for stale-if-error, damaged) comes back from the
//   script without the lock; a plain SET NX follows, a second round trip only on this path. A holder may
//   store a fresh answer between the two; taking the lock then costs one duplicate call, never a wrong
//   answer.
// - Whatever is read is checked like any shared value (format, checksum, the endpoint's own reading), and
//   every Redis call is bounded by cache.shared.timeout, every wait by lock-wait: Redis decides only whether
//   the backend is asked, never what Postfix is told.
void SharedCache::lookup(const QByteArray &callKey, const Accept &accept, QObject *context,
                         LookupCallback callback)
{
    if (!allow()) {
        callback({});
        return;
    }
    if (m_lockWaitMs <= 0) {
        read(callKey, accept, context, std::move(callback));
        return;
    }
    const QByteArray key = redisKey(callKey);
    const QByteArray token = newToken();
    m_connection->command(
        {QByteArrayLiteral("EVAL"), ReadOrLockScript, QByteArrayLiteral("2"), key, lockKey(key), token,
         QByteArray::number(m_lockTtlMs)},
        context,
        [this, callKey, accept, context, token, callback = std::move(callback)](const RedisReply &reply) {
            switch (reply.kind) {
            case RedisReply::Kind::Timeout:
            case RedisReply::Kind::Failed:
                failed(reply);
                callback({});
                return;
            case RedisReply::Kind::Error:
                succeeded();
                ++m_metrics.sharedErrors;
                if (reply.text.startsWith("WRONGTYPE")) { // the key holds a list or the like
                    ++m_metrics.sharedMisses;
                    callback({});
                    return;
                }
                // Scripts refused (an ACL without EVAL, a renamed command) or the lock refused (maxmemory):
                // read without it.
                if (!m_reportedScriptError) {
                    m_reportedScriptError = true;
                    qCWarning(lcSharedCache).noquote()
                        << m_name << "Redis refused the lock script:" << QString::fromUtf8(reply.text)
                        << "- reading without fleet coalescing (lock-wait 0 stops trying)";
                }
                if (allow())
                    read(callKey, accept, context, callback);
                else
                    callback({});
                return;
            case RedisReply::Kind::Integer:
                succeeded();
                if (reply.integer == 1) {
                    ++m_metrics.sharedMisses;
                    ++m_metrics.sharedLocks;
                    callback({std::nullopt, false, token});
                } else {
                    wait(callKey, accept, std::nullopt, context, callback);
                }
                return;
            case RedisReply::Kind::String:
                break;
            default: // not what the script returns
                succeeded();
                ++m_metrics.sharedErrors;
                ++m_metrics.sharedMisses;
                callback({});
                return;
            }
            succeeded();
            SharedLookup found;
            const Read what = classify(callKey, reply, accept, found.entry);
            if (what == Read::Fresh) {
                ++m_metrics.sharedHits;
                found.fresh = true;
                callback(found);
                return;
            }
            if (what == Read::Unusable) {
                ++m_metrics.sharedInvalid;
                qCDebug(lcSharedCache).noquote() << m_name << "unusable value under" << redisKey(callKey);
            }
            tryLock(callKey, accept, std::move(found.entry), context, callback);
        });
}

void SharedCache::tryLock(const QByteArray &callKey, const Accept &accept, std::optional<SharedEntry> stale,
                          QObject *context, LookupCallback callback)
{
    if (!allow()) {
        ++m_metrics.sharedMisses;
        callback({std::move(stale), false, {}});
        return;
    }
    const QByteArray token = newToken();
    m_connection->command({QByteArrayLiteral("SET"), lockKey(redisKey(callKey)), token,
                           QByteArrayLiteral("NX"), QByteArrayLiteral("PX"), QByteArray::number(m_lockTtlMs)},
                          context,
                          [this, callKey, accept, context, token, stale = std::move(stale),
                           callback = std::move(callback)](const RedisReply &reply) {
                              if (reply.kind == RedisReply::Kind::Nil) {
                                  succeeded();
                                  wait(callKey, accept, stale, context, callback);
                                  return;
                              }
                              ++m_metrics.sharedMisses;
                              if (reply.kind == RedisReply::Kind::Status) {
                                  succeeded();
                                  ++m_metrics.sharedLocks;
                                  callback({stale, false, token});
                                  return;
                              }
                              if (reply.isReply()) {
                                  succeeded();
                                  ++m_metrics.sharedErrors;
                              } else {
                                  failed(reply);
                              }
                              callback({stale, false, {}});
                          });
}

void SharedCache::wait(const QByteArray &callKey, const Accept &accept, std::optional<SharedEntry> stale,
                       QObject *context, LookupCallback callback)
{
    // The best entry seen so far: the answer once it is there, or an expired one for stale-if-error.
    auto best = std::make_shared<std::optional<SharedEntry>>(std::move(stale));
    const QByteArray key = redisKey(callKey);
    const auto probe = [this, callKey, key, accept, best](const SharedWait::Report &report) {
        if (!allow()) {
            report(SharedWait::Poll::Failed);
            return;
        }
        // The lock first, the entry second: see lookup().
        auto lockHeld = std::make_shared<bool>(true);
        m_connection->command({QByteArrayLiteral("EXISTS"), lockKey(key)}, this,
                              [lockHeld](const RedisReply &reply) {
                                  // Anything but an answer (EXISTS refused by an ACL, say) keeps waiting, up
                                  // to the bound.
                                  if (reply.kind == RedisReply::Kind::Integer)
                                      *lockHeld = reply.integer != 0;
                              });
        m_connection->command({QByteArrayLiteral("GET"), key}, this,
                              [this, callKey, accept, best, lockHeld, report](const RedisReply &reply) {
                                  if (!reply.isReply()) {
                                      failed(reply);
                                      report(SharedWait::Poll::Failed);
                                      return;
                                  }
                                  succeeded();
                                  std::optional<SharedEntry> entry;
                                  const Read what = classify(callKey, reply, accept, entry);
                                  if (what == Read::Fresh || what == Read::Stale)
                                      *best = std::move(entry);
                                  if (what == Read::Fresh)
                                      report(SharedWait::Poll::Answered);
                                  else
                                      report(*lockHeld ? SharedWait::Poll::Waiting
                                                       : SharedWait::Poll::LockGone);
                              });
    };
    const auto done = [this, best, callback = std::move(callback)](SharedWait::End end, qint64 waitedMs) {
        SharedLookup found;
        found.entry = *best;
        switch (end) {
        case SharedWait::End::Answered:
            ++m_metrics.sharedHits;
            ++m_metrics.sharedLockWaitHits;
            found.fresh = true;
            break;
        case SharedWait::End::TimedOut:
            ++m_metrics.sharedMisses;
            ++m_metrics.sharedLockWaitTimeouts;
            break;
        case SharedWait::End::LockGone:
        case SharedWait::End::Failed:
            ++m_metrics.sharedMisses;
            ++m_metrics.sharedLockWaitMisses;
            break;
        }
        qCDebug(lcSharedCache).noquote()
            << m_name << "waited" << waitedMs << "ms for another connector's answer:"
            << (end == SharedWait::End::Answered   ? "found it"
                : end == SharedWait::End::TimedOut ? "none within lock-wait; asking the backend"
                : end == SharedWait::End::LockGone ? "it stored none; asking the backend"
                                                   : "Redis failed; asking the backend");
        callback(found);
    };
    new SharedWait(m_lockWaitMs, context, probe, done, this);
}

void SharedCache::release(const QByteArray &callKey, const QByteArray &token)
{
    if (token.isEmpty() || !allow())
        return; // the lock expires after request-timeout by itself
    m_connection->command(
        {QByteArrayLiteral("EVAL"), ReleaseScript, QByteArrayLiteral("1"), lockKey(redisKey(callKey)), token},
        this, [this](const RedisReply &reply) {
            if (reply.kind == RedisReply::Kind::Error) {
                succeeded();
                ++m_metrics.sharedErrors;
            } else if (reply.isReply()) {
                succeeded();
            } else {
                failed(reply);
            }
        });
}

QByteArray SharedCache::newToken()
{
    // Unique, not secret: it only tells this lock from the next holder's.
    quint64 words[2];
    QRandomGenerator::global()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex();
}

void SharedCache::put(const QByteArray &callKey, const BackendResult &result, qint64 ttlMs,
                      qint64 staleIfErrorMs)
{
    if (ttlMs <= 0 || result.body.size() > m_maxBodySize || !allow())
        return;
    SharedEntry entry;
    entry.result.outcome = result.outcome;
    entry.result.status = result.status;
    entry.result.body = result.body;
    entry.result.cacheControl = result.cacheControl;
    entry.expiresAtMs = wallClockMs() + ttlMs;
    entry.staleUntilMs = entry.expiresAtMs + staleIfErrorMs;
    m_connection->command({QByteArrayLiteral("SET"), redisKey(callKey), SharedEntry::encode(callKey, entry),
                           QByteArrayLiteral("PX"), QByteArray::number(ttlMs + staleIfErrorMs)},
                          this, [this](const RedisReply &reply) {
                              if (reply.kind == RedisReply::Kind::Status) {
                                  succeeded();
                                  ++m_metrics.sharedWrites;
                              } else if (reply.isReply()) {
                                  succeeded();
                                  ++m_metrics.sharedErrors; // e.g. OOM with maxmemory-policy noeviction
                              } else {
                                  failed(reply);
                              }
                          });
}

void SharedCache::forget(const QByteArray &callKey)
{
    if (!allow())
        return;
    m_connection->command({QByteArrayLiteral("DEL"), redisKey(callKey)}, this,
                          [this](const RedisReply &reply) {
                              if (reply.isReply())
                                  succeeded();
                              else
                                  failed(reply);
                          });
}

} // namespace prc
