// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "modes/lookupanswer.h"
#include "modes/modehandler.h"

#include <QUrl>

namespace prc {

/// socketmap_table(5): netstring "name key" → GET target?name=NAME&key=KEY → OK / NOTFOUND / TEMP / TIMEOUT /
/// PERM.
class SocketmapLookupHandler : public ModeHandler
{
public:
    SocketmapLookupHandler(QUrl target, QByteArray listSeparator, qsizetype maxRequestSize,
                           LookupShape shape = {});

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
