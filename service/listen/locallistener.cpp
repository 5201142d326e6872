// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/locallistener.h"

#include "listen/connection.h"
#include "servicelogging.h"

#include <QLocalSocket>
#include <QSocketNotifier>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace prc {

#ifdef Q_OS_UNIX
namespace {

constexpr int Backlog = 1024;

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

bool socketAddress(const QString &path, sockaddr_un *address, QString *error)
{
    const QByteArray encoded = path.toLocal8Bit();
    if (encoded.size() >= int(sizeof(address->sun_path))) {
        *error = QStringLiteral("%1: the path is longer than %2 bytes")
                     .arg(path)
                     .arg(sizeof(address->sun_path) - 1);
        return false;
    }
    std::memset(address, 0, sizeof(*address));
    address->sun_family = AF_UNIX;
    std::memcpy(address->sun_path, encoded.constData(), size_t(encoded.size()));
    return true;
}

/// The group id for a name (or a number); -1 with an error when there is no such group.
gid_t groupId(const QString &groupName, QString *error)
{
    if (groupName.isEmpty())
        return gid_t(-1);
    const QByteArray name = groupName.toLocal8Bit();
    if (const struct group *entry = ::getgrnam(name.constData()))
        return entry->gr_gid;
    bool number = false;
    const uint id = groupName.toUInt(&number);
    if (number)
        return gid_t(id);
    *error = QStringLiteral("socket-group \"%1\": no such group").arg(groupName);
    return gid_t(-1);
}

/// Whether something accepts connections at path: a live server is left alone, a stale file replaced.
enum class Probe { Absent, Stale, Live, NotASocket, Failed };

Probe probe(const QString &path, const sockaddr_un &address, QString *error)
{
    struct stat info
    {
    };
    if (::lstat(address.sun_path, &info) != 0) {
        if (errno == ENOENT)
            return Probe::Absent;
        *error = QStringLiteral("%1: %2").arg(path, systemError(errno));
        return Probe::Failed;
    }
    if (!S_ISSOCK(info.st_mode))
        return Probe::NotASocket;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QStringLiteral("%1: %2").arg(path, systemError(errno));
        return Probe::Failed;
    }
    const int result = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address));
    const int connectError = errno;
    ::close(fd);
    if (result == 0 || connectError == EAGAIN) // EAGAIN: alive, its backlog is full
        return Probe::Live;
    if (connectError == ECONNREFUSED || connectError == ENOENT)
        return Probe::Stale;
    *error = QStringLiteral("%1: %2").arg(path, systemError(connectError));
    return Probe::Failed;
}

} // namespace
#endif

LocalListener::LocalListener(QObject *parent)
    : Listener(parent)
{
}

LocalListener::~LocalListener()
{
    close();
}

bool LocalListener::listen(const QString &path, int mode, const QString &group, QString *error)
{
#ifdef Q_OS_UNIX
    m_path = path;
    sockaddr_un address{};
    QString problem;
    if (!socketAddress(path, &address, &problem)) {
        *error = QStringLiteral("cannot listen on %1").arg(problem);
        return false;
    }
    const gid_t gid = groupId(group, &problem);
    if (!problem.isEmpty()) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, problem);
        return false;
    }

    switch (probe(path, address, &problem)) {
    case Probe::Absent:
        break;
    case Probe::Stale:
        // Left behind by a process that is gone (a crash, a kill -9): nobody can be using it.
        if (::unlink(address.sun_path) != 0 && errno != ENOENT) {
            *error = QStringLiteral("cannot replace the stale socket %1: %2").arg(path, systemError(errno));
            return false;
        }
        qCInfo(lcEndpoint).noquote() << "replaced the stale socket" << path;
        break;
    case Probe::Live:
        *error = QStringLiteral("cannot listen on %1: another process is listening there").arg(path);
        return false;
    case Probe::NotASocket:
        *error = QStringLiteral("cannot listen on %1: the file exists and is not a socket").arg(path);
        return false;
    case Probe::Failed:
        *error = QStringLiteral("cannot listen on %1").arg(problem);
        return false;
    }

    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, systemError(errno));
        return false;
    }
    // The file is made with the umask applied: start closed to everyone but the owner, then open up to the
    // configured mode, so no other user can connect in between.
    const mode_t oldMask = ::umask(0177);
    const int bound = ::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address));
    const int bindError = errno;
    ::umask(oldMask);
    if (bound != 0) {
        ::close(fd);
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, systemError(bindError));
        return false;
    }
    struct stat info
    {
    };
    ::stat(address.sun_path, &info);
    m_device = quint64(info.st_dev);
    m_inode = quint64(info.st_ino);
    m_ownsFile = true;
    m_fd = fd;
    if (gid != gid_t(-1) && ::chown(address.sun_path, uid_t(-1), gid) != 0) {
        *error = QStringLiteral("cannot listen on %1: cannot give it to group %2: %3")
                     .arg(path, group, systemError(errno));
        close();
        return false;
    }
    if (::chmod(address.sun_path, mode_t(mode)) != 0 || ::listen(fd, Backlog) != 0) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, systemError(errno));
        close();
        return false;
    }
    startNotifier();
    return true;
#else
    Q_UNUSED(mode);
    Q_UNUSED(group);
    *error = QStringLiteral("cannot listen on %1: Unix sockets are not supported on this platform").arg(path);
    return false;
#endif
}

bool LocalListener::adopt(int descriptor, QString *error)
{
#ifdef Q_OS_UNIX
    sockaddr_un address{};
    socklen_t size = sizeof(address);
    if (::getsockname(descriptor, reinterpret_cast<sockaddr *>(&address), &size) != 0
        || address.sun_family != AF_UNIX) {
        *error = QStringLiteral("the passed socket %1 is not a Unix socket").arg(descriptor);
        return false;
    }
    const int flags = ::fcntl(descriptor, F_GETFL);
    ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
    ::fcntl(descriptor, F_SETFD, FD_CLOEXEC);
    m_path = QString::fromLocal8Bit(address.sun_path);
    m_ownsFile = false;
    m_fd = descriptor;
    startNotifier();
    return true;
#else
    Q_UNUSED(descriptor);
    *error = QStringLiteral("Unix sockets are not supported on this platform");
    return false;
#endif
}

bool LocalListener::setPermissions(int mode, const QString &group, QString *error)
{
#ifdef Q_OS_UNIX
    if (!m_ownsFile)
        return true;
    QString problem;
    const gid_t gid = groupId(group, &problem);
    const QByteArray path = m_path.toLocal8Bit();
    if (problem.isEmpty() && gid != gid_t(-1) && ::chown(path.constData(), uid_t(-1), gid) != 0)
        problem = QStringLiteral("cannot give it to group %1: %2").arg(group, systemError(errno));
    if (problem.isEmpty() && ::chmod(path.constData(), mode_t(mode)) != 0)
        problem = systemError(errno);
    if (!problem.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(m_path, problem);
        return false;
    }
    return true;
#else
    Q_UNUSED(mode);
    Q_UNUSED(group);
    Q_UNUSED(error);
    return false;
#endif
}

void LocalListener::close()
{
#ifdef Q_OS_UNIX
    if (m_fd < 0)
        return;
    if (m_notifier) {
        m_notifier->setEnabled(false);
        m_notifier->deleteLater();
        m_notifier = nullptr;
    }
    ::close(m_fd);
    m_fd = -1;
    if (m_ownsFile) {
        // Only the file made here: after a restart next to this process, the path may be a successor's.
        const QByteArray path = m_path.toLocal8Bit();
        struct stat info
        {
        };
        if (::lstat(path.constData(), &info) == 0 && quint64(info.st_dev) == m_device
            && quint64(info.st_ino) == m_inode)
            ::unlink(path.constData());
        m_ownsFile = false;
    }
#endif
}

void LocalListener::startNotifier()
{
    m_notifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LocalListener::acceptPending);
}

void LocalListener::acceptPending()
{
#ifdef Q_OS_UNIX
    // At most a batch per wake-up, like QTcpServer's pending queue, so one busy listener cannot starve the
    // rest.
    for (int i = 0; i < 128 && m_fd >= 0; ++i) {
        const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // The connection stays in the backlog; pause instead of spinning on a readable socket.
                if (!m_lastAcceptError.isValid() || m_lastAcceptError.elapsed() > 10000) {
                    qCWarning(lcEndpoint).noquote() << address() << "cannot accept:" << systemError(errno);
                    m_lastAcceptError.start();
                }
                m_notifier->setEnabled(false);
                QTimer::singleShot(100, m_notifier, [notifier = m_notifier] { notifier->setEnabled(true); });
            }
            return;
        }
        auto *socket = new QLocalSocket;
        if (!socket->setSocketDescriptor(fd, QLocalSocket::ConnectedState, QIODevice::ReadWrite)) {
            ::close(fd);
            delete socket;
            continue;
        }
        Q_EMIT accepted(new Connection(socket));
    }
#endif
}

} // namespace prc
