// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendclient.h"

#include <curl/curl.h>
#include <deque>
#include <vector>

namespace prc {

class CurlBackendRequest;
class CurlMulti;

/// The default client ("backend-client": "curl"): libcurl's multi-socket API on this thread's event loop.
/// Persistent HTTP/1.1 connections, at most backend-connections of them (calls beyond wait in this client's
/// queue, first come first served);
/// with backend-http2, HTTP/2 over TLS (ALPN) multiplexed on them. Easy handles are reused.
class CurlBackendClient : public BackendClient
{
    Q_OBJECT

public:
    explicit CurlBackendClient(BackendSettings settings, QObject *parent = nullptr);
    ~CurlBackendClient() override;

    BackendRequest *start(const BackendCall &call, const QByteArray &requestId, QObject *owner) override;
    QLatin1String kind() const override { return QLatin1String("curl"); }

    /// For requests: hand a transfer to the multi handle (or the queue in front of it), take it back, recycle
    /// its easy handle.
    bool addTransfer(CURL *easy);
    void removeTransfer(CURL *easy);
    void recycle(CURL *easy);

private:
    CURL *takeEasyHandle();
    void configure(CURL *easy) const;
    void onTransferDone(CURL *easy, CURLcode result);
    /// The call a transfer belongs to (CURLOPT_PRIVATE), or nullptr.
    static CurlBackendRequest *requestOf(CURL *easy);
    /// Moves waiting transfers into the multi handle while it has room.
    void startWaiting();

    QByteArray m_userAgent;
    QByteArray m_authTokenHeader;
    QByteArray m_unixSocket;
    QByteArray m_caFile;
    QByteArray m_clientCert;
    QByteArray m_clientKey;
    CurlMulti *m_multi;
    std::vector<CURL *> m_idle;   ///< easy handles ready for the next call
    std::deque<CURL *> m_waiting; ///< transfers waiting for a free connection, oldest first
    int m_active = 0;             ///< transfers in the multi handle
    int m_maxActive = 1;
};

} // namespace prc
