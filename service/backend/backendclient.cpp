// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/backendclient.h"

#include "backend/backendrequest.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace prc {

BackendClient::BackendClient(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_userAgent(m_settings.userAgent.toUtf8())
    , m_authToken(m_settings.authToken.toUtf8())
{
    const int clients =
        std::max(1, (m_settings.connections + ConnectionsPerClient - 1) / ConnectionsPerClient);
    for (int i = 0; i < clients; ++i) {
        auto *network = new QNetworkAccessManager(this);
        // Lookups must be answered by the configured backend only, never through a proxy guessed from the
        // environment.
        network->setProxy(QNetworkProxy::NoProxy);
        network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_clients.push_back(network);
    }
}

BackendClient::~BackendClient() = default;

BackendRequest *BackendClient::start(const BackendCall &call, const QByteArray &requestId, QObject *owner)
{
    QNetworkRequest request(call.url);
    request.setRawHeader(QByteArrayLiteral("User-Agent"), m_userAgent);
    request.setRawHeader(QByteArrayLiteral("X-Auth-Token"), m_authToken);
    request.setRawHeader(QByteArrayLiteral("X-Request-Id"), requestId);
    request.setRawHeader(QByteArrayLiteral("Accept"), call.method == BackendCall::Method::Get
                                                          ? QByteArrayLiteral("application/json")
                                                          : QByteArrayLiteral("text/plain, */*"));
    // A redirect is answered as an error rather than followed: following it would send the auth token
    // elsewhere.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, m_settings.http2);
    if (m_settings.http2 && call.url.scheme() == QLatin1String("http"))
        request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);

    QNetworkAccessManager *network = m_clients[m_next];
    m_next = (m_next + 1) % m_clients.size();

    QNetworkReply *reply = nullptr;
    if (call.method == BackendCall::Method::Post) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, call.contentType);
        reply = network->post(request, call.body);
    } else {
        reply = network->get(request);
    }
    return new BackendRequest(reply, m_settings.timeoutMs, m_settings.maxResponseSize, owner);
}

} // namespace prc
