// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/qt/qtbackendrequest.h"

#include "backend/backendclient.h"

#include <QNetworkReply>

namespace prc {
namespace {

// How much QNAM may buffer ahead of us. Without a limit its network thread parses a streaming body into
// memory as fast as the backend sends it.
constexpr qint64 ReadBufferSize = 64 * 1024;

/// The error QNAM reports for a complete response with this status (its own table): any other error means
/// the response did not arrive whole.
QNetworkReply::NetworkError errorForStatus(int status)
{
    switch (status) {
    case 400:
    case 418:
        return QNetworkReply::ProtocolInvalidOperationError;
    case 401:
        return QNetworkReply::AuthenticationRequiredError;
    case 403:
        return QNetworkReply::ContentAccessDenied;
    case 404:
        return QNetworkReply::ContentNotFoundError;
    case 405:
        return QNetworkReply::ContentOperationNotPermittedError;
    case 407:
        return QNetworkReply::ProxyAuthenticationRequiredError;
    case 409:
        return QNetworkReply::ContentConflictError;
    case 410:
        return QNetworkReply::ContentGoneError;
    case 500:
        return QNetworkReply::InternalServerError;
    case 501:
        return QNetworkReply::OperationNotImplementedError;
    case 503:
        return QNetworkReply::ServiceUnavailableError;
    default:
        break;
    }
    if (status > 500)
        return QNetworkReply::UnknownServerError;
    if (status >= 400)
        return QNetworkReply::UnknownContentError;
    return QNetworkReply::NoError;
}

} // namespace

QtBackendRequest::QtBackendRequest(BackendClient *client, QNetworkReply *reply, QObject *owner)
    : BackendRequest(client, client->settings().timeoutMs, client->settings().maxResponseSize, owner)
    , m_reply(reply)
{
    reply->setParent(this);
    reply->setReadBufferSize(ReadBufferSize);
    connect(reply, &QNetworkReply::readyRead, this, &QtBackendRequest::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &QtBackendRequest::onReplyFinished);
}

QtBackendRequest::~QtBackendRequest()
{
    abortTransfer();
}

void QtBackendRequest::abortTransfer()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    if (reply->isRunning())
        reply->abort();
    delete reply;
}

void QtBackendRequest::onReadyRead()
{
    if (isFinished() || !m_reply)
        return;
    const QByteArray chunk = m_reply->readAll();
    if (!appendBody(chunk.constData(), chunk.size()))
        failTooLarge();
}

void QtBackendRequest::onReplyFinished()
{
    if (isFinished() || !m_reply)
        return;
    onReadyRead();
    if (isFinished())
        return;

    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QNetworkReply::NetworkError error = m_reply->error();
    // A reply with a status code can still have failed: a body cut short, a bad chunk, bad gzip. Only the
    // error QNAM derives from the status itself means the response is whole.
    if (status.isValid() && (error == QNetworkReply::NoError || error == errorForStatus(status.toInt()))) {
        const int code = status.toInt();
        QByteArray cacheControl = m_reply->rawHeader(QByteArrayLiteral("Cache-Control"));
        abortTransfer();
        complete(code, std::move(cacheControl));
        return;
    }
    QString text = m_reply->errorString();
    if (status.isValid())
        text = QStringLiteral("HTTP %1 response incomplete: %2").arg(status.toInt()).arg(text);
    fail(BackendResult::Outcome::NetworkError, text);
}

} // namespace prc
