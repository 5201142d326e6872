// SPDX-License-Identifier: GPL-3.0-or-later
#include "tcptablecodec.h"

#include <cctype>

namespace prc {
namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool needsQuoting(unsigned char c)
{
    // Postfix hex_quote(): '%', whitespace, non-printable and non-ASCII bytes.
    return c == '%' || c <= 0x20 || c >= 0x7f;
}

} // namespace

Frame TcpTableCodec::takeLine(QByteArray &buffer, qsizetype maxLineSize)
{
    const qsizetype newline = buffer.indexOf('\n');
    if (newline < 0) {
        if (buffer.size() > maxLineSize)
            return Frame::invalid(QStringLiteral("request line longer than %1 bytes").arg(maxLineSize));
        return Frame::incomplete();
    }
    if (newline > maxLineSize)
        return Frame::invalid(QStringLiteral("request line longer than %1 bytes").arg(maxLineSize));
    QByteArray line = buffer.left(newline);
    buffer.remove(0, newline + 1);
    if (line.endsWith('\r'))
        line.chop(1);
    return Frame::complete(std::move(line));
}

std::optional<TcpTableCodec::Request> TcpTableCodec::parseRequest(const QByteArray &line, QString *error)
{
    if (!line.startsWith("get ")) {
        if (line.startsWith("put "))
            *error = QStringLiteral("put requests are not supported");
        else
            *error = QStringLiteral("unknown request; expected \"get KEY\"");
        return std::nullopt;
    }
    auto key = decode(QByteArrayView(line).sliced(4));
    if (!key) {
        *error = QStringLiteral("malformed %-encoding in key");
        return std::nullopt;
    }
    return Request{std::move(*key)};
}

std::optional<QByteArray> TcpTableCodec::decode(QByteArrayView encoded)
{
    QByteArray out;
    out.reserve(encoded.size());
    for (qsizetype i = 0; i < encoded.size(); ++i) {
        const char c = encoded.at(i);
        if (c != '%') {
            out.append(c);
            continue;
        }
        if (i + 2 >= encoded.size())
            return std::nullopt;
        const int high = hexValue(encoded.at(i + 1));
        const int low = hexValue(encoded.at(i + 2));
        if (high < 0 || low < 0)
            return std::nullopt;
        out.append(char(high * 16 + low));
        i += 2;
    }
    return out;
}

QByteArray TcpTableCodec::encode(QByteArrayView raw)
{
    static const char digits[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(raw.size());
    for (const char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        if (needsQuoting(byte)) {
            out.append('%');
            out.append(digits[byte >> 4]);
            out.append(digits[byte & 0xf]);
        } else {
            out.append(c);
        }
    }
    return out;
}

QByteArray TcpTableCodec::reply(int code, QByteArrayView text)
{
    return QByteArray::number(code) + ' ' + encode(text) + '\n';
}

QByteArray TcpTableCodec::requestLine(QByteArrayView key)
{
    return QByteArrayLiteral("get ") + encode(key) + '\n';
}

std::optional<TcpTableCodec::Reply> TcpTableCodec::parseReply(const QByteArray &line, QString *error)
{
    if (line.size() < 4 || line.at(3) != ' ' || !std::isdigit(static_cast<unsigned char>(line.at(0)))
        || !std::isdigit(static_cast<unsigned char>(line.at(1)))
        || !std::isdigit(static_cast<unsigned char>(line.at(2)))) {
        *error = QStringLiteral("malformed reply; expected three digits, a space and text");
        return std::nullopt;
    }
    auto text = decode(QByteArrayView(line).sliced(4));
    if (!text) {
        *error = QStringLiteral("malformed %-encoding in reply");
        return std::nullopt;
    }
    return Reply{line.left(3).toInt(), std::move(*text)};
}

} // namespace prc
