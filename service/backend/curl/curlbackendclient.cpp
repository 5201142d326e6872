// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/curl/curlbackendclient.h"

#include "backend/curl/curlbackendrequest.h"
#include "backend/curl/curlmulti.h"

#include <algorithm>

namespace prc {
namespace {

/// curl_global_init is not thread-safe before 7.84 and must run before the first handle: once per process.
void initCurlOnce()
{
    static const bool initialised = [] {
        return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    }();
    Q_UNUSED(initialised);
}

curl_slist *append(curl_slist *list, const QByteArray &line)
{
    curl_slist *grown = curl_slist_append(list, line.constData());
    return grown ? grown : list;
}

} // namespace

CurlBackendClient::CurlBackendClient(BackendSettings settings, QObject *parent)
    : BackendClient(std::move(settings), parent)
    , m_userAgent(this->settings().userAgent.toUtf8())
    , m_authTokenHeader("X-Auth-Token: " + this->settings().authToken.toUtf8())
    , m_unixSocket(this->settings().unixSocket.toLocal8Bit())
    , m_caFile(this->settings().tls.caFile.toLocal8Bit())
    , m_clientCert(this->settings().tls.clientCert.toLocal8Bit())
    , m_clientKey(this->settings().tls.clientKey.toLocal8Bit())
{
    initCurlOnce();
    m_multi = new CurlMulti([this](CURL *easy, CURLcode result) { onTransferDone(easy, result); }, this);

    const long connections = this->settings().connections;
    // HTTP/1.1 carries one call per connection at a time; HTTP/2 multiplexes up to the server's stream limit
    // (commonly 100) on each.
    m_maxActive = int(connections) * (this->settings().http2 ? 100 : 1);
    CURLM *multi = m_multi->handle();
    // Exactly backend-connections connections, kept open between calls. Calls beyond them wait in this
    // client's queue, not curl's: curl walks all its transfers whenever one ends, which at a thousand waiting
    // calls cost more than the calls themselves.
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, connections);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING,
                      this->settings().http2 ? long(CURLPIPE_MULTIPLEX) : long(CURLPIPE_NOTHING));
}

CurlBackendClient::~CurlBackendClient()
{
    m_maxActive = 0; // stopping a transfer must not start a waiting one now
    detachRequests();
    for (CURL *easy : m_idle)
        curl_easy_cleanup(easy);
    m_idle.clear();
    delete m_multi;
}

CURL *CurlBackendClient::takeEasyHandle()
{
    if (!m_idle.empty()) {
        CURL *easy = m_idle.back();
        m_idle.pop_back();
        return easy;
    }
    CURL *easy = curl_easy_init();
    if (easy) {
        m_multi->prepare(easy);
        configure(easy);
    }
    return easy;
}

void CurlBackendClient::configure(CURL *easy) const
{
    const BackendSettings &config = settings();
    // What every call of this endpoint shares; set once per handle, kept while the handle is reused.
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // Never a proxy from the environment: curl would read http_proxy and friends on every transfer.
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    // Likewise no_proxy: unset, curl looks both spellings up in the environment for every transfer.
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, m_userAgent.constData());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     config.http2 ? long(CURL_HTTP_VERSION_2TLS) : long(CURL_HTTP_VERSION_1_1));
    // A backstop: the request's own timer ends the call first.
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(config.timeoutMs) + 1000L);
    // A declared body larger than the limit fails before it is read.
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(config.maxResponseSize));
    if (!m_unixSocket.isEmpty())
        curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, m_unixSocket.constData());
    if (!m_caFile.isEmpty())
        curl_easy_setopt(easy, CURLOPT_CAINFO, m_caFile.constData());
    if (!m_clientCert.isEmpty()) {
        curl_easy_setopt(easy, CURLOPT_SSLCERT, m_clientCert.constData());
        curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(easy, CURLOPT_SSLKEY,
                         m_clientKey.isEmpty() ? m_clientCert.constData() : m_clientKey.constData());
        curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (!config.tls.verify) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

BackendRequest *CurlBackendClient::start(const BackendCall &call, const QByteArray &requestId, QObject *owner)
{
    CURL *easy = takeEasyHandle();

    curl_slist *headers = nullptr;
    headers = append(headers, m_authTokenHeader);
    headers = append(headers, "X-Request-Id: " + requestId);
    headers = append(headers, "Accept: " + acceptFor(call));
    // curl would otherwise ask for "100 Continue" before larger POST bodies and wait up to a second for it.
    headers = append(headers, QByteArrayLiteral("Expect:"));
    QByteArray postBody;
    if (call.method == BackendCall::Method::Post) {
        headers = append(headers, "Content-Type: " + call.contentType);
        postBody = call.body;
    }

    auto *request = new CurlBackendRequest(this, easy, headers, std::move(postBody), owner);
    if (easy) {
        const QByteArray url = call.url.toEncoded();
        curl_easy_setopt(easy, CURLOPT_URL, url.constData()); // curl copies the string
    }
    request->begin();
    return request;
}

bool CurlBackendClient::addTransfer(CURL *easy)
{
    // First come, first served: a call never overtakes one that waits.
    if (m_active >= m_maxActive || !m_waiting.empty()) {
        m_waiting.push_back(easy);
        return true;
    }
    if (!m_multi->add(easy))
        return false;
    ++m_active;
    return true;
}

void CurlBackendClient::removeTransfer(CURL *easy)
{
    const auto waiting = std::find(m_waiting.begin(), m_waiting.end(), easy);
    if (waiting != m_waiting.end()) {
        m_waiting.erase(waiting);
        return;
    }
    m_multi->remove(easy);
    --m_active;
    startWaiting();
}

void CurlBackendClient::startWaiting()
{
    while (m_active < m_maxActive && !m_waiting.empty()) {
        CURL *easy = m_waiting.front();
        m_waiting.pop_front();
        if (m_multi->add(easy)) {
            ++m_active;
            continue;
        }
        // Cannot happen with a valid handle; fail the call rather than let it wait for its timeout.
        if (CurlBackendRequest *request = requestOf(easy))
            request->transferDone(CURLE_FAILED_INIT);
    }
}

void CurlBackendClient::recycle(CURL *easy)
{
    // Per-call options are set again by the next call; the ones of configure() stay.
    curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
    m_idle.push_back(easy);
}

CurlBackendRequest *CurlBackendClient::requestOf(CURL *easy)
{
    char *privateData = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &privateData);
    return reinterpret_cast<CurlBackendRequest *>(privateData);
}

void CurlBackendClient::onTransferDone(CURL *easy, CURLcode result)
{
    // The multi handle has let go of it: the next waiting call takes its place before anyone hears of this
    // one (whose callback may start more calls).
    --m_active;
    startWaiting();
    if (CurlBackendRequest *request = requestOf(easy))
        request->transferDone(result);
    else
        recycle(easy);
}

} // namespace prc
