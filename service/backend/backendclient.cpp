// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/backendclient.h"

#include "backend/backendrequest.h"
#include "backend/qt/qtbackendclient.h"

#ifdef PRC_HAVE_CURL
#include "backend/curl/curlbackendclient.h"
#endif

namespace prc {

BackendClient::BackendClient(BackendSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{
}

BackendClient::~BackendClient()
{
    detachRequests();
}

std::unique_ptr<BackendClient> BackendClient::create(const BackendSettings &settings, QObject *parent)
{
#ifdef PRC_HAVE_CURL
    if (settings.kind == BackendClientKind::Curl)
        return std::make_unique<CurlBackendClient>(settings, parent);
#endif
    return std::make_unique<QtBackendClient>(settings, parent);
}

void BackendClient::detachRequests()
{
    // detach() untracks; iterate over a copy.
    const QSet<BackendRequest *> requests = m_requests;
    for (BackendRequest *request : requests)
        request->detach();
    m_requests.clear();
}

QByteArray BackendClient::acceptFor(const BackendCall &call)
{
    return call.method == BackendCall::Method::Get ? QByteArrayLiteral("application/json")
                                                   : QByteArrayLiteral("text/plain, */*");
}

} // namespace prc
