// SPDX-License-Identifier: GPL-3.0-or-later
#include "configwriter.h"

#include "logging.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace prc {

QByteArray ConfigWriter::toJson(const QJsonObject &root)
{
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool ConfigWriter::write(const QString &path, const QJsonObject &root, QString *error)
{
    const bool existed = QFileInfo::exists(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray json = toJson(root);
    if (file.write(json) != json.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        file.cancelWriting();
        return false;
    }
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
    if (!file.commit()) {
        *error = QStringLiteral("cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    qCInfo(lcConfig) << "wrote" << path << json.size() << "bytes";
    return true;
}

} // namespace prc
