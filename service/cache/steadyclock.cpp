// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/steadyclock.h"

#include <QDeadlineTimer>

namespace prc {

qint64 SteadyClock::nowMs() const
{
    return QDeadlineTimer::current().deadline();
}

} // namespace prc
