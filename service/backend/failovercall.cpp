// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/failovercall.h"

#include "backend/backendrequest.h"
#include "backend/backendtargets.h"
#include "backend/queuedcalllimit.h"
#include "servicelogging.h"

namespace prc {

FailoverCall::FailoverCall(BackendTargets &targets, Start start, const BackendCall &call,
                           const QByteArray &requestId, int budgetMs, QObject *parent)
    : QObject(parent)
    , m_targets(targets)
    , m_start(std::move(start))
    , m_call(call)
    , m_requestId(requestId)
    , m_budgetMs(budgetMs)
{
    m_elapsed.start();
    m_budget.setSingleShot(true);
    m_budget.setTimerType(Qt::CoarseTimer);
    connect(&m_budget, &QTimer::timeout, this, &FailoverCall::onBudgetSpent);
}

FailoverCall::~FailoverCall()
{
    if (m_limit)
        m_limit->leave();
    if (m_attempt) {
        // The Postfix client went away: that says nothing about the target.
        m_targets.abandon(m_index, m_trial);
        delete m_attempt;
    }
}

void FailoverCall::begin(QueuedCallLimit *limit)
{
    m_budget.start(m_budgetMs);
    if (limit && !limit->tryEnter()) {
        failSoon(QStringLiteral("%1 backend calls already wait for a connection (max-queued-calls)")
                     .arg(limit->waiting()));
        return;
    }
    m_limit = limit;
    if (!attempt(0)) {
        m_targets.noteAllOpen();
        failSoon(QStringLiteral("every backend target's circuit is open"));
    }
}

void FailoverCall::failSoon(const QString &reason)
{
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
            BackendResult result;
            result.outcome = BackendResult::Outcome::NetworkError;
            result.error = reason;
            finish(std::move(result));
        },
        Qt::QueuedConnection);
}

bool FailoverCall::attempt(int from)
{
    m_index = m_targets.acquire(from, &m_trial);
    if (m_index < 0)
        return false;
    m_attempt = m_start(m_targets.callFor(m_call, m_index), this);
    connect(m_attempt, &BackendRequest::finished, this, &FailoverCall::onAttemptFinished);
    return true;
}

void FailoverCall::onAttemptFinished(const BackendResult &result)
{
    BackendRequest *done = m_attempt;
    m_attempt = nullptr;
    done->deleteLater(); // never inside its own signal
    if (m_finished)
        return;
    m_targets.report(m_index, result);
    if (result.outcome == BackendResult::Outcome::Timeout) {
        // An attempt times out only after a whole request-timeout, which is the budget: none is left for
        // another target, whichever of the two timers came first.
        onBudgetSpent();
        return;
    }
    if (m_targets.isTargetFailure(result)) {
        const int failed = m_index;
        if (attempt(m_index + 1)) {
            m_targets.noteFailover();
            qCInfo(lcBackend).noquote()
                << m_requestId << "target" << BackendTargets::label(m_targets.url(failed))
                << "failed:" << result.failureText() << "- trying"
                << BackendTargets::label(m_targets.url(m_index));
            return;
        }
    }
    // The last answer is the one Postfix gets, failed or not.
    finish(result);
}

void FailoverCall::onBudgetSpent()
{
    if (m_finished)
        return;
    if (m_attempt) {
        // The target had what was left of the budget and did not answer in it: a failure of its own.
        BackendResult timedOut;
        timedOut.outcome = BackendResult::Outcome::Timeout;
        m_targets.report(m_index, timedOut);
        delete m_attempt;
        m_attempt = nullptr;
    }
    BackendResult result;
    result.outcome = BackendResult::Outcome::Timeout;
    result.error = QStringLiteral("backend did not answer within %1 ms").arg(m_budgetMs);
    finish(std::move(result));
}

void FailoverCall::finish(BackendResult result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_budget.stop();
    if (m_limit) {
        m_limit->leave();
        m_limit = nullptr;
    }
    result.elapsedMs = m_elapsed.elapsed();
    Q_EMIT finished(result);
}

} // namespace prc
