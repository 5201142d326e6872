// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "modes/lookupanswer.h"
#include "modes/modehandler.h"

#include <QUrl>

namespace prc {

/// tcp_table(5): "get KEY" → GET target?key=KEY → "200 v1,v2" / "500 not found" / "400 error".
class TcpLookupHandler : public ModeHandler
{
public:
    TcpLookupHandler(QUrl target, QByteArray listSeparator, qsizetype maxRequestSize, LookupShape shape = {});

    Frame takeRequest(QByteArray &buffer) const override;
    Prepared prepare(const QByteArray &frame, const QByteArray &requestId) const override;
    QByteArray reply(const BackendResult &result, const QByteArray &requestId) const override;
    QByteArray invalidStreamReply(const QString &reason, const QByteArray &requestId) const override;

private:
    QUrl m_target;
    QByteArray m_separator;
    qsizetype m_maxRequestSize;
    LookupShape m_shape;
};

} // namespace prc
