// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/connection.h"

#include <QLocalSocket>
#include <QTcpSocket>

#ifdef Q_OS_LINUX
#include <sys/socket.h>
#endif

namespace prc {
namespace {

QByteArray localPeer(QLocalSocket *socket)
{
#ifdef Q_OS_LINUX
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (::getsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0)
        return "unix:pid=" + QByteArray::number(credentials.pid)
               + ",uid=" + QByteArray::number(credentials.uid);
#else
    Q_UNUSED(socket);
#endif
    return QByteArrayLiteral("unix");
}

} // namespace

Connection::Connection(QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_device(socket)
    , m_tcp(socket)
{
    socket->setParent(this);
    m_peer =
        (socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort())).toUtf8();
    // Replies are small and complete: send each at once instead of waiting for Nagle's algorithm.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket, &QTcpSocket::disconnected, this, &Connection::disconnected);
}

Connection::Connection(QLocalSocket *socket, QObject *parent)
    : QObject(parent)
    , m_device(socket)
    , m_local(socket)
    , m_peer(localPeer(socket))
{
    socket->setParent(this);
    connect(socket, &QLocalSocket::disconnected, this, &Connection::disconnected);
}

Connection::~Connection() = default;

void Connection::setReadBufferSize(qint64 size)
{
    if (m_tcp)
        m_tcp->setReadBufferSize(size);
    else
        m_local->setReadBufferSize(size);
}

void Connection::sendQueued()
{
    if (m_tcp)
        m_tcp->flush();
    else
        m_local->flush();
}

void Connection::closeGracefully()
{
    if (m_tcp)
        m_tcp->disconnectFromHost();
    else
        m_local->disconnectFromServer();
}

void Connection::abort()
{
    if (m_tcp)
        m_tcp->abort();
    else
        m_local->abort();
}

} // namespace prc
