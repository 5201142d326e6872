// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace prc {

/// One lookup waiting for the answer another connector of the fleet is fetching (it holds the key's lock in
/// Redis): asks again after 2 ms, then after twice as long each time up to 20 ms, until a poll reports the
/// answer or the lock gone, a poll fails, or the bound passes. Knows nothing of Redis: the probe does the
/// asking. Ends exactly once, never later than the bound, and deletes itself; nothing is reported once
/// `context` is destroyed.
class SharedWait : public QObject
{
    Q_OBJECT

public:
    /// What one poll found.
    enum class Poll {
        Waiting,  ///< the lock is still held and no answer is there yet
        Answered, ///< the answer is there
        LockGone, ///< the lock went without an answer (the holder's call failed, or its answer is not stored)
        Failed,   ///< Redis failed, timed out or is skipped
    };
    /// How the wait ended.
    enum class End { Answered, LockGone, TimedOut, Failed };

    static constexpr int FirstPollMs = 2;
    static constexpr int MaxPollMs = 20;

    using Report = std::function<void(Poll poll)>;
    /// Sends one poll; its result goes to `report` (at most once; later than the end of the wait is fine).
    using Probe = std::function<void(const Report &report)>;
    using Done = std::function<void(End end, qint64 waitedMs)>;

    /// Starts waiting at once; the first poll goes out after FirstPollMs.
    SharedWait(int boundMs, QObject *context, Probe probe, Done done, QObject *parent = nullptr);
    ~SharedWait() override;

    /// The pause after one of `previousMs` (0 for the first poll).
    static int nextPollMs(int previousMs);

private:
    void poll();
    void polled(Poll poll);
    void finish(End end);

    QPointer<QObject> m_context;
    Probe m_probe;
    Done m_done;
    QTimer m_next;
    QTimer m_bound;
    QElapsedTimer m_clock;
    int m_pauseMs = 0;
    bool m_finished = false;
};

} // namespace prc
