// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace prc {

/// Where a listener is: a TCP address and port, or the path of a Unix socket. A plain value type, compared by
/// what is bound ("localhost" and "127.0.0.1" are different spellings here; the loader compares addresses).
struct ListenAddress
{
    enum class Kind { Tcp, Unix };

    Kind kind = Kind::Tcp;
    QString host;     ///< Tcp: the configured address ("localhost" included)
    quint16 port = 0; ///< Tcp
    QString path;     ///< Unix: absolute path of the socket file

    static ListenAddress tcp(const QString &host, quint16 port) { return {Kind::Tcp, host, port, {}}; }
    static ListenAddress socketFile(const QString &path) { return {Kind::Unix, {}, 0, path}; }

    bool isUnix() const { return kind == Kind::Unix; }
    /// "127.0.0.1:9001", "[::1]:9001" or "unix:/run/prc/policy.sock", for logs and errors.
    QString toString() const
    {
        if (isUnix())
            return QStringLiteral("unix:") + path;
        if (host.contains(QLatin1Char(':')))
            return QStringLiteral("[%1]:%2").arg(host).arg(port);
        return QStringLiteral("%1:%2").arg(host).arg(port);
    }

    friend bool operator==(const ListenAddress &a, const ListenAddress &b)
    {
        return a.kind == b.kind && a.host == b.host && a.port == b.port && a.path == b.path;
    }
    friend bool operator!=(const ListenAddress &a, const ListenAddress &b) { return !(a == b); }
};

} // namespace prc
