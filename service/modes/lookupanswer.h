// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace prc {

/// The backend's answer to a lookup (tcp-lookup and socketmap-lookup share the JSON contract).
struct LookupAnswer
{
    enum class Kind {
        Found,     ///< 200 with a non-empty JSON array of strings
        NotFound,  ///< 200 with [] or 404
        Temporary, ///< any other status, invalid JSON, network failure, oversized body
        Timeout,   ///< request-timeout elapsed
        Permanent, ///< 4xx other than 404: the request or the backend is misconfigured
    };

    Kind kind = Kind::Temporary;
    QList<QByteArray> values; ///< UTF-8, for Found
    QString reason;           ///< for the error kinds

    static LookupAnswer interpret(const BackendResult &result);

    /// Values joined with the list separator.
    QByteArray joined(const QByteArray &separator) const;
};

} // namespace prc
