// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/servicemetrics.h"

#include "app/serviceapplication.h"
#include "cache/lookupcache.h"
#include "cache/sharedcache.h"
#include "listen/endpointcontext.h"
#include "listen/endpointserver.h"
#include "metrics/endpointmetrics.h"
#include "metrics/metricswriter.h"
#include "version.h"

#include <functional>

namespace prc {
namespace {

using Labels = MetricsWriter::Labels;

Labels endpointLabel(const EndpointServer *server)
{
    return {{QByteArrayLiteral("endpoint"), server->config().name.toUtf8()}};
}

template<typename PerEndpoint>
void appendSharedCacheMetrics(const PerEndpoint &perEndpoint)
{
    const auto shared = [](const EndpointServer *s) {
        return s->context()->sharedCache();
    };
    perEndpoint("prc_shared_cache_enabled", "gauge", "1 when the endpoint's cache has a shared tier (Redis).",
                [shared](const EndpointServer *s) { return quint64(shared(s) ? 1 : 0); });
    perEndpoint("prc_shared_cache_up", "gauge", "1 while the connection to Redis is up.",
                [shared](const EndpointServer *s) { return quint64(shared(s) && shared(s)->isConnected()); });
    perEndpoint("prc_shared_cache_breaker_state", "gauge",
                "0 Redis is used, 1 skipped after repeated failures, 2 trying again.",
                [shared](const EndpointServer *s) {
                    return quint64(shared(s) ? int(shared(s)->breakerState()) : 0);
                });
    perEndpoint("prc_shared_cache_hits_total", "counter", "Lookups answered from a fresh entry in Redis.",
                [](const EndpointServer *s) { return s->metrics().sharedHits; });
    perEndpoint("prc_shared_cache_misses_total", "counter",
                "Redis lookups without a fresh, usable entry (the backend is asked).",
                [](const EndpointServer *s) { return s->metrics().sharedMisses; });
    perEndpoint("prc_shared_cache_writes_total", "counter", "Answers stored in Redis.",
                [](const EndpointServer *s) { return s->metrics().sharedWrites; });
    perEndpoint("prc_shared_cache_errors_total", "counter",
                "Redis calls that failed (connection refused or lost, error replies).",
                [](const EndpointServer *s) { return s->metrics().sharedErrors; });
    perEndpoint("prc_shared_cache_timeouts_total", "counter",
                "Redis calls without a reply within cache.shared.timeout.",
                [](const EndpointServer *s) { return s->metrics().sharedTimeouts; });
    perEndpoint("prc_shared_cache_skipped_total", "counter",
                "Redis calls not made while it is skipped after repeated failures.",
                [](const EndpointServer *s) { return s->metrics().sharedSkipped; });
    perEndpoint("prc_shared_cache_invalid_total", "counter",
                "Values in Redis of another format version or damaged, taken as misses.",
                [](const EndpointServer *s) { return s->metrics().sharedInvalid; });
    perEndpoint("prc_shared_cache_lock_acquired_total", "counter",
                "Redis misses where this connector took the key's lock and asked the backend for the fleet.",
                [](const EndpointServer *s) { return s->metrics().sharedLocks; });
    perEndpoint("prc_shared_cache_lock_wait_hits_total", "counter",
                "Lookups that waited for another connector's backend call and were answered from Redis.",
                [](const EndpointServer *s) { return s->metrics().sharedLockWaitHits; });
    perEndpoint("prc_shared_cache_lock_wait_timeouts_total", "counter",
                "Waits for another connector's answer that reached cache.shared.lock-wait (the backend is "
                "asked).",
                [](const EndpointServer *s) { return s->metrics().sharedLockWaitTimeouts; });
    perEndpoint("prc_shared_cache_lock_wait_misses_total", "counter",
                "Waits that ended early without an answer: the lock went without one, or Redis failed (the "
                "backend is asked).",
                [](const EndpointServer *s) { return s->metrics().sharedLockWaitMisses; });
}

} // namespace

QByteArray renderMetrics(const ServiceApplication &service)
{
    MetricsWriter out;
    const QList<EndpointServer *> endpoints = service.endpoints();

    out.family("prc_build_info", "gauge",
               "Version of the connector and of the Qt it runs on (value is always 1).");
    out.sample("prc_build_info",
               {{"version", QByteArrayLiteral(PRC_VERSION)}, {"qt_version", QByteArray(qVersion())}},
               quint64(1));
    out.family("process_start_time_seconds", "gauge",
               "Start time of the process since the Unix epoch in seconds.");
    out.sample("process_start_time_seconds", {}, double(service.startTimeMs()) / 1000.0);
    out.family("prc_reloads_total", "counter", "Configuration reloads applied since the start.");
    out.sample("prc_reloads_total", {}, quint64(service.reloadCount()));

    // Families first, endpoints inside: the exposition format wants each family's samples together.
    const auto perEndpoint = [&](const QByteArray &name, const char *type, const char *help,
                                 const std::function<quint64(const EndpointServer *)> &value) {
        out.family(name, type, help);
        for (const EndpointServer *server : endpoints)
            out.sample(name, endpointLabel(server), value(server));
    };

    out.family("prc_endpoint_up", "gauge", "1 when the endpoint's listening socket is open.");
    for (const EndpointServer *server : endpoints) {
        Labels labels = endpointLabel(server);
        labels.append({"mode", modeName(server->config().mode).toUtf8()});
        out.sample("prc_endpoint_up", labels, quint64(server->isListening() ? 1 : 0));
    }

    out.family("prc_requests_total", "counter", "Postfix requests answered, by result class.");
    for (const EndpointServer *server : endpoints) {
        for (int i = 0; i < ResultClassCount; ++i) {
            Labels labels = endpointLabel(server);
            labels.append({"result", QByteArray(resultClassName(ResultClass(i)).data())});
            out.sample("prc_requests_total", labels, server->metrics().requests[size_t(i)]);
        }
    }

    out.family("prc_backend_request_duration_seconds", "histogram",
               "Duration of backend calls (cache hits excluded), including failed ones.");
    for (const EndpointServer *server : endpoints) {
        const EndpointMetrics &metrics = server->metrics();
        quint64 cumulative = 0;
        for (size_t i = 0; i < metrics.durationBuckets.size(); ++i) {
            cumulative += metrics.durationBuckets[i];
            Labels labels = endpointLabel(server);
            labels.append({"le", i < EndpointMetrics::DurationBucketsMs.size() ? MetricsWriter::formatDouble(
                                     EndpointMetrics::DurationBucketsMs[i] / 1000.0)
                                                                               : QByteArrayLiteral("+Inf")});
            out.sample("prc_backend_request_duration_seconds_bucket", labels, cumulative);
        }
        out.sample("prc_backend_request_duration_seconds_sum", endpointLabel(server),
                   double(metrics.backendDurationSumMs) / 1000.0);
        out.sample("prc_backend_request_duration_seconds_count", endpointLabel(server), metrics.backendCalls);
    }

    out.family("prc_backend_errors_total", "counter", "Backend calls that gave no usable answer, by kind.");
    for (const EndpointServer *server : endpoints) {
        for (int i = 0; i < BackendErrorKindCount; ++i) {
            Labels labels = endpointLabel(server);
            labels.append({"kind", QByteArray(backendErrorKindName(BackendErrorKind(i)).data())});
            out.sample("prc_backend_errors_total", labels, server->metrics().backendErrors[size_t(i)]);
        }
    }

    perEndpoint("prc_cache_enabled", "gauge", "1 when the endpoint's answer cache is on.",
                [](const EndpointServer *s) { return quint64(s->cache() ? 1 : 0); });
    perEndpoint("prc_cache_hits_total", "counter", "Requests answered from a fresh cache entry.",
                [](const EndpointServer *s) { return s->metrics().cacheHits; });
    perEndpoint("prc_cache_misses_total", "counter", "Requests that started a backend call.",
                [](const EndpointServer *s) { return s->metrics().cacheMisses; });
    perEndpoint("prc_cache_coalesced_total", "counter",
                "Requests that joined an identical backend call already in flight.",
                [](const EndpointServer *s) { return s->metrics().cacheCoalesced; });
    perEndpoint("prc_cache_stale_total", "counter",
                "Requests answered from an expired entry because the backend failed (stale-if-error).",
                [](const EndpointServer *s) { return s->metrics().cacheStale; });
    perEndpoint("prc_cache_evictions_total", "counter",
                "Entries dropped to stay within max-entries or max-bytes.",
                [](const EndpointServer *s) { return s->metrics().cacheEvictions; });
    perEndpoint("prc_cache_entries", "gauge", "Entries in the cache (fresh and kept for stale-if-error).",
                [](const EndpointServer *s) { return quint64(s->cache() ? s->cache()->entryCount() : 0); });
    perEndpoint("prc_cache_bytes", "gauge", "Approximate memory held by the cache entries.",
                [](const EndpointServer *s) { return quint64(s->cache() ? s->cache()->byteCount() : 0); });
    appendSharedCacheMetrics(perEndpoint);

    perEndpoint("prc_connections_open", "gauge", "Open Postfix connections.",
                [](const EndpointServer *s) { return quint64(s->sessionCount()); });
    perEndpoint("prc_connections_accepted_total", "counter", "Postfix connections accepted.",
                [](const EndpointServer *s) { return s->metrics().connectionsAccepted; });
    perEndpoint("prc_connections_refused_total", "counter",
                "Postfix connections closed at once because max-connections was reached.",
                [](const EndpointServer *s) { return s->metrics().connectionsRefused; });
    perEndpoint("prc_requests_in_flight", "gauge", "Postfix requests taken and not answered yet.",
                [](const EndpointServer *s) { return quint64(s->inFlightRequests()); });

    // Failover, circuit breakers and load shedding: a target appears when the endpoint has several or a
    // breaker.
    static const char *const StateNames[] = {"closed", "open", "half_open"};
    out.family("prc_backend_circuit_state", "gauge",
               "1 for the state each backend target's circuit is in (closed, open, half_open).");
    for (const EndpointServer *server : endpoints) {
        for (const EndpointMetrics::Target &target : server->metrics().targets) {
            for (int state = 0; state < 3; ++state) {
                Labels labels = endpointLabel(server);
                labels.append({"target", target.url});
                labels.append({"state", QByteArray(StateNames[state])});
                out.sample("prc_backend_circuit_state", labels, quint64(target.state == state ? 1 : 0));
            }
        }
    }
    out.family("prc_backend_circuit_transitions_total", "counter",
               "Changes of a backend target's circuit, by the state it went to.");
    for (const EndpointServer *server : endpoints) {
        for (const EndpointMetrics::Target &target : server->metrics().targets) {
            for (int state = 0; state < 3; ++state) {
                Labels labels = endpointLabel(server);
                labels.append({"target", target.url});
                labels.append({"to", QByteArray(StateNames[state])});
                out.sample("prc_backend_circuit_transitions_total", labels, target.entered[size_t(state)]);
            }
        }
    }
    perEndpoint("prc_backend_failovers_total", "counter", "Backend calls retried on the next target.",
                [](const EndpointServer *s) { return s->metrics().failovers; });
    perEndpoint("prc_backend_circuit_rejected_total", "counter",
                "Calls answered with a temporary error at once because every target's circuit was open.",
                [](const EndpointServer *s) { return s->metrics().circuitRejected; });
    perEndpoint(
        "prc_backend_shed_total", "counter",
        "Calls answered with a temporary error at once because max-queued-calls were already waiting.",
        [](const EndpointServer *s) { return s->metrics().shedCalls; });
    return out.text();
}

} // namespace prc
