// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "backend/circuitbreaker.h"
#include "config/endpointconfig.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <memory>
#include <vector>

namespace prc {

class EndpointMetrics;

/// The URLs of one endpoint's "target" in order, each with its circuit breaker: which target a call may go to
/// next, what counts as a failure of a target, and the log line and metrics of every breaker transition.
class BackendTargets
{
public:
    /// Settings of one endpoint; metrics may be null. now: the breakers' clock (the steady clock when null).
    BackendTargets(const EndpointConfig &config, std::shared_ptr<EndpointMetrics> metrics,
                   CircuitBreaker::Now now = {});
    ~BackendTargets();

    int count() const { return int(m_targets.size()); }
    const QUrl &url(int index) const { return m_targets.at(size_t(index)).url; }
    /// The call a mode handler built for the first target, sent to target `index` instead: same method, body
    /// and added query parameters, on that target's URL (which may carry its own path and query).
    BackendCall callFor(const BackendCall &call, int index) const;

    /// The first target at or after `from` whose breaker lets a call through now, or -1. *trial: the call is
    /// the one trial of a half-open target.
    int acquire(int from, bool *trial);
    /// Tells the target's breaker how the call ended.
    void report(int index, const BackendResult &result);
    /// The call to target `index` ended without a verdict (abandoned): a trial may be made again.
    void abandon(int index, bool trial);

    /// A failure of the target (and a reason to try the next one): no connection, timeout, or a 5xx that is
    /// not a configured not-found status. A 2xx, a 404 and every other 4xx are answers.
    bool isTargetFailure(const BackendResult &result) const;

    /// Counted in the metrics: a call went on to the next target; a call found every circuit open.
    void noteFailover();
    void noteAllOpen();

    CircuitBreaker::State state(int index) const { return m_targets.at(size_t(index)).breaker->state(); }
    bool breakerEnabled() const { return m_breakerEnabled; }
    /// The URL as it appears in logs and metrics: no user info, no query.
    static QString label(const QUrl &url);

private:
    struct Target
    {
        QUrl url;
        std::unique_ptr<CircuitBreaker> breaker;
    };

    QString m_endpoint;
    QUrl m_first;
    QList<int> m_notFoundStatuses;
    bool m_breakerEnabled;
    std::shared_ptr<EndpointMetrics> m_metrics;
    std::vector<Target> m_targets;
};

} // namespace prc
