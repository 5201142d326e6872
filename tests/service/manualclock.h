// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cache/clock.h"

namespace prc::test {

/// A clock that moves only when told to: TTL tests advance it instead of waiting.
class ManualClock : public Clock
{
public:
    qint64 nowMs() const override { return m_now; }
    void advance(qint64 ms) { m_now += ms; }

private:
    qint64 m_now = 1000000;
};

} // namespace prc::test
