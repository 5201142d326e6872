// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/frame.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

#include <optional>

namespace prc {

/// SMTPD policy delegation: "name=value" lines ended by an empty line; replies "action=ACTION\n\n".
class PolicyCodec
{
public:
    using Attribute = QPair<QByteArray, QByteArray>;
    using Attributes = QList<Attribute>;

    /// Postfix's default limit for one reply line.
    static constexpr qsizetype MaxActionSize = 8000;

    /// Takes one request (its attribute lines, without the final line break and the empty line) from the
    /// front of buffer.
    static Frame takeRequest(QByteArray &buffer, qsizetype maxRequestSize);

    /// Splits the lines at their first '='. Keeps order and unknown names; a line without '=' is an error.
    static std::optional<Attributes> parseAttributes(const QByteArray &payload, QString *error);
    static QByteArray request(const Attributes &attributes); ///< framed, for clients

    /// application/x-www-form-urlencoded body of the attributes, in their order.
    static QByteArray formEncode(const Attributes &attributes);

    /// Sanitises a backend answer into one action line: first line only, trimmed. Empty if nothing is left.
    static QByteArray firstLine(QByteArrayView body);

    /// "action=ACTION\n\n". The action must be one non-empty line.
    static QByteArray reply(QByteArrayView action);

    /// Parses a reply (without the terminating empty line) into its action, for clients and tests.
    static std::optional<QByteArray> parseReply(const QByteArray &payload, QString *error);
};

} // namespace prc
