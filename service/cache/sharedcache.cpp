// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/sharedcache.h"

#include "cache/redisconnection.h"
#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

#include <QCryptographicHash>
#include <QDateTime>

namespace prc {

SharedCache::SharedCache(const QString &name, const SharedCacheConfig &config, qint64 maxBodySize,
                         EndpointMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_config(config)
    , m_maxBodySize(maxBodySize)
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

void SharedCache::failed(const QByteArray &reason, bool timeout)
{
    if (timeout)
        ++m_metrics.sharedTimeouts;
    else
        ++m_metrics.sharedErrors;
    if (m_breaker.recordFailure(m_clock.elapsed())) {
        qCWarning(lcSharedCache).noquote() << m_name << "skipping Redis for"
                                           << m_breaker.cooldownMs() / 1000.0 << "s after repeated failures"
                                           << "(last:" << QString::fromUtf8(reason) + QLatin1Char(')');
    }
}

void SharedCache::get(const QByteArray &callKey, QObject *context, Callback callback)
{
    if (!allow()) {
        callback(std::nullopt);
        return;
    }
    m_connection->command({QByteArrayLiteral("GET"), redisKey(callKey)}, context,
                          [this, callKey, callback = std::move(callback)](const RedisReply &reply) {
                              switch (reply.kind) {
                              case RedisReply::Kind::Timeout:
                              case RedisReply::Kind::Failed:
                                  failed(reply.text, reply.kind == RedisReply::Kind::Timeout);
                                  callback(std::nullopt);
                                  return;
                              case RedisReply::Kind::Error:
                              case RedisReply::Kind::Other:
                                  // Redis answered, so it is up; the key holds something GET cannot read
                                  // (another type).
                                  succeeded();
                                  ++m_metrics.sharedErrors;
                                  ++m_metrics.sharedMisses;
                                  callback(std::nullopt);
                                  return;
                              case RedisReply::Kind::Nil:
                              case RedisReply::Kind::Status:
                              case RedisReply::Kind::Integer:
                                  succeeded();
                                  ++m_metrics.sharedMisses;
                                  callback(std::nullopt);
                                  return;
                              case RedisReply::Kind::String:
                                  break;
                              }
                              succeeded();
                              std::optional<SharedEntry> entry =
                                  SharedEntry::decode(callKey, reply.text, m_maxBodySize);
                              if (!entry) {
                                  // Another version's value, or a damaged one: never an answer.
                                  ++m_metrics.sharedInvalid;
                                  ++m_metrics.sharedMisses;
                                  qCDebug(lcSharedCache).noquote()
                                      << m_name << "unusable value under" << redisKey(callKey);
                                  callback(std::nullopt);
                                  return;
                              }
                              const qint64 now = wallClockMs();
                              if (now >= entry->staleUntilMs) {
                                  ++m_metrics.sharedMisses;
                                  callback(std::nullopt);
                                  return;
                              }
                              if (now < entry->expiresAtMs)
                                  ++m_metrics.sharedHits;
                              else
                                  ++m_metrics.sharedMisses; // only good for stale-if-error
                              callback(entry);
                          });
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
                                  failed(reply.text, reply.kind == RedisReply::Kind::Timeout);
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
                                  failed(reply.text, reply.kind == RedisReply::Kind::Timeout);
                          });
}

} // namespace prc
