// SPDX-License-Identifier: GPL-3.0-or-later
#include "configerror.h"

namespace prc {

QString ConfigError::toString() const
{
    QString text = file.isEmpty() ? QStringLiteral("<config>") : file;
    if (!path.isEmpty())
        text += QStringLiteral(": ") + path;
    return text + QStringLiteral(": ") + message;
}

} // namespace prc
