// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>

#include <deque>
#include <memory>

class QIODevice;
class QTimer;

namespace prc {

class Connection;
class EndpointContext;
struct BackendResult;

/// One Postfix connection, over TCP or a Unix socket alike. Owns its connection, frames requests, runs their
/// backend calls concurrently and answers strictly in arrival order. Memory is bounded: the receive buffer by
/// max-request-size, the queue by max-in-flight, unsent replies by a write backlog limit (beyond which it
/// stops reading the socket).
class Session : public QObject
{
    Q_OBJECT

public:
    Session(Connection *connection, std::shared_ptr<const EndpointContext> context,
            QObject *parent = nullptr);
    ~Session() override;

    /// Stop taking new requests; close once every request already taken is answered.
    void drain();

    int inFlight() const { return int(m_queue.size()); }

    /// Replies not yet sent before the session stops reading the socket.
    static constexpr qint64 MaxWriteBacklog = 1024 * 1024;

Q_SIGNALS:
    /// The connection is gone. The owner removes the session and calls deleteLater().
    void closed();

private:
    struct Pending
    {
        QByteArray reply;
        bool ready = false;
        bool closeAfter = false;
    };

    void processBuffer();
    void accept(const QByteArray &frame);
    /// A place in the reply order for the request just taken; returns its sequence number.
    quint64 reserveReply();
    void complete(quint64 sequence, QByteArray reply, bool closeAfter);
    void flush();
    void closeAfterFlush(const char *why);
    void restartIdleTimer();
    void onIdleTimer();
    void onDisconnected();
    bool paused() const;
    /// More input is at hand than the requests taken so far (in our buffer or the socket's).
    bool hasBufferedInput() const;

    Connection *m_connection;
    QIODevice *m_socket; ///< the connection's stream
    std::shared_ptr<const EndpointContext> m_context;
    QTimer *m_idleTimer;
    QElapsedTimer m_activity; ///< the clock of m_lastActivityMs
    qint64 m_lastActivityMs = 0;
    QByteArray m_buffer;
    QByteArray m_peer;
    std::deque<Pending> m_queue;
    quint64 m_headSequence = 0;
    bool m_stopReading = false; ///< after a closing reply or drain()
    bool m_closed = false;
    bool m_sending = false; ///< inside sendQueued(): its bytesWritten() must not start reading again
};

} // namespace prc
