// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/curl/curlbackendrequest.h"

#include "backend/curl/curlbackendclient.h"

#include <QMetaObject>

#include <cstring>

namespace prc {
namespace {

bool startsWithNoCase(const char *data, size_t size, const char *prefix)
{
    const size_t length = qstrlen(prefix);
    return size >= length && qstrnicmp(data, prefix, length) == 0;
}

} // namespace

CurlBackendRequest::CurlBackendRequest(CurlBackendClient *client, CURL *easy, curl_slist *headers,
                                       QByteArray postBody, QObject *owner)
    : BackendRequest(client, client->settings().timeoutMs, client->settings().maxResponseSize, owner)
    , m_client(client)
    , m_easy(easy)
    , m_headers(headers)
    , m_postBody(std::move(postBody))
{
}

CurlBackendRequest::~CurlBackendRequest()
{
    release();
}

void CurlBackendRequest::begin()
{
    if (!m_easy || !m_headers) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                fail(BackendResult::Outcome::NetworkError, QStringLiteral("cannot start an HTTP transfer"));
            },
            Qt::QueuedConnection);
        return;
    }
    curl_easy_setopt(m_easy, CURLOPT_PRIVATE, this);
    curl_easy_setopt(m_easy, CURLOPT_HTTPHEADER, m_headers);
    curl_easy_setopt(m_easy, CURLOPT_ERRORBUFFER, m_errorBuffer);
    curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, &CurlBackendRequest::onBody);
    curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(m_easy, CURLOPT_HEADERFUNCTION, &CurlBackendRequest::onHeader);
    curl_easy_setopt(m_easy, CURLOPT_HEADERDATA, this);
    if (m_postBody.isNull()) {
        curl_easy_setopt(m_easy, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(m_easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(m_postBody.size()));
        curl_easy_setopt(m_easy, CURLOPT_POSTFIELDS, m_postBody.constData());
    }
    m_running = m_client->addTransfer(m_easy);
    if (!m_running) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                fail(BackendResult::Outcome::NetworkError, QStringLiteral("cannot start an HTTP transfer"));
            },
            Qt::QueuedConnection);
    }
}

size_t CurlBackendRequest::onBody(char *data, size_t size, size_t count, void *userp)
{
    // Inside libcurl: record, never end the call here. Returning less than given makes curl stop the
    // transfer with CURLE_WRITE_ERROR, which transferDone() turns into the right outcome.
    auto *self = static_cast<CurlBackendRequest *>(userp);
    const size_t bytes = size * count;
    if (!self->appendBody(data, qsizetype(bytes))) {
        self->m_tooLarge = true;
        return 0;
    }
    return bytes;
}

size_t CurlBackendRequest::onHeader(char *data, size_t size, size_t count, void *userp)
{
    auto *self = static_cast<CurlBackendRequest *>(userp);
    const size_t bytes = size * count;
    self->m_headerBytes += qsizetype(bytes);
    if (self->m_headerBytes > MaxHeaderBytes) {
        self->m_headersTooLarge = true;
        return 0;
    }
    if (startsWithNoCase(data, bytes, "HTTP/")) {
        // A new status line: interim 1xx responses come before the final one, and their headers are not its.
        self->m_cacheControl.clear();
        self->m_headerBytes = qsizetype(bytes);
    } else if (startsWithNoCase(data, bytes, "cache-control:")) {
        const QByteArray value = QByteArray(data + 14, qsizetype(bytes) - 14).trimmed();
        if (!self->m_cacheControl.isEmpty())
            self->m_cacheControl += ", ";
        self->m_cacheControl += value;
    }
    return bytes;
}

void CurlBackendRequest::transferDone(CURLcode result)
{
    m_running = false; // the client took it out of the multi handle
    long status = 0;
    curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
    long osError = 0;
    curl_easy_getinfo(m_easy, CURLINFO_OS_ERRNO, &osError);
    const QString text = errorText(result, osError);
    release();

    if (result == CURLE_OK) {
        complete(int(status), std::move(m_cacheControl));
        return;
    }
    if (m_tooLarge || result == CURLE_FILESIZE_EXCEEDED) {
        failTooLarge();
        return;
    }
    if (m_headersTooLarge) {
        fail(BackendResult::Outcome::NetworkError,
             QStringLiteral("backend response headers larger than %1 bytes").arg(MaxHeaderBytes));
        return;
    }
    if (result == CURLE_OPERATION_TIMEDOUT) {
        fail(BackendResult::Outcome::Timeout, text);
        return;
    }
    // A body cut short, a bad chunk or bad gzip after a status line is still a failed call, never an answer.
    fail(BackendResult::Outcome::NetworkError,
         status > 0 ? QStringLiteral("HTTP %1 response incomplete: %2").arg(status).arg(text) : text);
}

QString CurlBackendRequest::errorText(CURLcode result, long osError) const
{
    if (result == CURLE_GOT_NOTHING)
        return QStringLiteral("backend closed the connection without a response");
    QString text = QString::fromUtf8(m_errorBuffer);
    if (text.isEmpty())
        text = QString::fromUtf8(curl_easy_strerror(result));
    // "Couldn't connect to server" says less than the system's reason ("Connection refused").
    if (osError != 0)
        text += QStringLiteral(" (%1)").arg(QString::fromLocal8Bit(std::strerror(int(osError))));
    return text;
}

void CurlBackendRequest::abortTransfer()
{
    release();
}

void CurlBackendRequest::release()
{
    if (m_easy) {
        CURL *easy = m_easy;
        m_easy = nullptr;
        if (m_running) {
            m_running = false;
            m_client->removeTransfer(easy);
        }
        m_client->recycle(easy);
    }
    curl_slist_free_all(m_headers);
    m_headers = nullptr;
}

} // namespace prc
