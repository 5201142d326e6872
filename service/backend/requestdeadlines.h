// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <map>

namespace prc {

/// The deadlines of many calls on one timer. Qt keeps a thread's timers in one sorted list and searches it
/// whenever a timer starts or stops: a timer per call, with a thousand calls in flight, cost more than the
/// calls. Here a deadline costs a map insertion and erasure, and the one timer is armed again only when it
/// fires or an earlier deadline arrives.
class RequestDeadlines : public QObject
{
    Q_OBJECT

public:
    using Expired = std::function<void()>;
    class Handle;

private:
    struct Entry
    {
        Handle *handle;
        Expired expired;
    };
    using Map = std::multimap<qint64, Entry>;

public:
    /// One deadline, kept by its caller at a fixed address (a member) while it is set. Cleared when the
    /// deadline expires (before its callback runs) or is removed.
    class Handle
    {
    public:
        Handle() = default;
        Handle(const Handle &) = delete;
        Handle &operator=(const Handle &) = delete;
        bool isSet() const { return m_set; }

    private:
        friend class RequestDeadlines;
        Map::iterator m_entry;
        bool m_set = false;
    };

    explicit RequestDeadlines(QObject *parent = nullptr);

    /// Sets `handle`: `expired` runs once, from the event loop, `timeoutMs` from now unless removed before.
    void add(Handle &handle, int timeoutMs, Expired expired);
    /// Forgets a deadline; a handle that is not set is ignored.
    void remove(Handle &handle);

    int size() const { return int(m_deadlines.size()); }

private:
    void onTimer();
    void arm(qint64 deadline);

    QElapsedTimer m_clock;
    Map m_deadlines;
    QTimer m_timer;
    qint64 m_armedFor = -1; ///< when m_timer fires; never later than the earliest deadline
};

} // namespace prc
