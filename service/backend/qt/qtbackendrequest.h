// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendrequest.h"

#include <QPointer>

class QNetworkReply;

namespace prc {

/// One call carried by a QNetworkReply.
class QtBackendRequest : public BackendRequest
{
    Q_OBJECT

public:
    QtBackendRequest(BackendClient *client, QNetworkReply *reply, QObject *owner);
    ~QtBackendRequest() override;

private:
    void onReadyRead();
    void onReplyFinished();
    void abortTransfer() override;

    QPointer<QNetworkReply> m_reply;
};

} // namespace prc
