// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/session.h"

#include "backend/backend.h"
#include "listen/connection.h"
#include "listen/endpointcontext.h"
#include "metrics/endpointmetrics.h"
#include "modes/modehandler.h"
#include "servicelogging.h"

#include <QIODevice>
#include <QTimer>
#include <QUuid>

namespace prc {
namespace {

// After we decided to close, a peer that does not read its last reply gets this long.
constexpr int LingerMs = 5000;

// Room for framing around a maximal request (netstring length digits, ':' and ',').
constexpr qsizetype FramingSlack = 64;

QByteArray newRequestId()
{
    return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
}

QByteArray printable(const QByteArray &bytes)
{
    QByteArray out = bytes.left(200);
    for (char &c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    }
    return out;
}

} // namespace

Session::Session(Connection *connection, std::shared_ptr<const EndpointContext> context, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_socket(connection->device())
    , m_context(std::move(context))
    , m_idleTimer(new QTimer(connection))
{
    m_connection->setParent(this);
    m_peer = m_connection->peer();
    // Qt stops reading from the kernel once this much is buffered: the kernel's flow control does the rest.
    m_connection->setReadBufferSize(m_context->config().effectiveMaxRequestSize() + FramingSlack);

    m_idleTimer->setSingleShot(true);
    m_idleTimer->setTimerType(Qt::CoarseTimer);
    connect(m_idleTimer, &QTimer::timeout, this, &Session::onIdleTimer);
    m_activity.start();

    connect(m_socket, &QIODevice::readyRead, this, &Session::processBuffer);
    connect(m_socket, &QIODevice::bytesWritten, this, [this] {
        if (!m_sending && !paused())
            processBuffer();
    });
    connect(m_connection, &Connection::disconnected, this, &Session::onDisconnected);
    restartIdleTimer();
    qCDebug(lcSession) << m_peer << "connected to" << m_context->config().name;
}

// Backend calls in flight are children and abort when deleted. This session may hold the last reference to
// its endpoint context: then the backend client goes first and stops their transfers itself.
Session::~Session() = default;

void Session::drain()
{
    if (m_closed)
        return;
    m_stopReading = true;
    if (m_queue.empty())
        closeAfterFlush("draining");
}

bool Session::hasBufferedInput() const
{
    return !m_buffer.isEmpty() || m_socket->bytesAvailable() > 0;
}

bool Session::paused() const
{
    return m_stopReading || int(m_queue.size()) >= m_context->config().maxInFlight
           || m_socket->bytesToWrite() > MaxWriteBacklog;
}

void Session::processBuffer()
{
    const qsizetype limit = m_context->config().effectiveMaxRequestSize() + FramingSlack;
    while (!m_closed && !paused()) {
        // Read no more than one request can be, plus what is already buffered: bounded whatever the peer
        // sends. And only what is there: QIODevice::read(n) allocates n bytes up front, and an idle
        // connection would keep that capacity.
        if (m_buffer.size() < limit && m_socket->bytesAvailable() > 0)
            m_buffer += m_socket->read(std::min<qint64>(m_socket->bytesAvailable(), limit - m_buffer.size()));

        Frame frame = m_context->handler().takeRequest(m_buffer);
        if (frame.status == Frame::Status::Incomplete) {
            if (m_socket->bytesAvailable() > 0 && m_buffer.size() < limit)
                continue;
            break;
        }
        if (frame.status == Frame::Status::Invalid) {
            const QByteArray id = newRequestId();
            qCWarning(lcSession).noquote() << id << m_peer << m_context->config().name
                                           << "invalid request stream:" << frame.error << "- closing";
            const quint64 sequence = reserveReply();
            m_buffer.clear();
            m_stopReading = true;
            m_context->metrics().recordRequest(ResultClass::Malformed);
            complete(sequence, m_context->handler().invalidStreamReply(frame.error, id), true);
            break;
        }
        accept(frame.payload);
    }
    // Between requests the buffer is usually empty; release its capacity rather than keep it per connection.
    if (m_buffer.isEmpty())
        m_buffer = QByteArray();
}

void Session::accept(const QByteArray &frame)
{
    restartIdleTimer();
    const QByteArray id = newRequestId();
    const quint64 sequence = reserveReply();

    ModeHandler::Prepared prepared = m_context->handler().prepare(frame, id);
    if (!prepared.call) {
        qCInfo(lcSession).noquote() << id << m_peer << m_context->config().name << "malformed request"
                                    << printable(prepared.logKey) << "->"
                                    << printable(prepared.immediateReply);
        if (prepared.closeAfterReply)
            m_stopReading = true;
        m_context->metrics().recordRequest(ResultClass::Malformed);
        complete(sequence, prepared.immediateReply, prepared.closeAfterReply);
        return;
    }

    // One path for every answer: the endpoint's backend counts and logs the backend call (once, however many
    // requests it answers); the session counts the request and answers it in order.
    m_context->backend().lookup(
        *prepared.call, id, this,
        [this, sequence, id, key = prepared.logKey](const BackendResult &result, ResultClass,
                                                    Backend::Source source) {
            QByteArray reply = m_context->handler().reply(result, id);
            // Counted by the reply Postfix gets: an answer can still become an error here (over the reply
            // limit of its protocol, say).
            m_context->metrics().recordRequest(classifyReply(m_context->config().mode, result, reply));
            qCDebug(lcSession).noquote()
                << id << m_peer << m_context->config().name << printable(key) << "->" << printable(reply)
                << QStringLiteral("(%1, %2 ms)").arg(Backend::sourceName(source)).arg(result.elapsedMs);
            complete(sequence, std::move(reply), false);
        });
}

quint64 Session::reserveReply()
{
    m_queue.emplace_back();
    return m_headSequence + m_queue.size() - 1;
}

void Session::complete(quint64 sequence, QByteArray reply, bool closeAfter)
{
    Pending &pending = m_queue.at(sequence - m_headSequence);
    pending.reply = std::move(reply);
    pending.ready = true;
    pending.closeAfter = closeAfter;
    flush();
}

void Session::flush()
{
    if (m_closed)
        return;
    bool wrote = false;
    while (!m_queue.empty() && m_queue.front().ready) {
        Pending pending = std::move(m_queue.front());
        m_queue.pop_front();
        ++m_headSequence;
        m_socket->write(pending.reply);
        wrote = true;
        if (pending.closeAfter) {
            m_queue.clear(); // nothing after a closing reply is taken; be explicit
            closeAfterFlush("protocol error");
            return;
        }
    }
    if (wrote) {
        m_sending = true;
        m_connection->sendQueued();
        m_sending = false;
        if (m_closed) // the write found the peer gone
            return;
    }
    restartIdleTimer();
    if (m_stopReading) {
        if (m_queue.empty())
            closeAfterFlush("draining");
        return;
    }
    // The queue has room again: requests already buffered (or held back in the socket) can go on. Not from
    // here: this runs inside a backend callback, possibly inside processBuffer() itself.
    if (!paused() && hasBufferedInput())
        QMetaObject::invokeMethod(this, &Session::processBuffer, Qt::QueuedConnection);
}

void Session::closeAfterFlush(const char *why)
{
    qCDebug(lcSession) << m_peer << "closing:" << why;
    m_stopReading = true;
    m_idleTimer->start(LingerMs);
    m_connection->closeGracefully();
}

void Session::restartIdleTimer()
{
    if (m_stopReading)
        return;
    // Every request and reply counts as activity; the timer is re-armed only when it fires. Restarting a
    // timer per request costs a search through all of the thread's timers, one per connection.
    m_lastActivityMs = m_activity.elapsed();
    if (!m_idleTimer->isActive())
        m_idleTimer->start(m_context->config().effectiveIdleTimeoutMs());
}

void Session::onIdleTimer()
{
    if (!m_stopReading) {
        const int timeoutMs = m_context->config().effectiveIdleTimeoutMs();
        if (!m_queue.empty()) { // still working for this peer
            m_idleTimer->start(timeoutMs);
            return;
        }
        const qint64 idleMs = m_activity.elapsed() - m_lastActivityMs;
        if (idleMs < timeoutMs) {
            m_idleTimer->start(int(timeoutMs - idleMs));
            return;
        }
    }
    qCDebug(lcSession) << m_peer << (m_stopReading ? "peer did not close in time" : "idle timeout, closing");
    m_connection->abort();
}

void Session::onDisconnected()
{
    if (m_closed)
        return;
    m_closed = true;
    m_idleTimer->stop();
    if (!m_queue.empty())
        qCDebug(lcSession) << m_peer << "peer went away with" << m_queue.size() << "requests unanswered";
    qCDebug(lcSession) << m_peer << "disconnected";
    Q_EMIT closed();
}

} // namespace prc
