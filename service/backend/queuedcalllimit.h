// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <memory>

namespace prc {

class EndpointMetrics;

/// max-queued-calls: counts one endpoint's backend calls in flight; those beyond the backend connections
/// wait for one. A call that would find the limit of waiting calls already reached is refused at once.
class QueuedCallLimit
{
public:
    /// maxQueued < 0: unbounded (never refuses).
    QueuedCallLimit(int connections, int maxQueued, std::shared_ptr<EndpointMetrics> metrics = {});

    /// Takes a place for a new call, or returns false (counted as shed) when maxQueued calls already wait.
    bool tryEnter();
    /// The call that took a place ended.
    void leave();

    int inFlight() const { return m_inFlight; }
    int waiting() const { return qMax(0, m_inFlight - m_connections); }

private:
    int m_connections;
    int m_maxQueued;
    std::shared_ptr<EndpointMetrics> m_metrics;
    int m_inFlight = 0;
};

} // namespace prc
