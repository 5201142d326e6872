// SPDX-License-Identifier: GPL-3.0-or-later
#include "rawbackend.h"

#include <QTcpServer>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace prc::test {
namespace {

// Keep this much queued in the socket while streaming: enough to saturate loopback, bounded in memory.
constexpr qint64 StreamBacklog = 256 * 1024;

qsizetype contentLength(const QByteArray &head)
{
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            return line.mid(15).trimmed().toLongLong();
    }
    return 0;
}

} // namespace

RawBackend::RawBackend(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    m_handler = [](const QByteArray &) {
        return Script{"HTTP/1.1 204 No Content\r\n\r\n", End::Close, {}};
    };
    connect(m_server, &QTcpServer::newConnection, this, &RawBackend::onNewConnection);
}

RawBackend::~RawBackend() = default;

bool RawBackend::listen()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

quint16 RawBackend::port() const
{
    return m_server->serverPort();
}

QUrl RawBackend::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

void RawBackend::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void RawBackend::onReadyRead(QTcpSocket *socket)
{
    QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0 || buffer.size() < headEnd + 4 + contentLength(buffer.left(headEnd))) {
        socket->setProperty("buffer", buffer);
        return;
    }
    socket->setProperty("buffer", QByteArray());
    ++m_requests;
    const Script script = m_handler(buffer.left(headEnd + 4));
    socket->write(script.bytes);
    switch (script.end) {
    case End::Close:
        socket->disconnectFromHost();
        break;
    case End::Reset: {
        // The bytes leave first; then SO_LINGER 0 turns close() into an RST.
        while (socket->bytesToWrite() > 0 && socket->waitForBytesWritten(1000)) {
        }
#ifdef Q_OS_UNIX
        const linger reset{1, 0};
        ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
#endif
        socket->abort();
        break;
    }
    case End::KeepOpen:
        break;
    case End::Stream: {
        const QByteArray repeat = script.repeat;
        connect(socket, &QTcpSocket::bytesWritten, this, [this, socket, repeat] { feed(socket, repeat); });
        connect(socket, &QTcpSocket::disconnected, this, [this] { ++m_streamsEnded; });
        feed(socket, repeat);
        break;
    }
    }
}

void RawBackend::feed(QTcpSocket *socket, const QByteArray &repeat)
{
    while (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() < StreamBacklog) {
        socket->write(repeat);
        m_streamed += repeat.size();
    }
}

} // namespace prc::test
