// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpointcontext.h"

#include "backendclient.h"
#include "policyhandler.h"
#include "socketmaplookuphandler.h"
#include "tcplookuphandler.h"

namespace prc {

EndpointContext::EndpointContext(const EndpointConfig &config, const QString &userAgent)
    : m_config(config)
    , m_handler(createHandler(config))
    , m_backend(std::make_unique<BackendClient>(BackendClient::Settings{
          userAgent, config.authToken, config.requestTimeoutMs, config.maxResponseSize}))
{
}

EndpointContext::~EndpointContext() = default;

std::unique_ptr<ModeHandler> EndpointContext::createHandler(const EndpointConfig &config)
{
    const qsizetype maxRequest = config.effectiveMaxRequestSize();
    switch (config.mode) {
    case EndpointMode::TcpLookup:
        return std::make_unique<TcpLookupHandler>(config.target, config.listSeparator.toUtf8(), maxRequest);
    case EndpointMode::SocketmapLookup:
        return std::make_unique<SocketmapLookupHandler>(config.target, config.listSeparator.toUtf8(), maxRequest);
    case EndpointMode::Policy:
        return std::make_unique<PolicyHandler>(config.target, maxRequest);
    }
    return nullptr;
}

} // namespace prc
