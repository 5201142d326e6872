// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace prc {

/// What a framer found at the front of a receive buffer.
struct Frame
{
    enum class Status {
        Incomplete, ///< need more bytes; nothing was consumed
        Complete,   ///< payload holds one request; its bytes were removed from the buffer
        Invalid,    ///< the stream cannot be resynchronised; error says why; reply and close
    };

    Status status = Status::Incomplete;
    QByteArray payload;
    QString error;

    static Frame incomplete() { return {}; }
    static Frame complete(QByteArray payload) { return {Status::Complete, std::move(payload), {}}; }
    static Frame invalid(QString error) { return {Status::Invalid, {}, std::move(error)}; }
};

} // namespace prc
