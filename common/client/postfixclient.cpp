// SPDX-License-Identifier: GPL-3.0-or-later
#include "postfixclient.h"

#include "client/clientlogging.h"
#include "protocol/netstring.h"
#include "protocol/socketmapcodec.h"
#include "protocol/tcptablecodec.h"

namespace prc {
namespace {

// Limits a little above Postfix's own, so an oversized reply is shown as such rather than cut off.
constexpr qsizetype MaxTcpReply = TcpTableCodec::MaxReplySize;
constexpr qsizetype MaxSocketmapReply = SocketmapCodec::MaxReplySize;
constexpr qsizetype MaxPolicyReply = 64 * 1024;

LookupResult::Meaning tcpMeaning(int code)
{
    switch (code / 100) {
    case 2:
        return LookupResult::Meaning::Found;
    case 5:
        return LookupResult::Meaning::NotFound;
    case 4:
        return LookupResult::Meaning::TemporaryError;
    default:
        return LookupResult::Meaning::ProtocolError;
    }
}

LookupResult::Meaning socketmapMeaning(const QByteArray &status)
{
    if (status == "OK")
        return LookupResult::Meaning::Found;
    if (status == "NOTFOUND")
        return LookupResult::Meaning::NotFound;
    if (status == "PERM")
        return LookupResult::Meaning::PermanentError;
    // TEMP, TIMEOUT and, for Postfix, any other word.
    return LookupResult::Meaning::TemporaryError;
}

} // namespace

PostfixClient::PostfixClient(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<prc::LookupResult>();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("timed out after %1 ms waiting for %2")
                 .arg(m_timeoutMs)
                 .arg(m_clock.isValid() ? QStringLiteral("a complete reply")
                                        : QStringLiteral("the connection")));
    });
}

PostfixClient::~PostfixClient()
{
    if (auto *tcp = qobject_cast<QTcpSocket *>(m_socket.data()))
        tcp->abort();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_socket.data()))
        local->abort();
}

void PostfixClient::begin(const QString &target, const LookupRequest &request)
{
    if (isBusy())
        cancel();

    m_result = LookupResult();
    m_result.mode = request.mode;
    m_request = request.encode();
    m_buffer.clear();
    m_clock.invalidate();
    m_target = target;
    m_timer.start(m_timeoutMs);
    qCDebug(lcClient) << "lookup" << modeName(request.mode) << "at" << m_target;
}

void PostfixClient::send(const QString &host, quint16 port, const LookupRequest &request)
{
    begin(QStringLiteral("%1:%2").arg(host).arg(port), request);
    auto *socket = new QTcpSocket(this);
    m_socket = socket;
    connect(socket, &QTcpSocket::connected, this, &PostfixClient::onConnected);
    connect(socket, &QTcpSocket::readyRead, this, &PostfixClient::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &PostfixClient::onDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, &PostfixClient::onError);
    socket->connectToHost(host, port);
}

void PostfixClient::sendLocal(const QString &path, const LookupRequest &request)
{
    begin(QStringLiteral("unix:") + path, request);
    auto *socket = new QLocalSocket(this);
    m_socket = socket;
    connect(socket, &QLocalSocket::connected, this, &PostfixClient::onConnected);
    connect(socket, &QLocalSocket::readyRead, this, &PostfixClient::onReadyRead);
    connect(socket, &QLocalSocket::disconnected, this, &PostfixClient::onDisconnected);
    connect(socket, &QLocalSocket::errorOccurred, this, &PostfixClient::onLocalError);
    socket->setServerName(path);
    // Queued: a refused connect reports its error inside connectToServer(), and finished() must never be
    // emitted from inside a send call.
    QMetaObject::invokeMethod(
        socket, [socket] { socket->connectToServer(); }, Qt::QueuedConnection);
}

void PostfixClient::cancel()
{
    if (isBusy())
        fail(QStringLiteral("cancelled"));
}

void PostfixClient::onConnected()
{
    m_clock.start();
    // Only now is anything on the wire: a refused connection sent nothing.
    m_result.sent = m_request;
    m_socket->write(m_result.sent);
}

void PostfixClient::onReadyRead()
{
    if (!m_socket)
        return;
    const QByteArray chunk = m_socket->readAll();
    m_result.received += chunk;
    m_buffer += chunk;
    if (takeReply())
        finish();
}

void PostfixClient::onDisconnected()
{
    if (!m_socket)
        return;
    // Bytes may still sit in the socket when the peer closes right after writing.
    if (m_socket->bytesAvailable() > 0) {
        onReadyRead();
        if (!m_socket)
            return;
    }
    if (m_result.received.isEmpty())
        fail(QStringLiteral("the server closed the connection without replying"));
    else
        fail(QStringLiteral("the server closed the connection after %1 bytes, before a complete reply")
                 .arg(m_result.received.size()));
}

void PostfixClient::onError(QAbstractSocket::SocketError error)
{
    if (!m_socket)
        return;
    if (error == QAbstractSocket::RemoteHostClosedError)
        return; // disconnected() reports it with the byte count
    fail(QStringLiteral("%1: %2").arg(m_target, m_socket->errorString()));
}

void PostfixClient::onLocalError(QLocalSocket::LocalSocketError error)
{
    if (!m_socket)
        return;
    if (error == QLocalSocket::PeerClosedError)
        return; // disconnected() reports it with the byte count
    fail(QStringLiteral("%1: %2").arg(m_target, m_socket->errorString()));
}

bool PostfixClient::takeReply()
{
    QString error;
    switch (m_result.mode) {
    case EndpointMode::TcpLookup: {
        const Frame frame = TcpTableCodec::takeLine(m_buffer, MaxTcpReply);
        if (frame.status == Frame::Status::Incomplete)
            return false;
        if (frame.status == Frame::Status::Invalid) {
            m_result.meaning = LookupResult::Meaning::ProtocolError;
            m_result.error = frame.error + QStringLiteral(" (Postfix would disconnect and retry)");
            return true;
        }
        const auto reply = TcpTableCodec::parseReply(frame.payload, &error);
        if (!reply) {
            m_result.meaning = LookupResult::Meaning::ProtocolError;
            m_result.error = error;
            return true;
        }
        m_result.status = frame.payload.left(3);
        m_result.value = reply->text;
        m_result.meaning = tcpMeaning(reply->code);
        if (m_result.meaning == LookupResult::Meaning::ProtocolError)
            m_result.error = QStringLiteral("reply code %1 is not 2xx, 4xx or 5xx").arg(reply->code);
        return true;
    }
    case EndpointMode::SocketmapLookup: {
        const Frame frame = Netstring::take(m_buffer, MaxSocketmapReply);
        if (frame.status == Frame::Status::Incomplete)
            return false;
        if (frame.status == Frame::Status::Invalid) {
            m_result.meaning = LookupResult::Meaning::ProtocolError;
            m_result.error = frame.error;
            return true;
        }
        const SocketmapCodec::Reply reply = SocketmapCodec::parseReply(frame.payload);
        m_result.status = reply.status;
        m_result.value = reply.data;
        m_result.meaning = socketmapMeaning(reply.status);
        return true;
    }
    case EndpointMode::Policy: {
        // A reply is framed like a request: lines ended by an empty line.
        const Frame frame = PolicyCodec::takeRequest(m_buffer, MaxPolicyReply);
        if (frame.status == Frame::Status::Incomplete)
            return false;
        if (frame.status == Frame::Status::Invalid) {
            m_result.meaning = LookupResult::Meaning::ProtocolError;
            m_result.error = frame.error;
            return true;
        }
        const auto action = PolicyCodec::parseReply(frame.payload, &error);
        if (!action) {
            m_result.meaning = LookupResult::Meaning::ProtocolError;
            m_result.error = error;
            return true;
        }
        m_result.status = QByteArrayLiteral("action");
        m_result.value = *action;
        m_result.meaning = LookupResult::Meaning::PolicyAction;
        if (action->size() > PolicyCodec::MaxActionSize)
            m_result.error = QStringLiteral("the action is longer than Postfix's default limit of %1 bytes")
                                 .arg(PolicyCodec::MaxActionSize);
        return true;
    }
    }
    return false;
}

void PostfixClient::fail(const QString &error)
{
    m_result.meaning = LookupResult::Meaning::NoAnswer;
    m_result.error = error;
    finish();
}

void PostfixClient::finish()
{
    m_timer.stop();
    if (m_clock.isValid() && m_result.meaning != LookupResult::Meaning::NoAnswer)
        m_result.roundTripMs = double(m_clock.nsecsElapsed()) / 1e6;
    if (QIODevice *socket = m_socket.data()) {
        m_socket.clear();
        socket->disconnect(this);
        if (auto *tcp = qobject_cast<QTcpSocket *>(socket))
            tcp->abort();
        else if (auto *local = qobject_cast<QLocalSocket *>(socket))
            local->abort();
        socket->deleteLater();
    }
    qCDebug(lcClient) << "lookup at" << m_target << "ended:" << LookupResult::meaningName(m_result.meaning)
                      << m_result.error;
    const LookupResult result = m_result;
    Q_EMIT finished(result);
}

} // namespace prc
