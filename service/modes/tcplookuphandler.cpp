// SPDX-License-Identifier: GPL-3.0-or-later
#include "modes/tcplookuphandler.h"

#include "modes/lookupanswer.h"
#include "modes/targeturl.h"
#include "protocol/tcptablecodec.h"

namespace prc {
namespace {

QByteArray error(int code, const QByteArray &requestId, const QString &reason)
{
    return TcpTableCodec::reply(code, QByteArray(requestId + " - " + reason.toUtf8()));
}

} // namespace

TcpLookupHandler::TcpLookupHandler(QUrl target, QByteArray listSeparator, qsizetype maxRequestSize,
                                   LookupShape shape)
    : m_target(std::move(target))
    , m_separator(std::move(listSeparator))
    , m_maxRequestSize(maxRequestSize)
    , m_shape(std::move(shape))
{
}

Frame TcpLookupHandler::takeRequest(QByteArray &buffer) const
{
    return TcpTableCodec::takeLine(buffer, m_maxRequestSize);
}

ModeHandler::Prepared TcpLookupHandler::prepare(const QByteArray &frame, const QByteArray &requestId) const
{
    Prepared prepared;
    QString problem;
    const auto request = TcpTableCodec::parseRequest(frame, &problem);
    if (!request) {
        prepared.immediateReply = error(400, requestId, problem);
        // Only an unknown command means the peer does not speak tcp_table; a bad escape is one bad key.
        prepared.closeAfterReply = !frame.startsWith("get ");
        prepared.logKey = frame.left(64);
        return prepared;
    }
    prepared.logKey = request->key;
    prepared.call = BackendCall{BackendCall::Method::Get,
                                TargetUrl::withQuery(m_target, {{QByteArrayLiteral("key"), request->key}}),
                                {},
                                {}};
    return prepared;
}

QByteArray TcpLookupHandler::reply(const BackendResult &result, const QByteArray &requestId) const
{
    const LookupAnswer answer = LookupAnswer::interpret(result, m_shape);
    switch (answer.kind) {
    case LookupAnswer::Kind::Found: {
        QByteArray line = TcpTableCodec::reply(200, answer.joined(m_separator));
        if (line.size() > TcpTableCodec::MaxReplySize) {
            // Postfix would drop the connection and retry ten times; a temporary error is the honest answer.
            return error(400, requestId,
                         QStringLiteral("reply of %1 bytes exceeds the tcp_table limit of %2 bytes")
                             .arg(line.size())
                             .arg(TcpTableCodec::MaxReplySize));
        }
        return line;
    }
    case LookupAnswer::Kind::NotFound:
        return error(500, requestId, QStringLiteral("key not found"));
    case LookupAnswer::Kind::Timeout:
    case LookupAnswer::Kind::Temporary:
    case LookupAnswer::Kind::Permanent:
        // tcp_table has no permanent-error reply.
        return error(400, requestId, answer.reason);
    }
    return error(400, requestId, QStringLiteral("internal error"));
}

QByteArray TcpLookupHandler::invalidStreamReply(const QString &reason, const QByteArray &requestId) const
{
    return error(400, requestId, reason);
}

} // namespace prc
