// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace prc {

class ServiceApplication;

/// The /metrics page: every endpoint's counters and gauges plus the process-wide ones, in the Prometheus text
/// format. Cheap enough to build on every scrape (a few lines per endpoint); the hot path only bumps
/// integers.
QByteArray renderMetrics(const ServiceApplication &service);

} // namespace prc
