// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/circuitbreaker.h"

namespace prc {

CircuitBreaker::CircuitBreaker(int failures, int openForMs, Now now)
    : m_threshold(qMax(1, failures))
    , m_openForMs(openForMs)
    , m_now(std::move(now))
{
}

QLatin1String CircuitBreaker::stateName(State state)
{
    switch (state) {
    case State::Closed:
        return QLatin1String("closed");
    case State::Open:
        return QLatin1String("open");
    case State::HalfOpen:
        return QLatin1String("half_open");
    }
    return QLatin1String("unknown");
}

bool CircuitBreaker::tryAcquire()
{
    switch (m_state) {
    case State::Closed:
        return true;
    case State::Open:
        if (m_now() - m_openedAt < m_openForMs)
            return false;
        moveTo(State::HalfOpen);
        m_trialInFlight = true;
        return true;
    case State::HalfOpen:
        if (m_trialInFlight)
            return false;
        m_trialInFlight = true;
        return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess()
{
    m_failures = 0;
    m_trialInFlight = false;
    if (m_state != State::Closed)
        moveTo(State::Closed);
}

void CircuitBreaker::recordFailure()
{
    m_trialInFlight = false;
    if (m_state == State::HalfOpen) {
        // The trial failed: another full open-for before the next one.
        m_openedAt = m_now();
        moveTo(State::Open);
        return;
    }
    if (m_state == State::Open)
        return; // a call that started before the breaker opened
    if (++m_failures >= m_threshold) {
        m_openedAt = m_now();
        moveTo(State::Open);
    }
}

void CircuitBreaker::recordAbandoned()
{
    m_trialInFlight = false;
}

void CircuitBreaker::moveTo(State state)
{
    const State from = m_state;
    m_state = state;
    if (state == State::Closed)
        m_failures = 0;
    if (m_onTransition)
        m_onTransition(from, state);
}

} // namespace prc
