// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace prc {

/// Replaces a config file atomically (QSaveFile): readers see the old file or the new one, never half of
/// either. An existing file keeps its permissions and, where the platform has them, its owner and group: a
/// config saved by root must stay readable for the service's own group. A new file is readable by owner and
/// group only, because it may hold auth tokens.
class ConfigFileWriter
{
public:
    static bool write(const QString &path, const QByteArray &content, QString *error);
};

} // namespace prc
