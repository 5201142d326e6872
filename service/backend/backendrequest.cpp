// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/backendrequest.h"

#include <QNetworkReply>

namespace prc {

BackendRequest::BackendRequest(QNetworkReply *reply, int timeoutMs, qint64 maxResponseSize, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_maxResponseSize(maxResponseSize)
{
    m_elapsed.start();
    reply->setParent(this);
    connect(reply, &QNetworkReply::readyRead, this, &BackendRequest::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &BackendRequest::onReplyFinished);

    // One timer bounds the whole call: connect, headers and a body that may trickle forever.
    m_timeout.setSingleShot(true);
    m_timeout.setTimerType(Qt::CoarseTimer);
    connect(&m_timeout, &QTimer::timeout, this, [this, timeoutMs] {
        BackendResult result;
        result.outcome = BackendResult::Outcome::Timeout;
        result.error = QStringLiteral("backend did not answer within %1 ms").arg(timeoutMs);
        finish(std::move(result));
    });
    m_timeout.start(timeoutMs);
}

BackendRequest::~BackendRequest()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

void BackendRequest::onReadyRead()
{
    if (m_finished || !m_reply)
        return;
    m_body += m_reply->readAll();
    if (m_body.size() > m_maxResponseSize) {
        BackendResult result;
        result.outcome = BackendResult::Outcome::TooLarge;
        result.error = QStringLiteral("backend response larger than %1 bytes").arg(m_maxResponseSize);
        finish(std::move(result));
    }
}

void BackendRequest::onReplyFinished()
{
    if (m_finished || !m_reply)
        return;
    onReadyRead();
    if (m_finished)
        return;

    BackendResult result;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status.isValid()) {
        // HTTP-level "errors" (404, 500, ...) still carry a complete response.
        result.outcome = BackendResult::Outcome::Response;
        result.status = status.toInt();
        result.body = std::move(m_body);
        result.cacheControl = m_reply->rawHeader(QByteArrayLiteral("Cache-Control"));
    } else {
        result.outcome = BackendResult::Outcome::NetworkError;
        result.error = m_reply->errorString();
    }
    finish(std::move(result));
}

void BackendRequest::finish(BackendResult result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_timeout.stop();
    result.elapsedMs = m_elapsed.elapsed();
    if (m_reply) {
        m_reply->disconnect(this);
        if (m_reply->isRunning())
            m_reply->abort();
    }
    Q_EMIT finished(result);
}

} // namespace prc
