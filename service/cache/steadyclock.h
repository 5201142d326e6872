// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cache/clock.h"

namespace prc {

/// The real monotonic clock (unaffected by changes of the wall-clock time).
class SteadyClock : public Clock
{
public:
    qint64 nowMs() const override;
};

} // namespace prc
