// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"

#include <QByteArray>

#include <optional>

namespace prc {

/// One answer as the shared tier keeps it in Redis: what a reply is made from (the fields LookupCache
/// keeps) and its lifetime in wall-clock time, since the hosts of a fleet share no monotonic clock.
struct SharedEntry
{
    /// The value format: a magic, this version, the fields, a checksum. A value of any other version is a
    /// miss, so connectors of different versions can share a Redis during an upgrade.
    static constexpr char Version = '1';

    BackendResult result;    ///< outcome, status, body, cacheControl
    qint64 expiresAtMs = 0;  ///< Unix time in ms: fresh before it
    qint64 staleUntilMs = 0; ///< Unix time in ms: usable for stale-if-error before it

    /// The value stored under a key. `callKey` (LookupCache::keyFor) is kept in it, so a value copied to
    /// another key is not taken for that key's answer.
    static QByteArray encode(const QByteArray &callKey, const SharedEntry &entry);
    /// The entry when `value` is a well-formed value of this version for `callKey` that fits `maxBodySize`;
    /// nullopt for anything else (another version, a damaged or hand-edited value, another key's value).
    static std::optional<SharedEntry> decode(const QByteArray &callKey, const QByteArray &value,
                                             qint64 maxBodySize);
};

} // namespace prc
