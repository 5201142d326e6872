// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/backendrequest.h"

#include "backend/backendclient.h"

namespace prc {

BackendRequest::BackendRequest(BackendClient *client, int timeoutMs, qint64 maxResponseSize, QObject *owner)
    : QObject(owner)
    , m_client(client)
    , m_maxResponseSize(maxResponseSize)
    , m_timeoutMs(timeoutMs)
{
    m_elapsed.start();
    m_client->track(this);

    // One deadline bounds the whole call: waiting for a connection, connect, headers and a body that may
    // trickle forever.
    m_client->deadlines().add(m_deadline, timeoutMs, [this] {
        fail(BackendResult::Outcome::Timeout,
             QStringLiteral("backend did not answer within %1 ms").arg(m_timeoutMs));
    });
}

BackendRequest::~BackendRequest()
{
    if (m_client) {
        m_client->deadlines().remove(m_deadline);
        m_client->untrack(this);
    }
}

bool BackendRequest::appendBody(const char *data, qsizetype size)
{
    if (m_body.size() + size > m_maxResponseSize)
        return false;
    m_body.append(data, size);
    return true;
}

void BackendRequest::complete(int status, QByteArray cacheControl)
{
    BackendResult result;
    result.outcome = BackendResult::Outcome::Response;
    result.status = status;
    result.body = std::move(m_body);
    result.cacheControl = std::move(cacheControl);
    finish(std::move(result));
}

void BackendRequest::fail(BackendResult::Outcome outcome, QString error)
{
    if (m_finished)
        return;
    // The transfer may still run (timeout, size cap): stop it before anyone hears of the result.
    abortTransfer();
    BackendResult result;
    result.outcome = outcome;
    result.error = std::move(error);
    finish(std::move(result));
}

void BackendRequest::failTooLarge()
{
    fail(BackendResult::Outcome::TooLarge,
         QStringLiteral("backend response larger than %1 bytes").arg(m_maxResponseSize));
}

void BackendRequest::detach()
{
    if (m_finished || !m_client)
        return;
    abortTransfer();
    m_client->deadlines().remove(m_deadline);
    m_client->untrack(this);
    m_client = nullptr;
    // Queued on this object: an owner that is being torn down deletes the request before it runs.
    QMetaObject::invokeMethod(
        this,
        [this] { fail(BackendResult::Outcome::NetworkError, QStringLiteral("backend client shut down")); },
        Qt::QueuedConnection);
}

void BackendRequest::finish(BackendResult result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_body = QByteArray();
    if (m_client) {
        m_client->deadlines().remove(m_deadline);
        m_client->untrack(this);
        m_client = nullptr;
    }
    result.elapsedMs = m_elapsed.elapsed();
    Q_EMIT finished(result);
}

} // namespace prc
