// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace prc::test {

/// A real HTTP/1.1 server on 127.0.0.1 for tests, with scriptable answers and faults (delays, dropped
/// connections, bodies that trickle or never end). Records every request it receives.
class FakeBackend : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QByteArray rawQuery;
        QUrlQuery query;
        QHash<QByteArray, QByteArray> headers; ///< lower-case names
        QByteArray body;

        QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
    };

    struct Response
    {
        enum class Fault {
            None,
            CloseWithoutResponse, ///< read the request, then close the connection
            Trickle,              ///< promise a large body and send one byte every 50 ms, forever
            NeverAnswer,          ///< read the request and stay silent
            CloseAfterResponse,   ///< answer, then close the keep-alive connection
        };

        int status = 200;
        QByteArray body;
        QByteArray contentType = QByteArrayLiteral("application/json");
        QList<QPair<QByteArray, QByteArray>> headers;
        int delayMs = 0;
        Fault fault = Fault::None;

        static Response withBody(QByteArray body, int status = 200)
        {
            Response response;
            response.status = status;
            response.body = std::move(body);
            return response;
        }
    };

    using Handler = std::function<Response(const Request &)>;

    explicit FakeBackend(QObject *parent = nullptr);
    ~FakeBackend() override;

    /// Listens on 127.0.0.1 on a free port, or on the given one (to play a restarted backend).
    bool listen(quint16 port = 0);
    void close();
    quint16 port() const;
    QUrl url(const QString &path) const;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    /// Shortcut: answer every request with the same response.
    void respond(const Response &response);

    const QList<Request> &requests() const { return m_requests; }
    int connectionsAccepted() const { return m_accepted; }

    /// A port on 127.0.0.1 where nothing listens, and nothing will while the test runs (for "backend down").
    static quint16 unusedPort();

Q_SIGNALS:
    void requestReceived();

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void send(QTcpSocket *socket, const Response &response);

    QTcpServer *m_server;
    Handler m_handler;
    QList<Request> m_requests;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_accepted = 0;
};

} // namespace prc::test
