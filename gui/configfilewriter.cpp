// SPDX-License-Identifier: GPL-3.0-or-later
#include "configfilewriter.h"

#include "adminlogging.h"

#include <QFileInfo>
#include <QSaveFile>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace prc {

bool ConfigFileWriter::write(const QString &path, const QByteArray &content, QString *error)
{
    const bool existed = QFileInfo::exists(path);
#ifdef Q_OS_UNIX
    struct stat original = {};
    const bool haveOwner = existed && ::stat(QFile::encodeName(path).constData(), &original) == 0;
#endif
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(content) != content.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        file.cancelWriting();
        return false;
    }
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
#ifdef Q_OS_UNIX
    // QSaveFile keeps the mode but the temporary file belongs to whoever saves: root:root for a file that
    // was root:postfix-rest-connector 0640, which the service could then no longer read.
    if (haveOwner && (original.st_uid != ::geteuid() || original.st_gid != ::getegid())
        && ::fchown(file.handle(), original.st_uid, original.st_gid) != 0) {
        // Only root may give a file away; anyone else can at least keep the group if they are in it.
        if (::fchown(file.handle(), uid_t(-1), original.st_gid) != 0) {
            *error = QStringLiteral("cannot save %1 with its group %2: %3")
                         .arg(path)
                         .arg(original.st_gid)
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
            file.cancelWriting();
            return false;
        }
        qCWarning(lcAdmin).noquote() << path << "saved with its group but owned by the saving user";
    }
#endif
    if (!file.commit()) {
        *error = QStringLiteral("cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    qCInfo(lcAdmin) << "wrote" << path << content.size() << "bytes";
    return true;
}

} // namespace prc
