// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "modes/modehandler.h"

#include <QUrl>

namespace prc {

/// SMTPD policy delegation: attributes → POST target (form-encoded) → "action=<first line of the body>".
/// Every failure defers (451) rather than bounces: a broken backend must never reject mail for good, and an
/// empty action would make Postfix permit the mail.
class PolicyHandler : public ModeHandler
{
public:
    PolicyHandler(QUrl target, qsizetype maxRequestSize);

    Frame takeRequest(QByteArray &buffer) const override;
    Prepared prepare(const QByteArray &frame, const QByteArray &requestId) const override;
    QByteArray reply(const BackendResult &result, const QByteArray &requestId) const override;
    QByteArray invalidStreamReply(const QString &reason, const QByteArray &requestId) const override;

private:
    QUrl m_target;
    qsizetype m_maxRequestSize;
};

} // namespace prc
