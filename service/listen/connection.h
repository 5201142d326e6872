// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>

class QIODevice;
class QLocalSocket;
class QTcpSocket;

namespace prc {

/// One accepted stream, TCP or Unix: the only place that knows which. Owns its socket (a child).
class Connection : public QObject
{
    Q_OBJECT

public:
    explicit Connection(QTcpSocket *socket, QObject *parent = nullptr);
    explicit Connection(QLocalSocket *socket, QObject *parent = nullptr);
    ~Connection() override;

    /// Read and write the stream here; readyRead() and bytesWritten() come from it.
    QIODevice *device() const { return m_device; }
    /// "192.0.2.1:40312", or for a Unix socket "unix:pid=PID,uid=UID" (the peer's credentials), for logs.
    const QByteArray &peer() const { return m_peer; }
    /// Qt stops reading from the kernel beyond this; the kernel's flow control does the rest.
    void setReadBufferSize(qint64 size);
    /// Hands what is queued to the kernel now, instead of on the next pass of the event loop (a reply is
    /// complete when it is written: waiting only costs a wake-up). bytesWritten() may be emitted from here.
    void sendQueued();
    /// Sends what is queued, then closes; disconnected() follows.
    void closeGracefully();
    /// Drops the connection at once; disconnected() follows if it was open.
    void abort();

Q_SIGNALS:
    void disconnected();

private:
    QIODevice *m_device;
    QTcpSocket *m_tcp = nullptr;
    QLocalSocket *m_local = nullptr;
    QByteArray m_peer;
};

} // namespace prc
