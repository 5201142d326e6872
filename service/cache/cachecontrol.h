// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

#include <optional>

namespace prc {

/// The directives of a Cache-Control response header (RFC 9111 section 5.2.2) that matter to the answer
/// cache.
struct CacheControl
{
    bool noStore = false;
    bool noCache = false;
    bool isPrivate = false;
    std::optional<qint64> maxAgeSeconds;       ///< max-age
    std::optional<qint64> sharedMaxAgeSeconds; ///< s-maxage (takes precedence over max-age)

    /// Forbids storing the answer at all (no-store, no-cache, private: this cache cannot revalidate, and it
    /// answers many clients).
    bool forbidsStoring() const { return noStore || noCache || isPrivate; }
    /// The lifetime the backend gave, if any.
    std::optional<qint64> lifetimeSeconds() const
    {
        return sharedMaxAgeSeconds ? sharedMaxAgeSeconds : maxAgeSeconds;
    }

    /// Parses a header value such as `public, max-age=60`. Unknown directives are ignored; directive names
    /// are case-insensitive; a malformed delta-seconds value (max-age=abc) counts as 0, i.e. "already stale".
    static CacheControl parse(const QByteArray &header);
};

} // namespace prc
