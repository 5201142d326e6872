// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "listen/listener.h"

class QTcpServer;

namespace prc {

/// A TCP listener: QTcpServer with a deep backlog.
class TcpListener : public Listener
{
    Q_OBJECT

public:
    explicit TcpListener(QObject *parent = nullptr);

    /// Binds host ("localhost" included) and port.
    bool listen(const QString &host, quint16 port, QString *error);
    /// Takes a listening socket (from systemd); the descriptor belongs to this object afterwards.
    bool adopt(int descriptor, QString *error);

    bool isListening() const override;
    void close() override;
    QString address() const override;
    quint16 port() const override;

private:
    void acceptPending();

    QTcpServer *m_server;
};

} // namespace prc
