// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "listen/listener.h"

#include <QElapsedTimer>

class QSocketNotifier;

namespace prc {

/// A Unix stream socket listener. It makes the socket file itself (QLocalServer cannot set a group, replace a
/// stale file only, or leave a passed socket's file alone): a file with nobody listening behind it is
/// replaced, a live one is left alone and reported; the file it made is removed when it closes.
class LocalListener : public Listener
{
    Q_OBJECT

public:
    explicit LocalListener(QObject *parent = nullptr);
    ~LocalListener() override;

    /// Binds `path` with permission bits `mode` and group `group` (empty: the process's group).
    bool listen(const QString &path, int mode, const QString &group, QString *error);
    /// Takes a listening socket (from systemd); its file belongs to whoever made it and is left in place.
    bool adopt(int descriptor, QString *error);
    /// Applies a new mode and group to the file this listener made (a reload); nothing for a passed socket.
    bool setPermissions(int mode, const QString &group, QString *error);

    bool isListening() const override { return m_fd >= 0; }
    void close() override;
    QString address() const override { return QStringLiteral("unix:") + m_path; }

private:
    void acceptPending();
    void startNotifier();

    int m_fd = -1;
    QString m_path;
    bool m_ownsFile = false;
    quint64 m_device = 0; ///< identity of the file made here, so close() never removes a successor's
    quint64 m_inode = 0;
    QSocketNotifier *m_notifier = nullptr;
    QElapsedTimer m_lastAcceptError;
};

} // namespace prc
