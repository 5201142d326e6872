// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/tcplistener.h"

#include "listen/connection.h"
#include "listen/endpointserver.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace prc {

TcpListener::TcpListener(QObject *parent)
    : Listener(parent)
    , m_server(new QTcpServer(this))
{
    // Every Postfix process opens its own connection, and they all reconnect at once after a restart: a deep
    // kernel backlog (Qt's default is 50) keeps a burst of connects from waiting for SYN retransmissions.
    // Qt's own pending queue is drained as soon as the event loop runs.
    m_server->setListenBacklogSize(1024);
    m_server->setMaxPendingConnections(128);
    connect(m_server, &QTcpServer::newConnection, this, &TcpListener::acceptPending);
}

bool TcpListener::listen(const QString &host, quint16 port, QString *error)
{
    if (m_server->listen(bindAddressFor(host), port))
        return true;
    *error = QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(port).arg(m_server->errorString());
    return false;
}

bool TcpListener::adopt(int descriptor, QString *error)
{
    if (m_server->setSocketDescriptor(descriptor))
        return true;
    *error =
        QStringLiteral("cannot use the passed socket %1: %2").arg(descriptor).arg(m_server->errorString());
    return false;
}

bool TcpListener::isListening() const
{
    return m_server->isListening();
}

void TcpListener::close()
{
    m_server->close();
}

QString TcpListener::address() const
{
    const QHostAddress host = m_server->serverAddress();
    if (host.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(host.toString()).arg(m_server->serverPort());
    return QStringLiteral("%1:%2").arg(host.toString()).arg(m_server->serverPort());
}

quint16 TcpListener::port() const
{
    return m_server->serverPort();
}

void TcpListener::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection())
        Q_EMIT accepted(new Connection(socket));
}

} // namespace prc
