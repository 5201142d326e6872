// SPDX-License-Identifier: GPL-3.0-or-later
#include "socketmapcodec.h"

#include "protocol/netstring.h"

namespace prc {
namespace {

QByteArray framed(QByteArrayView status, QByteArrayView data)
{
    QByteArray payload;
    payload.reserve(status.size() + 1 + data.size());
    payload.append(status);
    payload.append(' ');
    payload.append(data);
    return Netstring::encode(payload);
}

} // namespace

std::optional<SocketmapCodec::Request> SocketmapCodec::parseRequest(const QByteArray &payload, QString *error)
{
    const qsizetype space = payload.indexOf(' ');
    if (space < 0) {
        *error = QStringLiteral("malformed request: expected \"name key\"");
        return std::nullopt;
    }
    if (space == 0) {
        *error = QStringLiteral("malformed request: empty map name");
        return std::nullopt;
    }
    return Request{payload.left(space), payload.mid(space + 1)};
}

QByteArray SocketmapCodec::request(QByteArrayView name, QByteArrayView key)
{
    return framed(name, key);
}

QByteArray SocketmapCodec::ok(QByteArrayView data)
{
    return framed("OK", data);
}

QByteArray SocketmapCodec::notFound()
{
    return framed("NOTFOUND", {});
}

QByteArray SocketmapCodec::temp(QByteArrayView reason)
{
    return framed("TEMP", reason);
}

QByteArray SocketmapCodec::timeout(QByteArrayView reason)
{
    return framed("TIMEOUT", reason);
}

QByteArray SocketmapCodec::perm(QByteArrayView reason)
{
    return framed("PERM", reason);
}

SocketmapCodec::Reply SocketmapCodec::parseReply(const QByteArray &payload)
{
    const qsizetype space = payload.indexOf(' ');
    if (space < 0)
        return {payload, {}};
    return {payload.left(space), payload.mid(space + 1)};
}

} // namespace prc
