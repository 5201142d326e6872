// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

namespace prc {

class Connection;

/// A listening socket, TCP or Unix, bound here or passed in by systemd. Hands out every accepted stream as a
/// Connection the receiver owns from then on.
class Listener : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual bool isListening() const = 0;
    /// Stops accepting; a socket file made here is removed.
    virtual void close() = 0;
    /// "127.0.0.1:9001" or "unix:/run/prc/policy", for logs.
    virtual QString address() const = 0;
    /// The bound TCP port; 0 for a Unix socket.
    virtual quint16 port() const { return 0; }

Q_SIGNALS:
    /// A new connection, without parent: the receiver takes it (or aborts it and calls deleteLater()).
    void accepted(prc::Connection *connection);
};

} // namespace prc
