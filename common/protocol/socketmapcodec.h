// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace prc {

/// socketmap_table(5) requests ("name key") and replies, each inside a netstring. Pure functions.
class SocketmapCodec
{
public:
    /// Postfix's default limit for a reply (without the netstring framing).
    static constexpr qsizetype MaxReplySize = 100000;

    struct Request
    {
        QByteArray name;
        QByteArray key;
    };
    /// Splits a netstring payload at its first space.
    static std::optional<Request> parseRequest(const QByteArray &payload, QString *error);
    static QByteArray request(QByteArrayView name, QByteArrayView key); ///< framed, for clients

    // Framed replies. Reasons must not be empty to be useful, but any bytes are allowed.
    static QByteArray ok(QByteArrayView data);
    static QByteArray notFound();
    static QByteArray temp(QByteArrayView reason);
    static QByteArray timeout(QByteArrayView reason);
    static QByteArray perm(QByteArrayView reason);

    struct Reply
    {
        QByteArray status; ///< OK, NOTFOUND, TEMP, TIMEOUT, PERM (or whatever the server sent)
        QByteArray data;
    };
    /// Parses a reply payload (without the netstring framing), for clients and tests.
    static Reply parseReply(const QByteArray &payload);
};

} // namespace prc
