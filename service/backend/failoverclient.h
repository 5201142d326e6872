// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendclient.h"
#include "backend/backendtargets.h"
#include "backend/queuedcalllimit.h"

#include <memory>

namespace prc {

class EndpointMetrics;

/// The BackendClient of an endpoint with several targets, a circuit breaker or max-queued-calls: every call
/// is a FailoverCall over the client that does the HTTP.
class FailoverClient : public BackendClient
{
    Q_OBJECT

public:
    FailoverClient(std::unique_ptr<BackendClient> inner, const EndpointConfig &config,
                   std::shared_ptr<EndpointMetrics> metrics, QObject *parent = nullptr);
    ~FailoverClient() override;

    /// `inner` itself when the config asks for none of failover, circuit breaker and max-queued-calls, so
    /// such an endpoint works exactly as before; else a FailoverClient around it.
    static std::unique_ptr<BackendClient> wrap(std::unique_ptr<BackendClient> inner,
                                               const EndpointConfig &config,
                                               std::shared_ptr<EndpointMetrics> metrics);

    BackendRequest *start(const BackendCall &call, const QByteArray &requestId, QObject *owner) override;
    QLatin1String kind() const override { return m_inner->kind(); }

    BackendTargets &targets() { return m_targets; }

private:
    std::unique_ptr<BackendClient> m_inner;
    BackendTargets m_targets;
    QueuedCallLimit m_limit;
};

} // namespace prc
