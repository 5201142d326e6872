// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backend.h"
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

class EndpointMetrics;
class LookupCache;
class SharedCache;
struct SharedLookup;

/// The backend as seen through an endpoint's cache: answers from a fresh entry at once, joins identical calls
/// already in flight (one backend request, every waiter answered), stores what may be stored, and stands in
/// an expired answer when the backend fails within stale-if-error.
class CachingBackend : public Backend
{
    Q_OBJECT

public:
    /// name: the endpoint's, for log lines. backend: where misses go (the direct backend). shared: the shared
    /// tier asked after a miss in memory, or null.
    CachingBackend(const QString &name, EndpointMode mode, Backend &backend, LookupCache &cache,
                   EndpointMetrics &metrics, QObject *parent = nullptr, SharedCache *shared = nullptr);
    ~CachingBackend() override;

    /// Answers a call. A cache hit runs the callback before this returns; otherwise it runs once the backend
    /// call ends (bounded by request-timeout). It never runs after `receiver` is destroyed, and a receiver
    /// that goes away does not cancel the call for the others waiting on it.
    void lookup(const BackendCall &call, const QByteArray &requestId, QObject *receiver,
                Callback callback) override;

    /// Distinct backend calls in flight.
    int flightCount() const { return int(m_flights.size()); }

    /// How the endpoint reads lookup answers, so the cache classifies them as the handler answers them.
    void setLookupShape(const LookupShape &shape) { m_shape = shape; }

private:
    struct Waiter
    {
        QPointer<QObject> receiver;
        QByteArray requestId;
        Callback callback;
    };
    struct Flight
    {
        BackendCall call;    ///< kept while the shared tier is asked
        QByteArray leaderId; ///< the request id the backend saw (X-Request-Id)
        std::vector<Waiter> waiters;
        QByteArray lockToken; ///< set while this connector holds the key's lock in the shared tier
    };

    void start(const QByteArray &key);
    void sharedAnswer(const QByteArray &key, const SharedLookup &found);
    void share(const QByteArray &key, const BackendResult &result, ResultClass resultClass,
               const QByteArray &lockToken);
    void finish(const QByteArray &key, const BackendResult &result, ResultClass resultClass);

    QString m_name;
    EndpointMode m_mode;
    LookupShape m_shape;
    Backend &m_backend;
    LookupCache &m_cache;
    EndpointMetrics &m_metrics;
    SharedCache *m_shared;
    QHash<QByteArray, Flight> m_flights;
};

} // namespace prc
