// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/configerror.h"

#include <QStringList>

namespace prc::test {

/// Loader problems as "path: message" lines, the way the tests compare them (the file name left out).
inline QStringList render(const ConfigErrors &errors)
{
    QStringList out;
    for (const ConfigError &error : errors)
        out << error.path + QStringLiteral(": ") + error.message;
    return out;
}

} // namespace prc::test
