// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpSocket>

namespace prc::test {

/// A raw Postfix-side connection for tests: writes any bytes (pipelined, fragmented, garbage) and splits what
/// comes back into replies with the real codecs. Non-blocking: poll replies() with QTRY_*.
class PostfixTestClient : public QObject
{
    Q_OBJECT

public:
    enum class Framing { Line, Netstring, Policy };

    explicit PostfixTestClient(Framing framing, QObject *parent = nullptr);

    void connectTo(quint16 port);
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool isClosed() const { return m_closed; }
    void write(const QByteArray &bytes) { m_socket.write(bytes); }
    void close() { m_socket.abort(); }

    /// Complete replies received so far, framing removed (tcp: the line without newline, text %-decoded;
    /// socketmap: the netstring payload; policy: the reply without the empty line).
    QList<QByteArray> replies();
    QByteArray raw() const { return m_received; }

    QTcpSocket &socket() { return m_socket; }

private:
    Framing m_framing;
    QTcpSocket m_socket;
    QByteArray m_received;
    QByteArray m_pending;
    QList<QByteArray> m_replies;
    bool m_closed = false;
};

} // namespace prc::test
