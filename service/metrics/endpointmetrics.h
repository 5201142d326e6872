// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "metrics/resultclass.h"

#include <QByteArray>
#include <QLatin1String>
#include <QList>

#include <array>
#include <optional>

namespace prc {

/// Why a backend call did not give a usable answer.
enum class BackendErrorKind {
    Timeout,         ///< request-timeout elapsed
    Network,         ///< connection refused, reset, DNS, TLS, ...
    TooLarge,        ///< body over max-response-size
    Status4xx,       ///< 4xx other than 404
    Status5xx,       ///< 5xx
    StatusOther,     ///< any other unexpected status (1xx, 3xx, 2xx other than 200)
    InvalidResponse, ///< 200 with a body the mode cannot use (bad JSON, empty policy action)
};

constexpr int BackendErrorKindCount = int(BackendErrorKind::InvalidResponse) + 1;

QLatin1String backendErrorKindName(BackendErrorKind kind);
/// What went wrong with a backend call, as the endpoint reads its answer; nullopt for an answer (found, or a
/// not-found status the endpoint is configured with).
std::optional<BackendErrorKind> backendErrorKind(const BackendResult &result, ResultClass resultClass);

/// The counters of one endpoint. Plain integers bumped on the hot path (everything runs on one thread, so no
/// atomics or locks); rendered by MetricsWriter when /metrics is scraped. Owned by the EndpointServer and
/// shared with every EndpointContext it creates, so the counters survive a reload.
class EndpointMetrics
{
public:
    /// Upper bounds of the backend duration histogram in milliseconds (rendered in seconds); +Inf follows.
    static constexpr std::array<qint64, 11> DurationBucketsMs{5,   10,   25,   50,   100,  250,
                                                              500, 1000, 2500, 5000, 10000};

    void recordRequest(ResultClass resultClass) { ++requests[size_t(resultClass)]; }
    /// One finished backend call (not a cache hit): its duration and, when it failed, the error kind, which
    /// it returns (nullopt: an answer).
    std::optional<BackendErrorKind> recordBackendCall(const BackendResult &result, ResultClass resultClass);

    std::array<quint64, ResultClassCount> requests{};
    std::array<quint64, BackendErrorKindCount> backendErrors{};
    std::array<quint64, DurationBucketsMs.size() + 1> durationBuckets{}; ///< per bucket, not cumulative
    quint64 backendCalls = 0;
    qint64 backendDurationSumMs = 0;

    quint64 cacheHits = 0;      ///< answered from a fresh cache entry
    quint64 cacheMisses = 0;    ///< started a backend call
    quint64 cacheCoalesced = 0; ///< joined an identical backend call already in flight
    quint64 cacheStale = 0;     ///< answered from an expired entry because the backend failed
    quint64 cacheEvictions = 0; ///< entries dropped to stay within max-entries / max-bytes

    // The shared tier (Redis), asked after a miss in memory.
    quint64 sharedHits = 0;     ///< fresh entries found in Redis
    quint64 sharedMisses = 0;   ///< Redis answered without a fresh, usable entry
    quint64 sharedWrites = 0;   ///< answers stored in Redis
    quint64 sharedErrors = 0;   ///< calls that failed (connection refused or lost, Redis errors)
    quint64 sharedTimeouts = 0; ///< calls without a reply within cache.shared.timeout
    quint64 sharedSkipped = 0;  ///< calls not made because Redis is skipped after repeated failures
    quint64 sharedInvalid = 0;  ///< values of another format version or damaged, taken as misses
    // Fleet coalescing (cache.shared.lock-wait).
    quint64 sharedLocks = 0;        ///< misses where this connector took the key's lock and asked the backend
    quint64 sharedLockWaitHits = 0; ///< waits for another connector that found its answer
    quint64 sharedLockWaitTimeouts = 0; ///< waits that reached the bound (the backend is asked)
    quint64 sharedLockWaitMisses = 0;   ///< waits that ended early without an answer (the backend is asked)

    quint64 connectionsAccepted = 0;
    quint64 connectionsRefused = 0; ///< closed at once because max-connections was reached

    /// One backend target (one URL of "target") and its circuit breaker.
    struct Target
    {
        QByteArray url;                   ///< without user info and query, as the label
        int state = 0;                    ///< CircuitBreaker::State: 0 closed, 1 open, 2 half-open
        std::array<quint64, 3> entered{}; ///< transitions into each state
    };
    QList<Target> targets;       ///< filled when several targets or a circuit breaker are configured
    quint64 failovers = 0;       ///< backend calls retried on the next target
    quint64 circuitRejected = 0; ///< calls failed at once: every target's circuit was open
    quint64 shedCalls = 0;       ///< calls answered at once: max-queued-calls were already waiting
};

} // namespace prc
