// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/requestdeadlines.h"

#include <algorithm>
#include <limits>

namespace prc {

RequestDeadlines::RequestDeadlines(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
    m_timer.setSingleShot(true);
    // It fires about once per timeout period, not once per call: precision costs nothing here.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RequestDeadlines::onTimer);
}

void RequestDeadlines::add(Handle &handle, int timeoutMs, Expired expired)
{
    remove(handle);
    const qint64 deadline = m_clock.elapsed() + std::max(0, timeoutMs);
    // Equal deadlines keep their order: the later call goes after the earlier one.
    handle.m_entry =
        m_deadlines.emplace_hint(m_deadlines.end(), deadline, Entry{&handle, std::move(expired)});
    handle.m_set = true;
    if (!m_timer.isActive() || deadline < m_armedFor)
        arm(deadline);
}

void RequestDeadlines::remove(Handle &handle)
{
    if (!handle.m_set)
        return;
    // The timer stays armed for the old deadline: when it fires it finds nothing due and waits for the next.
    m_deadlines.erase(handle.m_entry);
    handle.m_set = false;
}

void RequestDeadlines::onTimer()
{
    m_armedFor = -1;
    const qint64 now = m_clock.elapsed();
    // Each callback may add and remove deadlines (a failed call's owner starts or drops others): take the
    // entry out of the map before running it, and look at the map afresh every time.
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        Entry entry = std::move(m_deadlines.begin()->second);
        m_deadlines.erase(m_deadlines.begin());
        entry.handle->m_set = false;
        entry.expired();
    }
    if (!m_deadlines.empty() && !m_timer.isActive())
        arm(m_deadlines.begin()->first);
}

void RequestDeadlines::arm(qint64 deadline)
{
    m_armedFor = deadline;
    const qint64 wait = std::max<qint64>(0, deadline - m_clock.elapsed());
    m_timer.start(int(std::min<qint64>(wait, std::numeric_limits<int>::max())));
}

} // namespace prc
