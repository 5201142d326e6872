// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "modes/jsonpointer.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace prc {

/// How a lookup endpoint reads its backend's answers ("value-path", "not-found-statuses"). The default reads
/// them the way the original connector does.
struct LookupShape
{
    JsonPointer valuePath;               ///< applied to a 200 body before it is read
    QList<int> notFoundStatuses = {404}; ///< answered as "not found"
};

/// The backend's answer to a lookup (tcp-lookup and socketmap-lookup share the JSON contract).
struct LookupAnswer
{
    enum class Kind {
        Found,     ///< 200 with a non-empty JSON array of strings
        NotFound,  ///< 200 with [] (or nothing at value-path), or a not-found status (404)
        Temporary, ///< any other status, invalid JSON, network failure, oversized body
        Timeout,   ///< request-timeout elapsed
        Permanent, ///< other 4xx: the request or the backend is misconfigured
    };

    Kind kind = Kind::Temporary;
    QList<QByteArray> values; ///< UTF-8, for Found
    QString reason;           ///< for the error kinds

    static LookupAnswer interpret(const BackendResult &result, const LookupShape &shape = {});

    /// Values joined with the list separator.
    QByteArray joined(const QByteArray &separator) const;
};

} // namespace prc
