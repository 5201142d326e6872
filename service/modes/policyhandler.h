// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "modes/modehandler.h"

#include <QUrl>

namespace prc {

/// SMTPD policy delegation: attributes → POST target (form-encoded) → "action=<first line of the body>".
/// Every failure defers (451) rather than bounces: a broken backend must never reject mail for good, and an
/// empty action would make Postfix permit the mail. A configured failure action replaces that deferral.
class PolicyHandler : public ModeHandler
{
public:
    /// failureAction: the access(5) action for a failed call; empty = 451 4.3.0 (451 4.3.5 for a 4xx).
    PolicyHandler(QUrl target, qsizetype maxRequestSize, QString failureAction = {});

    Frame takeRequest(QByteArray &buffer) const override;
    Prepared prepare(const QByteArray &frame, const QByteArray &requestId) const override;
    QByteArray reply(const BackendResult &result, const QByteArray &requestId) const override;
    QByteArray invalidStreamReply(const QString &reason, const QByteArray &requestId) const override;

private:
    /// The reply for a failed call; rejected: the backend answered 4xx.
    QByteArray failed(const QByteArray &requestId, const QString &reason, bool rejected) const;

    QUrl m_target;
    qsizetype m_maxRequestSize;
    QByteArray m_failureAction;
    bool m_failureActionTakesText = true;
};

} // namespace prc
