// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/sharedwait.h"

#include <algorithm>

namespace prc {

SharedWait::SharedWait(int boundMs, QObject *context, Probe probe, Done done, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_probe(std::move(probe))
    , m_done(std::move(done))
{
    m_clock.start();
    m_next.setSingleShot(true);
    m_bound.setSingleShot(true);
    // Precise: a coarse timer may shift a 2 ms pause by a whole millisecond, and the bound is a promise.
    m_next.setTimerType(Qt::PreciseTimer);
    m_bound.setTimerType(Qt::PreciseTimer);
    connect(&m_next, &QTimer::timeout, this, &SharedWait::poll);
    // The bound holds even while a poll is out: a Redis slower than the rest of the wait does not stretch it.
    connect(&m_bound, &QTimer::timeout, this, [this] { finish(End::TimedOut); });
    if (context) {
        // Whoever waited is gone: stop asking, tell nobody.
        connect(context, &QObject::destroyed, this, [this] {
            m_finished = true;
            m_next.stop();
            m_bound.stop();
            deleteLater();
        });
    }
    m_pauseMs = nextPollMs(0);
    m_bound.start(std::max(0, boundMs));
    m_next.start(m_pauseMs);
}

SharedWait::~SharedWait() = default;

int SharedWait::nextPollMs(int previousMs)
{
    return previousMs <= 0 ? FirstPollMs : std::min(previousMs * 2, int(MaxPollMs));
}

void SharedWait::poll()
{
    if (m_finished)
        return;
    // The report may come at once (Redis down, or skipped) or after the wait ended (then it is ignored).
    const QPointer<SharedWait> self(this);
    m_probe([self](Poll result) {
        if (self)
            self->polled(result);
    });
}

void SharedWait::polled(Poll result)
{
    if (m_finished)
        return;
    switch (result) {
    case Poll::Waiting:
        m_pauseMs = nextPollMs(m_pauseMs);
        m_next.start(m_pauseMs);
        return;
    case Poll::Answered:
        finish(End::Answered);
        return;
    case Poll::LockGone:
        finish(End::LockGone);
        return;
    case Poll::Failed:
        finish(End::Failed);
        return;
    }
}

void SharedWait::finish(End end)
{
    if (m_finished)
        return;
    m_finished = true;
    m_next.stop();
    m_bound.stop();
    const qint64 waited = m_clock.elapsed();
    // Moved out first: done may start another wait, or destroy the owner of this one.
    const Done done = std::move(m_done);
    deleteLater();
    if (m_context && done)
        done(end, waited);
}

} // namespace prc
