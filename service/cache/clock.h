// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace prc {

/// A monotonic millisecond clock. The cache reads time only through it, so tests can move time forward
/// instead of waiting for a TTL to run out.
class Clock
{
public:
    virtual ~Clock() = default;

    /// Milliseconds since an arbitrary fixed point; never goes backwards.
    virtual qint64 nowMs() const = 0;
};

} // namespace prc
