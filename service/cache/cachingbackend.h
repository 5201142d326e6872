// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "config/endpointconfig.h"
#include "metrics/resultclass.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>
#include <vector>

namespace prc {

class BackendClient;
class BackendRequest;
class EndpointMetrics;
class LookupCache;
class SharedCache;
struct SharedEntry;

/// The backend as seen through an endpoint's cache: answers from a fresh entry at once, joins identical calls
/// already in flight (one backend request, every waiter answered), stores what may be stored, and stands in
/// an expired answer when the backend fails within stale-if-error.
class CachingBackend : public QObject
{
    Q_OBJECT

public:
    enum class Source {
        Backend,   ///< this request's own backend call
        Coalesced, ///< another request's identical backend call
        Cache,     ///< a fresh cache entry; no backend call
        Stale,     ///< an expired entry, because the backend failed
        Shared,    ///< a fresh entry of the shared tier (Redis); no backend call
    };

    /// Gets the answer and where it came from.
    using Callback = std::function<void(const BackendResult &result, Source source)>;

    /// name: the endpoint's, for log lines. shared: the shared tier asked after a miss in memory, or null.
    CachingBackend(const QString &name, EndpointMode mode, BackendClient &client, LookupCache &cache,
                   EndpointMetrics &metrics, QObject *parent = nullptr, SharedCache *shared = nullptr);
    ~CachingBackend() override;

    /// Answers a call. A cache hit runs the callback before this returns; otherwise it runs once the backend
    /// call ends (bounded by request-timeout). It never runs after `receiver` is destroyed, and a receiver
    /// that goes away does not cancel the call for the others waiting on it.
    void lookup(const BackendCall &call, const QByteArray &requestId, QObject *receiver, Callback callback);

    /// Distinct backend calls in flight.
    int flightCount() const { return int(m_flights.size()); }

    static QLatin1String sourceName(Source source);

private:
    struct Waiter
    {
        QPointer<QObject> receiver;
        QByteArray requestId;
        Callback callback;
    };
    struct Flight
    {
        BackendRequest *request = nullptr; ///< null while the shared tier is asked
        BackendCall call;
        QByteArray leaderId; ///< the request id the backend saw (X-Request-Id)
        std::vector<Waiter> waiters;
    };

    void start(const QByteArray &key);
    void sharedAnswer(const QByteArray &key, const std::optional<SharedEntry> &entry);
    void share(const QByteArray &key, const BackendResult &result, ResultClass resultClass);
    void finish(const QByteArray &key, const BackendResult &result);

    QString m_name;
    EndpointMode m_mode;
    BackendClient &m_client;
    LookupCache &m_cache;
    EndpointMetrics &m_metrics;
    SharedCache *m_shared;
    QHash<QByteArray, Flight> m_flights;
};

} // namespace prc
