// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/passedsockets.h"

#include "listen/endpointserver.h"

#include <QHostAddress>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif
#ifdef PRC_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <cstdlib>

namespace prc {
namespace {

PassedSockets::Socket describe(int descriptor, const QString &name)
{
    PassedSockets::Socket socket;
    socket.descriptor = descriptor;
    socket.name = name;
#ifdef Q_OS_UNIX
    sockaddr_storage storage{};
    socklen_t size = sizeof(storage);
    if (::getsockname(descriptor, reinterpret_cast<sockaddr *>(&storage), &size) != 0) {
        socket.address = QStringLiteral("fd %1").arg(descriptor);
        return socket;
    }
    if (storage.ss_family == AF_UNIX) {
        const auto *address = reinterpret_cast<const sockaddr_un *>(&storage);
        socket.path = QString::fromLocal8Bit(address->sun_path);
        socket.address = QStringLiteral("unix:") + socket.path;
    } else if (storage.ss_family == AF_INET || storage.ss_family == AF_INET6) {
        const QHostAddress host(reinterpret_cast<const sockaddr *>(&storage));
        socket.host = host.toString();
        socket.port = storage.ss_family == AF_INET
                          ? ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port)
                          : ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
        socket.address = storage.ss_family == AF_INET6
                             ? QStringLiteral("[%1]:%2").arg(socket.host).arg(socket.port)
                             : QStringLiteral("%1:%2").arg(socket.host).arg(socket.port);
    } else {
        socket.address = QStringLiteral("fd %1").arg(descriptor);
    }
#endif
    return socket;
}

bool sameAddress(const PassedSockets::Socket &socket, const EndpointConfig &endpoint)
{
    if (!endpoint.bindPath.isEmpty())
        return socket.path == endpoint.bindPath;
    return socket.path.isEmpty() && socket.port == endpoint.bindPort
           && QHostAddress(socket.host)
                  .isEqual(bindAddressFor(endpoint.bindAddress), QHostAddress::TolerantConversion);
}

} // namespace

PassedSockets PassedSockets::fromEnvironment()
{
    PassedSockets passed;
#ifdef PRC_HAVE_LIBSYSTEMD
    char **names = nullptr;
    const int count = sd_listen_fds_with_names(/*unset_environment=*/1, &names);
    for (int i = 0; i < count; ++i) {
        const int descriptor = SD_LISTEN_FDS_START + i;
        ::fcntl(descriptor, F_SETFD, FD_CLOEXEC);
        const QString name = names && names[i] ? QString::fromUtf8(names[i]) : QString();
        passed.m_sockets.append(describe(descriptor, name));
    }
    if (names) {
        for (int i = 0; i < count; ++i)
            std::free(names[i]);
        std::free(names);
    }
#endif
    return passed;
}

PassedSockets PassedSockets::fromDescriptors(const QList<int> &descriptors, const QStringList &names)
{
    PassedSockets passed;
    for (int i = 0; i < descriptors.size(); ++i)
        passed.m_sockets.append(describe(descriptors.at(i), names.value(i)));
    return passed;
}

const PassedSockets::Socket *PassedSockets::find(const EndpointConfig &endpoint) const
{
    for (const Socket &socket : m_sockets) {
        if (!socket.name.isEmpty() && socket.name == endpoint.name)
            return &socket;
    }
    for (const Socket &socket : m_sockets) {
        if (sameAddress(socket, endpoint))
            return &socket;
    }
    return nullptr;
}

int PassedSockets::duplicateFor(const EndpointConfig &endpoint) const
{
    const Socket *socket = find(endpoint);
    if (!socket)
        return -1;
#ifdef Q_OS_UNIX
    return ::fcntl(socket->descriptor, F_DUPFD_CLOEXEC, 3);
#else
    return -1;
#endif
}

QStringList PassedSockets::unmatched(const QList<EndpointConfig> &endpoints) const
{
    QStringList problems;
    for (const Socket &socket : m_sockets) {
        bool used = false;
        for (const EndpointConfig &endpoint : endpoints)
            used = used || find(endpoint) == &socket;
        if (!used) {
            problems.append(
                QStringLiteral("the socket passed by systemd \"%1\" (%2) matches no endpoint: name an "
                               "endpoint after its FileDescriptorName= or give it the same address")
                    .arg(socket.name, socket.address));
        }
    }
    return problems;
}

} // namespace prc
