// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLatin1String>
#include <QtGlobal>

#include <functional>

namespace prc {

/// The health of one backend target: closed (calls go through), open (skipped without a connection attempt)
/// and half-open (one trial call decides). A plain state machine; time comes from a function so tests can
/// move it by hand.
class CircuitBreaker
{
public:
    enum class State { Closed, Open, HalfOpen };
    static constexpr int StateCount = 3;

    using Now = std::function<qint64()>; ///< milliseconds, monotonic
    using Transition = std::function<void(State from, State to)>;

    /// failures: consecutive failed calls that open it; openForMs: how long it stays open before a trial.
    CircuitBreaker(int failures, int openForMs, Now now);

    /// May a call go to this target now? In half-open state only the one trial call may; the caller must
    /// then report it with recordSuccess(), recordFailure() or recordAbandoned().
    bool tryAcquire();
    void recordSuccess();
    void recordFailure();
    /// The call ended without a verdict on the target (the Postfix client went away, the budget was spent
    /// on an earlier target): a trial call may be made again.
    void recordAbandoned();

    State state() const { return m_state; }
    int consecutiveFailures() const { return m_failures; }
    /// Called on every change of state, after it happened.
    void setTransitionHandler(Transition handler) { m_onTransition = std::move(handler); }

    /// "closed", "open", "half_open": the metrics label and the log word.
    static QLatin1String stateName(State state);

private:
    void moveTo(State state);

    int m_threshold;
    int m_openForMs;
    Now m_now;
    Transition m_onTransition;
    State m_state = State::Closed;
    int m_failures = 0;
    qint64 m_openedAt = 0;
    bool m_trialInFlight = false;
};

} // namespace prc
