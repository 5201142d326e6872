// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/frame.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace prc {

/// Postfix tcp_table(5): "get KEY\n" requests, "NNN TEXT\n" replies, both %XX-encoded. Pure functions.
class TcpTableCodec
{
public:
    /// Postfix disconnects and retries (ten times, one second apart) on a longer reply line.
    static constexpr qsizetype MaxReplySize = 4096;

    /// Takes one line (without its newline; a trailing CR is dropped) from the front of buffer.
    static Frame takeLine(QByteArray &buffer, qsizetype maxLineSize);

    struct Request
    {
        QByteArray key; ///< decoded bytes, usually UTF-8
    };
    /// Parses "get %-encoded-key". Returns nullopt and sets error for anything else.
    static std::optional<Request> parseRequest(const QByteArray &line, QString *error);

    /// Decodes %XX sequences (either hex case); '+' stays '+'. Returns nullopt for a malformed sequence.
    static std::optional<QByteArray> decode(QByteArrayView encoded);
    /// Encodes '%', whitespace, control bytes and bytes >= 0x80 as %XX, as Postfix does.
    static QByteArray encode(QByteArrayView raw);

    /// "CODE encoded-text\n". Codes: 200 found, 500 not found, 400 temporary error.
    static QByteArray reply(int code, QByteArrayView text);
    static QByteArray requestLine(QByteArrayView key);

    struct Reply
    {
        int code = 0;
        QByteArray text; ///< decoded
    };
    /// Parses a reply line (without its newline), for clients and tests.
    static std::optional<Reply> parseReply(const QByteArray &line, QString *error);
};

} // namespace prc
