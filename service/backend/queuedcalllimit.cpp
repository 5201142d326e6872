// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/queuedcalllimit.h"

#include "metrics/endpointmetrics.h"

namespace prc {

QueuedCallLimit::QueuedCallLimit(int connections, int maxQueued, std::shared_ptr<EndpointMetrics> metrics)
    : m_connections(qMax(1, connections))
    , m_maxQueued(maxQueued)
    , m_metrics(std::move(metrics))
{
}

bool QueuedCallLimit::tryEnter()
{
    if (m_maxQueued >= 0 && waiting() >= m_maxQueued && m_inFlight >= m_connections) {
        if (m_metrics)
            ++m_metrics->shedCalls;
        return false;
    }
    ++m_inFlight;
    return true;
}

void QueuedCallLimit::leave()
{
    if (m_inFlight > 0)
        --m_inFlight;
}

} // namespace prc
