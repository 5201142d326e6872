// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

namespace prc {

/// One backend call in flight: enforces the overall timeout and the response size cap, and reports exactly
/// once. Deleting it aborts the call (used when the Postfix client goes away).
class BackendRequest : public QObject
{
    Q_OBJECT

public:
    BackendRequest(QNetworkReply *reply, int timeoutMs, qint64 maxResponseSize, QObject *parent);
    ~BackendRequest() override;

    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    void finished(const prc::BackendResult &result);

private:
    void onReadyRead();
    void onReplyFinished();
    void finish(BackendResult result);

    QPointer<QNetworkReply> m_reply;
    QTimer m_timeout;
    QElapsedTimer m_elapsed;
    QByteArray m_body;
    qint64 m_maxResponseSize;
    bool m_finished = false;
};

} // namespace prc
