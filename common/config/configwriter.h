// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace prc {

/// Writes configuration files. The editor keeps the file as a QJsonObject, so keys this version does not know
/// survive a save. The output is what QJsonDocument::Indented produces: four-space indentation and the keys
/// of every object in Qt's order (sorted by code unit). A file last written by this class is therefore
/// written back byte for byte when nothing changed; a hand-written file gets its keys sorted on the first
/// save.
class ConfigWriter
{
public:
    static QByteArray toJson(const QJsonObject &root);

    /// Replaces path atomically (QSaveFile): readers see the old file or the new one, never half of either.
    /// An existing file keeps its permissions; a new one is created readable by owner and group only,
    /// because it may hold auth tokens.
    static bool write(const QString &path, const QJsonObject &root, QString *error);
};

} // namespace prc
