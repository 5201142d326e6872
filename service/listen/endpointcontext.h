// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"
#include "modes/lookupanswer.h"

#include <memory>

namespace prc {

class Backend;
class BackendClient;
class CachingBackend;
class DirectBackend;
class Clock;
class EndpointMetrics;
class LookupCache;
class ModeHandler;
class SharedCache;

/// What the sessions of one endpoint share: the protocol handler, the backend client, the answer cache and
/// the limits. Sessions hold it by shared_ptr, so a reload can give new connections a new context while
/// connections that are still open finish with the one they started with. The cache belongs to the context:
/// it survives a reload exactly when the endpoint is unchanged (then the context is kept as it is).
class EndpointContext
{
public:
    /// metrics: the endpoint's counters (shared with the EndpointServer, so they outlive a reload); a private
    /// set is made when null. clock: time for the cache; the steady clock when null.
    EndpointContext(const EndpointConfig &config, const QString &userAgent,
                    std::shared_ptr<EndpointMetrics> metrics = {}, std::shared_ptr<const Clock> clock = {});
    ~EndpointContext();

    EndpointContext(const EndpointContext &) = delete;
    EndpointContext &operator=(const EndpointContext &) = delete;

    const EndpointConfig &config() const { return m_config; }
    const ModeHandler &handler() const { return *m_handler; }
    /// The way to an answer: through the cache when the endpoint has one, else straight to the backend.
    Backend &backend() const;
    /// The HTTP client itself, for calls that bypass cache and metrics (the health probe).
    BackendClient &client() const { return *m_client; }
    EndpointMetrics &metrics() const { return *m_metrics; }
    /// The cache and the way through it; both null when the endpoint's cache is off.
    LookupCache *cache() const { return m_cache.get(); }
    CachingBackend *cachingBackend() const { return m_cachingBackend.get(); }
    /// The shared tier (Redis) behind the cache; null unless cache.shared is set.
    SharedCache *sharedCache() const { return m_sharedCache.get(); }

    static std::unique_ptr<ModeHandler> createHandler(const EndpointConfig &config);
    static LookupShape lookupShape(const EndpointConfig &config);

private:
    EndpointConfig m_config;
    std::unique_ptr<ModeHandler> m_handler;
    std::shared_ptr<EndpointMetrics> m_metrics;
    std::unique_ptr<BackendClient> m_client;
    std::unique_ptr<DirectBackend> m_direct;
    std::unique_ptr<LookupCache> m_cache;
    std::unique_ptr<SharedCache> m_sharedCache;
    // Declared last: destroyed first, aborting its backend calls while the client and cache still exist.
    std::unique_ptr<CachingBackend> m_cachingBackend;
};

} // namespace prc
