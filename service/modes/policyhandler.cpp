// SPDX-License-Identifier: GPL-3.0-or-later
#include "modes/policyhandler.h"

#include "config/policyfailureaction.h"
#include "protocol/policycodec.h"

namespace prc {
namespace {

QByteArray defer(const char *status, const QByteArray &requestId, const QString &reason)
{
    return PolicyCodec::reply(
        QByteArray(QByteArray(status) + ' ' + requestId + ' ' + PolicyCodec::firstLine(reason.toUtf8())));
}

QByteArray temporary(const QByteArray &requestId, const QString &reason)
{
    return defer("451 4.3.0", requestId, reason);
}

} // namespace

PolicyHandler::PolicyHandler(QUrl target, qsizetype maxRequestSize, QString failureAction)
    : m_target(std::move(target))
    , m_maxRequestSize(maxRequestSize)
    , m_failureAction(failureAction.toUtf8())
    , m_failureActionTakesText(PolicyFailureAction::acceptsText(failureAction))
{
}

QByteArray PolicyHandler::failed(const QByteArray &requestId, const QString &reason, bool rejected) const
{
    if (m_failureAction.isEmpty())
        return rejected ? defer("451 4.3.5", requestId, reason) : temporary(requestId, reason);
    if (!m_failureActionTakesText)
        return PolicyCodec::reply(m_failureAction);
    return PolicyCodec::reply(
        QByteArray(m_failureAction + ' ' + requestId + ' ' + PolicyCodec::firstLine(reason.toUtf8())));
}

Frame PolicyHandler::takeRequest(QByteArray &buffer) const
{
    return PolicyCodec::takeRequest(buffer, m_maxRequestSize);
}

ModeHandler::Prepared PolicyHandler::prepare(const QByteArray &frame, const QByteArray &requestId) const
{
    Prepared prepared;
    QString problem;
    const auto attributes = PolicyCodec::parseAttributes(frame, &problem);
    if (!attributes) {
        // The request was framed correctly, so the stream is still in step: answer and keep the connection.
        prepared.immediateReply = defer("451 4.3.5", requestId, problem);
        return prepared;
    }
    for (const auto &[name, value] : *attributes) {
        if (name == "recipient" || name == "sender" || name == "client_address")
            prepared.logKey += name + '=' + value + ' ';
    }
    prepared.call = BackendCall{BackendCall::Method::Post, m_target, PolicyCodec::formEncode(*attributes),
                                QByteArrayLiteral("application/x-www-form-urlencoded")};
    return prepared;
}

QByteArray PolicyHandler::reply(const BackendResult &result, const QByteArray &requestId) const
{
    switch (result.outcome) {
    case BackendResult::Outcome::Timeout:
    case BackendResult::Outcome::NetworkError:
    case BackendResult::Outcome::TooLarge:
        return failed(requestId, result.error, false);
    case BackendResult::Outcome::Response:
        break;
    }

    if (result.status == 200) {
        const QByteArray action = PolicyCodec::firstLine(result.body);
        if (action.isEmpty())
            return failed(requestId, QStringLiteral("backend returned an empty action"), false);
        if (action.size() > PolicyCodec::MaxActionSize)
            return failed(
                requestId,
                QStringLiteral("backend action longer than %1 bytes").arg(PolicyCodec::MaxActionSize), false);
        return PolicyCodec::reply(action);
    }
    if (result.status >= 400 && result.status < 500) {
        // Deliberately not 5xx: a misconfigured backend (wrong token, wrong URL) must defer mail, not bounce
        // it.
        return failed(requestId,
                      QStringLiteral("backend rejected the request (misconfiguration?) with status %1")
                          .arg(result.status),
                      true);
    }
    return failed(requestId, QStringLiteral("unexpected backend status %1").arg(result.status), false);
}

QByteArray PolicyHandler::invalidStreamReply(const QString &reason, const QByteArray &requestId) const
{
    return defer("451 4.3.5", requestId, reason);
}

} // namespace prc
