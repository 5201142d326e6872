// SPDX-License-Identifier: GPL-3.0-or-later
#include "modes/socketmaplookuphandler.h"

#include "modes/lookupanswer.h"
#include "modes/targeturl.h"
#include "protocol/netstring.h"
#include "protocol/socketmapcodec.h"

namespace prc {
namespace {

QByteArray reason(const QByteArray &requestId, const QString &text)
{
    return requestId + " - " + text.toUtf8();
}

} // namespace

SocketmapLookupHandler::SocketmapLookupHandler(QUrl target, QByteArray listSeparator,
                                               qsizetype maxRequestSize, LookupShape shape)
    : m_target(std::move(target))
    , m_separator(std::move(listSeparator))
    , m_maxRequestSize(maxRequestSize)
    , m_shape(std::move(shape))
{
}

Frame SocketmapLookupHandler::takeRequest(QByteArray &buffer) const
{
    return Netstring::take(buffer, m_maxRequestSize);
}

ModeHandler::Prepared SocketmapLookupHandler::prepare(const QByteArray &frame,
                                                      const QByteArray &requestId) const
{
    Prepared prepared;
    QString problem;
    const auto request = SocketmapCodec::parseRequest(frame, &problem);
    if (!request) {
        prepared.immediateReply = SocketmapCodec::perm(reason(requestId, problem));
        prepared.logKey = frame.left(64);
        return prepared;
    }
    prepared.logKey = request->name + ' ' + request->key;
    prepared.call = BackendCall{BackendCall::Method::Get,
                                TargetUrl::withQuery(m_target, {{QByteArrayLiteral("name"), request->name},
                                                                {QByteArrayLiteral("key"), request->key}}),
                                {},
                                {}};
    return prepared;
}

QByteArray SocketmapLookupHandler::reply(const BackendResult &result, const QByteArray &requestId) const
{
    const LookupAnswer answer = LookupAnswer::interpret(result, m_shape);
    switch (answer.kind) {
    case LookupAnswer::Kind::Found: {
        const QByteArray data = answer.joined(m_separator);
        if (data.size() + 3 > SocketmapCodec::MaxReplySize) {
            return SocketmapCodec::temp(
                reason(requestId, QStringLiteral("reply of %1 bytes exceeds the socketmap limit of %2 bytes")
                                      .arg(data.size() + 3)
                                      .arg(SocketmapCodec::MaxReplySize)));
        }
        return SocketmapCodec::ok(data);
    }
    case LookupAnswer::Kind::NotFound:
        return SocketmapCodec::notFound();
    case LookupAnswer::Kind::Timeout:
        return SocketmapCodec::timeout(reason(requestId, answer.reason));
    case LookupAnswer::Kind::Permanent:
        return SocketmapCodec::perm(reason(requestId, answer.reason));
    case LookupAnswer::Kind::Temporary:
        break;
    }
    return SocketmapCodec::temp(reason(requestId, answer.reason));
}

QByteArray SocketmapLookupHandler::invalidStreamReply(const QString &text, const QByteArray &requestId) const
{
    return SocketmapCodec::perm(reason(requestId, text));
}

} // namespace prc
