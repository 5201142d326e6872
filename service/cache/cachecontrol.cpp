// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/cachecontrol.h"

#include <QList>

#include <limits>

namespace prc {
namespace {

qint64 deltaSeconds(QByteArray value)
{
    value = value.trimmed();
    if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = value.mid(1, value.size() - 2);
    if (value.isEmpty())
        return 0;
    qint64 seconds = 0;
    for (char c : std::as_const(value)) {
        if (c < '0' || c > '9')
            return 0;
        // RFC 9111 5.2.2: a value too large to represent is taken as 2^31.
        if (seconds > (std::numeric_limits<qint32>::max() - (c - '0')) / 10)
            return qint64(1) << 31;
        seconds = seconds * 10 + (c - '0');
    }
    return seconds;
}

} // namespace

CacheControl CacheControl::parse(const QByteArray &header)
{
    CacheControl result;
    const QList<QByteArray> directives = header.split(',');
    for (const QByteArray &directive : directives) {
        const qsizetype equals = directive.indexOf('=');
        const QByteArray name = (equals < 0 ? directive : directive.left(equals)).trimmed().toLower();
        const QByteArray value = equals < 0 ? QByteArray() : directive.mid(equals + 1);
        if (name == "no-store")
            result.noStore = true;
        else if (name == "no-cache")
            result.noCache = true;
        else if (name == "private")
            result.isPrivate = true;
        else if (name == "max-age")
            result.maxAgeSeconds = deltaSeconds(value);
        else if (name == "s-maxage")
            result.sharedMaxAgeSeconds = deltaSeconds(value);
    }
    return result;
}

} // namespace prc
