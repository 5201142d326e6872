// SPDX-License-Identifier: GPL-3.0-or-later
#include "fakebackend.h"

#include "serviceprocess.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace prc::test {

FakeBackend::FakeBackend(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    respond({});
    connect(m_server, &QTcpServer::newConnection, this, &FakeBackend::onNewConnection);
}

FakeBackend::~FakeBackend() = default;

bool FakeBackend::listen(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

void FakeBackend::close()
{
    m_server->close();
    const auto sockets = m_buffers.keys();
    for (QTcpSocket *socket : sockets)
        socket->abort();
}

quint16 FakeBackend::port() const
{
    return m_server->serverPort();
}

QUrl FakeBackend::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

void FakeBackend::respond(const Response &response)
{
    m_handler = [response](const Request &) {
        return response;
    };
}

quint16 FakeBackend::unusedPort()
{
    // Reserved, not just free at this moment: no other server can be given it later in the test.
    return reservedPort();
}

void FakeBackend::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        ++m_accepted;
        socket->setParent(this);
        m_buffers.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void FakeBackend::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        Request request;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        const qsizetype question = target.indexOf('?');
        request.path = question < 0 ? target : target.left(question);
        request.rawQuery = question < 0 ? QByteArray() : target.mid(question + 1);
        request.query = QUrlQuery(QString::fromLatin1(request.rawQuery));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
        const qsizetype length = request.header("content-length").toLongLong();
        const qsizetype total = headerEnd + 4 + length;
        if (buffer.size() < total)
            return;
        request.body = buffer.mid(headerEnd + 4, length);
        buffer.remove(0, total);

        m_requests.append(request);
        const Response response = m_handler(request);
        Q_EMIT requestReceived();

        if (response.delayMs > 0) {
            QPointer<QTcpSocket> guard(socket);
            QTimer::singleShot(response.delayMs, this, [this, guard, response] {
                if (guard)
                    send(guard, response);
            });
        } else {
            send(socket, response);
        }
    }
}

void FakeBackend::send(QTcpSocket *socket, const Response &response)
{
    using Fault = Response::Fault;
    switch (response.fault) {
    case Fault::CloseWithoutResponse:
        socket->close();
        return;
    case Fault::NeverAnswer:
        return;
    case Fault::Trickle: {
        socket->write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n[");
        auto *timer = new QTimer(socket);
        connect(timer, &QTimer::timeout, socket, [socket] { socket->write("\"x\","); });
        timer->start(50);
        return;
    }
    case Fault::None:
    case Fault::CloseAfterResponse:
        break;
    }
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + " Test\r\n";
    head += "Content-Type: " + response.contentType + "\r\n";
    head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    for (const auto &[name, value] : response.headers)
        head += name + ": " + value + "\r\n";
    head += "\r\n";
    socket->write(head + response.body);
    if (response.fault == Fault::CloseAfterResponse)
        socket->disconnectFromHost();
}

} // namespace prc::test
