// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QUrl>

namespace prc {

/// What to ask the backend: built by a mode handler from one Postfix request.
struct BackendCall
{
    enum class Method { Get, Post };

    Method method = Method::Get;
    QUrl url;
    QByteArray body;
    QByteArray contentType;
};

/// How one backend call ended.
struct BackendResult
{
    enum class Outcome {
        Response,     ///< an HTTP response arrived completely (any status)
        Timeout,      ///< request-timeout elapsed before the body was complete
        NetworkError, ///< connection refused, DNS, TLS, reset, ...
        TooLarge,     ///< the body exceeded max-response-size
    };

    Outcome outcome = Outcome::NetworkError;
    int status = 0;
    QByteArray body;
    QByteArray cacheControl; ///< the Cache-Control header of a Response (joined when repeated), for the cache
    QString error;           ///< human-readable, for NetworkError/TooLarge/Timeout
    qint64 elapsedMs = 0;

    /// What went wrong, for the warning about a failed call.
    QString failureText() const { return error.isEmpty() ? QStringLiteral("HTTP %1").arg(status) : error; }
};

} // namespace prc

Q_DECLARE_METATYPE(prc::BackendResult)
