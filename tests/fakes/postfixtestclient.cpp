// SPDX-License-Identifier: GPL-3.0-or-later
#include "postfixtestclient.h"

#include "protocol/netstring.h"
#include "protocol/policycodec.h"
#include "protocol/tcptablecodec.h"

#include <QHostAddress>

namespace prc::test {

PostfixTestClient::PostfixTestClient(Framing framing, QObject *parent)
    : QObject(parent)
    , m_framing(framing)
{
    connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
        const QByteArray bytes = m_socket.readAll();
        m_received += bytes;
        m_pending += bytes;
    });
    connect(&m_socket, &QTcpSocket::disconnected, this, [this] { m_closed = true; });
}

void PostfixTestClient::connectTo(quint16 port)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
}

QList<QByteArray> PostfixTestClient::replies()
{
    for (;;) {
        Frame frame;
        switch (m_framing) {
        case Framing::Line:
            frame = TcpTableCodec::takeLine(m_pending, 1 << 20);
            break;
        case Framing::Netstring:
            frame = Netstring::take(m_pending, 1 << 20);
            break;
        case Framing::Policy:
            frame = PolicyCodec::takeRequest(m_pending, 1 << 20);
            break;
        }
        if (frame.status != Frame::Status::Complete)
            break;
        if (m_framing == Framing::Line) {
            // Compare tcp_table replies decoded: "400 id - reason" rather than "400 id%20-%20reason".
            QString error;
            const auto reply = TcpTableCodec::parseReply(frame.payload, &error);
            m_replies.append(reply ? QByteArray::number(reply->code) + ' ' + reply->text : frame.payload);
            continue;
        }
        m_replies.append(frame.payload);
    }
    return m_replies;
}

} // namespace prc::test
