// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendrequest.h"

#include <curl/curl.h>

namespace prc {

class CurlBackendClient;

/// One call carried by a libcurl easy handle of the client's multi handle.
class CurlBackendRequest : public BackendRequest
{
    Q_OBJECT

public:
    /// Response header bytes accepted per response; beyond, the call fails at once.
    static constexpr qsizetype MaxHeaderBytes = 128 * 1024;

    CurlBackendRequest(CurlBackendClient *client, CURL *easy, curl_slist *headers, QByteArray postBody,
                       QObject *owner);
    ~CurlBackendRequest() override;

    /// Starts the transfer. False when curl refused it (the call has then failed).
    void begin();
    /// The transfer ended (called by the client with the easy handle already out of the multi handle).
    void transferDone(CURLcode result);

private:
    static size_t onBody(char *data, size_t size, size_t count, void *userp);
    static size_t onHeader(char *data, size_t size, size_t count, void *userp);
    void abortTransfer() override;
    QString errorText(CURLcode result, long osError) const;
    /// Gives the easy handle back to the client (or frees it when the client is gone).
    void release();

    CurlBackendClient *m_client;
    CURL *m_easy;
    curl_slist *m_headers;
    QByteArray m_postBody; ///< curl reads it in place while the transfer runs
    QByteArray m_cacheControl;
    qsizetype m_headerBytes = 0;
    char m_errorBuffer[CURL_ERROR_SIZE] = {};
    bool m_running = false;
    bool m_tooLarge = false;
    bool m_headersTooLarge = false;
};

} // namespace prc
