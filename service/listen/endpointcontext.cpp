// SPDX-License-Identifier: GPL-3.0-or-later
#include "listen/endpointcontext.h"

#include "backend/backendclient.h"
#include "backend/directbackend.h"
#include "backend/failoverclient.h"
#include "cache/cachingbackend.h"
#include "cache/lookupcache.h"
#include "cache/sharedcache.h"
#include "cache/steadyclock.h"
#include "metrics/endpointmetrics.h"
#include "modes/policyhandler.h"
#include "modes/socketmaplookuphandler.h"
#include "modes/tcplookuphandler.h"

namespace prc {

EndpointContext::EndpointContext(const EndpointConfig &config, const QString &userAgent,
                                 std::shared_ptr<EndpointMetrics> metrics, std::shared_ptr<const Clock> clock)
    : m_config(config)
    , m_handler(createHandler(config))
    , m_metrics(metrics ? std::move(metrics) : std::make_shared<EndpointMetrics>())
    , m_client(FailoverClient::wrap(BackendClient::create(BackendSettings::fromConfig(config, userAgent)),
                                    config, m_metrics))
    , m_direct(std::make_unique<DirectBackend>(config.name, config.mode, *m_client, m_metrics))
{
    m_direct->setLookupShape(lookupShape(config));
    // Policy endpoints too are cached only when their own cache.enabled says so; nothing is on by default.
    if (config.cache.enabled) {
        m_cache = std::make_unique<LookupCache>(
            config.cache, clock ? std::move(clock) : std::make_shared<SteadyClock>(), m_metrics.get());
        if (config.cache.shared.enabled) {
            m_sharedCache =
                std::make_unique<SharedCache>(config.name, config.cache.shared, config.maxResponseSize,
                                              config.requestTimeoutMs, *m_metrics);
        }
        m_cachingBackend = std::make_unique<CachingBackend>(config.name, config.mode, *m_direct, *m_cache,
                                                            *m_metrics, nullptr, m_sharedCache.get());
        m_cachingBackend->setLookupShape(lookupShape(config));
    }
}

EndpointContext::~EndpointContext() = default;

Backend &EndpointContext::backend() const
{
    if (m_cachingBackend)
        return *m_cachingBackend;
    return *m_direct;
}

LookupShape EndpointContext::lookupShape(const EndpointConfig &config)
{
    // The loader has checked the pointer; a config built in code with a bad one reads the whole body.
    return LookupShape{JsonPointer::parse(config.valuePath).value_or(JsonPointer()), config.notFoundStatuses};
}

std::unique_ptr<ModeHandler> EndpointContext::createHandler(const EndpointConfig &config)
{
    const qsizetype maxRequest = config.effectiveMaxRequestSize();
    const LookupShape shape = lookupShape(config);
    switch (config.mode) {
    case EndpointMode::TcpLookup:
        return std::make_unique<TcpLookupHandler>(config.target, config.listSeparator.toUtf8(), maxRequest,
                                                  shape);
    case EndpointMode::SocketmapLookup:
        return std::make_unique<SocketmapLookupHandler>(config.target, config.listSeparator.toUtf8(),
                                                        maxRequest, shape);
    case EndpointMode::Policy:
        return std::make_unique<PolicyHandler>(config.target, maxRequest, config.failureAction);
    }
    return nullptr;
}

} // namespace prc
