// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/frame.h"

#include <QByteArray>
#include <QByteArrayView>

namespace prc {

/// Netstrings ("LEN:payload,"), the framing of socketmap_table(5).
class Netstring
{
public:
    static QByteArray encode(QByteArrayView payload);

    /// Takes one netstring from the front of buffer. A length above maxLength is rejected as soon as its
    /// digits are read, before any payload is buffered.
    static Frame take(QByteArray &buffer, qsizetype maxLength);
};

} // namespace prc
