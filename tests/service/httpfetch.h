// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

namespace prc::test {

/// One HTTP exchange with the admin listener over a real socket: the raw request goes out as given, the
/// connection is read until the server closes it (the admin listener answers with Connection: close).
struct HttpFetch
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    bool complete = false;

    static HttpFetch run(quint16 port, const QByteArray &rawRequest, int timeoutMs = 10000)
    {
        HttpFetch result;
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(timeoutMs))
            return result;
        QSignalSpy closed(&socket, &QTcpSocket::disconnected);
        socket.write(rawRequest);
        // The server lives in this thread: wait() runs the event loop until it closes the connection.
        if (socket.state() != QAbstractSocket::UnconnectedState)
            closed.wait(timeoutMs);
        const QByteArray received = socket.readAll();
        result.complete = socket.state() == QAbstractSocket::UnconnectedState;
        const qsizetype end = received.indexOf("\r\n\r\n");
        if (end < 0)
            return result;
        result.head = received.left(end);
        result.body = received.mid(end + 4);
        result.status = result.head.split(' ').value(1).toInt();
        return result;
    }

    static HttpFetch get(quint16 port, const QByteArray &target)
    {
        return run(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }

    QByteArray header(const QByteArray &name) const
    {
        const QList<QByteArray> lines = head.split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
};

} // namespace prc::test
