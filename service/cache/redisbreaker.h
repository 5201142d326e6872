// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace prc {

/// Decides when to skip Redis: after `threshold` failures in a row (timeouts, lost or refused connections),
/// calls are skipped for a cooldown; then one round of calls may try again (half-open): a success closes the
/// breaker, a failure opens it again for twice as long, up to maxCooldownMs. Pure: time comes in as
/// arguments, so it is tested without waiting.
class RedisBreaker
{
public:
    enum class State { Closed, Open, HalfOpen };

    static constexpr int DefaultThreshold = 5;
    static constexpr qint64 DefaultCooldownMs = 5000;
    static constexpr qint64 DefaultMaxCooldownMs = 60000;

    explicit RedisBreaker(int threshold = DefaultThreshold, qint64 cooldownMs = DefaultCooldownMs,
                          qint64 maxCooldownMs = DefaultMaxCooldownMs);

    /// True when a call may go to Redis now. Moves Open to HalfOpen once the cooldown is over.
    bool allow(qint64 nowMs);
    /// Returns true when this success closed an open (half-open) breaker.
    bool recordSuccess();
    /// Returns true when this failure opened the breaker.
    bool recordFailure(qint64 nowMs);

    State state() const { return m_state; }
    qint64 cooldownMs() const { return m_cooldownMs; }

private:
    int m_threshold;
    qint64 m_baseCooldownMs;
    qint64 m_maxCooldownMs;
    qint64 m_cooldownMs;
    State m_state = State::Closed;
    int m_failures = 0;
    qint64 m_openUntil = 0;
};

} // namespace prc
