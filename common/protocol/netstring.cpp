// SPDX-License-Identifier: GPL-3.0-or-later
#include "netstring.h"

namespace prc {

QByteArray Netstring::encode(QByteArrayView payload)
{
    QByteArray out = QByteArray::number(payload.size());
    out.reserve(out.size() + payload.size() + 2);
    out.append(':');
    out.append(payload);
    out.append(',');
    return out;
}

Frame Netstring::take(QByteArray &buffer, qsizetype maxLength)
{
    qsizetype length = 0;
    qsizetype i = 0;
    for (; i < buffer.size(); ++i) {
        const char c = buffer.at(i);
        if (c == ':')
            break;
        if (c < '0' || c > '9')
            return Frame::invalid(QStringLiteral("malformed netstring: unexpected byte 0x%1 in length")
                                      .arg(static_cast<unsigned char>(c), 2, 16, QLatin1Char('0')));
        length = length * 10 + (c - '0');
        if (length > maxLength)
            return Frame::invalid(QStringLiteral("netstring length exceeds %1 bytes").arg(maxLength));
    }
    if (i == buffer.size())
        return Frame::incomplete();
    if (i == 0)
        return Frame::invalid(QStringLiteral("malformed netstring: empty length"));

    const qsizetype payloadStart = i + 1;
    const qsizetype end = payloadStart + length; // index of the comma
    if (buffer.size() <= end)
        return Frame::incomplete();
    if (buffer.at(end) != ',')
        return Frame::invalid(QStringLiteral("malformed netstring: missing ',' after %1 bytes").arg(length));

    QByteArray payload = buffer.mid(payloadStart, length);
    buffer.remove(0, end + 1);
    return Frame::complete(std::move(payload));
}

} // namespace prc
