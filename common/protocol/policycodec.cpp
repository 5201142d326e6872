// SPDX-License-Identifier: GPL-3.0-or-later
#include "policycodec.h"

namespace prc {

Frame PolicyCodec::takeRequest(QByteArray &buffer, qsizetype maxRequestSize)
{
    // A request ends at the first empty line. Postfix sends no CR; tolerate CRLF from hand-typed tests.
    qsizetype end = -1;
    qsizetype terminatorLength = 0;
    qsizetype lineStart = 0;
    while (lineStart < buffer.size()) {
        const qsizetype newline = buffer.indexOf('\n', lineStart);
        if (newline < 0)
            break;
        const qsizetype lineLength = newline - lineStart;
        if (lineLength == 0 || (lineLength == 1 && buffer.at(lineStart) == '\r')) {
            end = lineStart;
            terminatorLength = lineLength + 1;
            break;
        }
        lineStart = newline + 1;
    }
    if (end < 0) {
        if (buffer.size() > maxRequestSize)
            return Frame::invalid(QStringLiteral("policy request larger than %1 bytes").arg(maxRequestSize));
        return Frame::incomplete();
    }
    if (end > maxRequestSize)
        return Frame::invalid(QStringLiteral("policy request larger than %1 bytes").arg(maxRequestSize));
    // The payload ends with its last attribute, not with that attribute's line break.
    qsizetype payloadEnd = end > 0 ? end - 1 : 0;
    if (payloadEnd > 0 && buffer.at(payloadEnd - 1) == '\r')
        --payloadEnd;
    QByteArray payload = buffer.left(payloadEnd);
    buffer.remove(0, end + terminatorLength);
    return Frame::complete(std::move(payload));
}

std::optional<PolicyCodec::Attributes> PolicyCodec::parseAttributes(const QByteArray &payload, QString *error)
{
    Attributes attributes;
    const QList<QByteArray> lines = payload.split('\n');
    for (QByteArray line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        const qsizetype equals = line.indexOf('=');
        if (equals <= 0) {
            *error = equals < 0 ? QStringLiteral("malformed attribute line (no '=')")
                                : QStringLiteral("malformed attribute line (empty name)");
            return std::nullopt;
        }
        attributes.append({line.left(equals), line.mid(equals + 1)});
    }
    if (attributes.isEmpty()) {
        *error = QStringLiteral("empty policy request");
        return std::nullopt;
    }
    return attributes;
}

QByteArray PolicyCodec::request(const Attributes &attributes)
{
    QByteArray out;
    for (const auto &[name, value] : attributes)
        out += name + '=' + value + '\n';
    out += '\n';
    return out;
}

QByteArray PolicyCodec::formEncode(const Attributes &attributes)
{
    QByteArray out;
    for (const auto &[name, value] : attributes) {
        if (!out.isEmpty())
            out += '&';
        // Encode the bytes themselves: going through QString would replace invalid UTF-8 with U+FFFD and
        // re-encode non-ASCII names, so the backend would not see what Postfix sent.
        out += name.toPercentEncoding() + '=' + value.toPercentEncoding();
    }
    return out;
}

QByteArray PolicyCodec::firstLine(QByteArrayView body)
{
    QByteArray trimmed = body.toByteArray().trimmed();
    const qsizetype newline = trimmed.indexOf('\n');
    if (newline >= 0)
        trimmed = trimmed.left(newline).trimmed();
    // Any other control byte would be passed to Postfix verbatim; keep the line printable.
    for (char &c : trimmed) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    }
    // Trim again: a body of control bytes would otherwise become "action= ", an empty action to Postfix.
    return trimmed.trimmed();
}

QByteArray PolicyCodec::reply(QByteArrayView action)
{
    return QByteArrayLiteral("action=") + action.toByteArray() + QByteArrayLiteral("\n\n");
}

std::optional<QByteArray> PolicyCodec::parseReply(const QByteArray &payload, QString *error)
{
    QByteArray line = payload;
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (!line.startsWith("action=") || line.contains('\n')) {
        *error = QStringLiteral("malformed reply; expected one \"action=...\" line");
        return std::nullopt;
    }
    return line.mid(7);
}

} // namespace prc
