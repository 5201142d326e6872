// SPDX-License-Identifier: GPL-3.0-or-later
#include "backendclient.h"

#include "backendrequest.h"

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
    , m_network(new QNetworkAccessManager(this))
{
    // Lookups must be answered from the configured backend only, never from a cache or a proxy guess.
    m_network->setProxy(QNetworkProxy::NoProxy);
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
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
    // A redirect is answered as an error rather than followed: following it would send the auth token elsewhere.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);

    QNetworkReply *reply = nullptr;
    if (call.method == BackendCall::Method::Post) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, call.contentType);
        reply = m_network->post(request, call.body);
    } else {
        reply = m_network->get(request);
    }
    return new BackendRequest(reply, m_settings.timeoutMs, m_settings.maxResponseSize, owner);
}

} // namespace prc
