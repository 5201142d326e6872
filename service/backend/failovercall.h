// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>

namespace prc {

class BackendRequest;
class BackendTargets;
class QueuedCallLimit;

/// One backend call across an endpoint's targets: one attempt at a time, the next target after a target
/// failure (no connection, timeout, 5xx), never a target twice, and one budget (request-timeout) for all
/// attempts together. Reports exactly once; deleting it aborts the attempt in flight.
class FailoverCall : public QObject
{
    Q_OBJECT

public:
    /// Starts one attempt; the request belongs to `owner` and emits finished() once (any BackendClient).
    using Start = std::function<BackendRequest *(const BackendCall &call, QObject *owner)>;

    /// targets must outlive the call.
    FailoverCall(BackendTargets &targets, Start start, const BackendCall &call, const QByteArray &requestId,
                 int budgetMs, QObject *parent = nullptr);
    ~FailoverCall() override;

    /// Starts the first attempt. With every circuit open, or with `limit` (may be null) refusing the call, it
    /// fails on the next event loop pass, so a caller that connects to finished() after begin() still hears
    /// of it. The limit must outlive the call.
    void begin(QueuedCallLimit *limit = nullptr);

    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    void finished(const prc::BackendResult &result);

private:
    bool attempt(int from);
    void onAttemptFinished(const BackendResult &result);
    void onBudgetSpent();
    void failSoon(const QString &reason);
    void finish(BackendResult result);

    BackendTargets &m_targets;
    Start m_start;
    BackendCall m_call;
    QByteArray m_requestId;
    int m_budgetMs;
    QTimer m_budget;
    QElapsedTimer m_elapsed;
    BackendRequest *m_attempt = nullptr;
    QueuedCallLimit *m_limit = nullptr; ///< set while the call holds a place in it
    int m_index = -1;
    bool m_trial = false;
    bool m_finished = false;
};

} // namespace prc
