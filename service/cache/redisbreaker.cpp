// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/redisbreaker.h"

#include <algorithm>

namespace prc {

RedisBreaker::RedisBreaker(int threshold, qint64 cooldownMs, qint64 maxCooldownMs)
    : m_threshold(std::max(1, threshold))
    , m_baseCooldownMs(cooldownMs)
    , m_maxCooldownMs(std::max(cooldownMs, maxCooldownMs))
    , m_cooldownMs(cooldownMs)
{
}

bool RedisBreaker::allow(qint64 nowMs)
{
    if (m_state == State::Open && nowMs >= m_openUntil)
        m_state = State::HalfOpen;
    return m_state != State::Open;
}

bool RedisBreaker::recordSuccess()
{
    m_failures = 0;
    const bool closed = m_state != State::Closed;
    m_state = State::Closed;
    m_cooldownMs = m_baseCooldownMs;
    return closed;
}

bool RedisBreaker::recordFailure(qint64 nowMs)
{
    switch (m_state) {
    case State::Open:
        // Late answers to calls made before it opened: already counted.
        return false;
    case State::HalfOpen:
        // The trial failed: wait longer before the next one.
        m_cooldownMs = std::min(m_cooldownMs * 2, m_maxCooldownMs);
        break;
    case State::Closed:
        if (++m_failures < m_threshold)
            return false;
        break;
    }
    m_state = State::Open;
    m_openUntil = nowMs + m_cooldownMs;
    m_failures = 0;
    return true;
}

} // namespace prc
