// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace prc {

/// Listening sockets handed over by systemd (socket activation: LISTEN_FDS, LISTEN_FDNAMES). They are taken
/// once at start and stay open for the life of the process; each endpoint listens on a duplicate, so an
/// endpoint closed by a reload leaves the socket to the next one. Empty without libsystemd or without
/// LISTEN_FDS.
class PassedSockets
{
public:
    struct Socket
    {
        int descriptor = -1;
        QString name;    ///< FileDescriptorName= (systemd's default: the socket unit's name)
        QString address; ///< "127.0.0.1:9001", "[::1]:9001" or "unix:/run/prc/policy"
        QString host;    ///< TCP
        quint16 port = 0;
        QString path; ///< Unix
    };

    PassedSockets() = default;
    /// Takes the sockets systemd passed to this process and clears LISTEN_* from the environment.
    static PassedSockets fromEnvironment();
    /// The given descriptors (tests); names as in LISTEN_FDNAMES.
    static PassedSockets fromDescriptors(const QList<int> &descriptors, const QStringList &names);

    bool isEmpty() const { return m_sockets.isEmpty(); }
    const QList<Socket> &sockets() const { return m_sockets; }

    /// The socket for this endpoint: the one named like it, else the one with its address and port or path.
    /// Null when none is.
    const Socket *find(const EndpointConfig &endpoint) const;
    /// A duplicate of the socket for this endpoint, which the caller owns; -1 when none or on failure.
    int duplicateFor(const EndpointConfig &endpoint) const;
    /// One message per passed socket no endpoint matches ("passed socket "x" (unix:/a) matches no endpoint").
    QStringList unmatched(const QList<EndpointConfig> &endpoints) const;

private:
    QList<Socket> m_sockets;
};

} // namespace prc
