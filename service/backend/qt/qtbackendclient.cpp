// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/qt/qtbackendclient.h"

#include "backend/qt/qtbackendrequest.h"
#include "config/tlsfiles.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace prc {

QtBackendClient::QtBackendClient(BackendSettings settings, QObject *parent)
    : BackendClient(std::move(settings), parent)
    , m_userAgent(this->settings().userAgent.toUtf8())
    , m_authToken(this->settings().authToken.toUtf8())
    , m_tls(QSslConfiguration::defaultConfiguration())
{
    const TlsConfig &tls = this->settings().tls;
    if (!tls.caFile.isEmpty())
        m_tls.setCaCertificates(TlsFiles::certificates(tls.caFile));
    if (!tls.clientCert.isEmpty()) {
        const QList<QSslCertificate> chain = TlsFiles::certificates(tls.clientCert);
        if (!chain.isEmpty())
            m_tls.setLocalCertificateChain(chain);
        m_tls.setPrivateKey(TlsFiles::privateKey(tls.clientKey.isEmpty() ? tls.clientCert : tls.clientKey));
    }
    if (!tls.verify)
        m_tls.setPeerVerifyMode(QSslSocket::VerifyNone);

    const int connections = this->settings().connections;
    const int managers = std::max(1, (connections + ConnectionsPerManager - 1) / ConnectionsPerManager);
    for (int i = 0; i < managers; ++i) {
        auto *network = new QNetworkAccessManager(this);
        // Lookups must be answered by the configured backend only, never through a proxy guessed from the
        // environment.
        network->setProxy(QNetworkProxy::NoProxy);
        network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_managers.push_back(network);
    }
}

QtBackendClient::~QtBackendClient()
{
    // The replies must go before their managers do.
    detachRequests();
}

BackendRequest *QtBackendClient::start(const BackendCall &call, const QByteArray &requestId, QObject *owner)
{
    const BackendSettings &config = settings();
    QNetworkRequest request(call.url);
    request.setRawHeader(QByteArrayLiteral("User-Agent"), m_userAgent);
    request.setRawHeader(QByteArrayLiteral("X-Auth-Token"), m_authToken);
    request.setRawHeader(QByteArrayLiteral("X-Request-Id"), requestId);
    request.setRawHeader(QByteArrayLiteral("Accept"), acceptFor(call));
    // A redirect is answered as an error rather than followed: following it would send the auth token
    // elsewhere.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, config.http2);
    if (config.http2 && call.url.scheme() == QLatin1String("http"))
        request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
    if (call.url.scheme() == QLatin1String("https"))
        request.setSslConfiguration(m_tls);

    QNetworkAccessManager *network = m_managers[m_next];
    m_next = (m_next + 1) % m_managers.size();

    QNetworkReply *reply = nullptr;
    if (call.method == BackendCall::Method::Post) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, call.contentType);
        reply = network->post(request, call.body);
    } else {
        reply = network->get(request);
    }
    if (!config.tls.verify)
        reply->ignoreSslErrors();
    return new QtBackendRequest(this, reply, owner);
}

} // namespace prc
