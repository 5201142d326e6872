// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QUrl>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace prc::test {

/// An HTTP backend that answers with exact bytes, for what a well-behaved server never sends: bodies cut
/// short, broken chunking, interim responses, huge headers, streams without end. It reads one request head
/// (and its Content-Length body), then writes the script's bytes and ends the connection as told.
class RawBackend : public QObject
{
    Q_OBJECT

public:
    enum class End {
        Close,    ///< FIN after the bytes
        Reset,    ///< RST after the bytes
        KeepOpen, ///< say nothing more, keep the connection
        Stream,   ///< then write `repeat` again and again, as fast as the peer reads, until it goes away
    };

    struct Script
    {
        QByteArray bytes;
        End end = End::Close;
        QByteArray repeat;
    };

    /// Chooses the answer from the raw request head.
    using Handler = std::function<Script(const QByteArray &request)>;

    explicit RawBackend(QObject *parent = nullptr);
    ~RawBackend() override;

    bool listen();
    quint16 port() const;
    QUrl url(const QString &path = QStringLiteral("/lookup")) const;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    void setScript(const Script &script)
    {
        m_handler = [script](const QByteArray &) {
            return script;
        };
    }

    int requests() const { return m_requests; }
    /// Bytes written by Stream scripts so far, over all connections.
    qint64 streamed() const { return m_streamed; }
    /// Stream connections the peer has closed.
    int streamsEnded() const { return m_streamsEnded; }

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void feed(QTcpSocket *socket, const QByteArray &repeat);

    QTcpServer *m_server;
    Handler m_handler;
    int m_requests = 0;
    qint64 m_streamed = 0;
    int m_streamsEnded = 0;
};

} // namespace prc::test
