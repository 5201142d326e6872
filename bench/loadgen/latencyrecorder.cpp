// SPDX-License-Identifier: GPL-3.0-or-later
#include "latencyrecorder.h"

#include <algorithm>
#include <cmath>

namespace prc::bench {

LatencyRecorder::Summary LatencyRecorder::summarize()
{
    Summary s;
    if (m_samples.empty())
        return s;
    std::sort(m_samples.begin(), m_samples.end());
    // Nearest-rank percentiles.
    auto at = [this](double p) {
        const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(m_samples.size())));
        return m_samples[std::min(m_samples.size() - 1, rank == 0 ? 0 : rank - 1)];
    };
    s.p50 = at(0.50);
    s.p90 = at(0.90);
    s.p99 = at(0.99);
    s.max = m_samples.back();
    double sum = 0;
    for (const auto v : m_samples)
        sum += v;
    s.mean = sum / static_cast<double>(m_samples.size());
    return s;
}

} // namespace prc::bench
