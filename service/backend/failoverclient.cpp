// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/failoverclient.h"

#include "backend/backendrequest.h"
#include "backend/failovercall.h"

namespace prc {
namespace {

// The FailoverCall bounds the attempts with request-timeout; the request's own timer only backs it up.
constexpr int BackupTimerMarginMs = 250;

/// A BackendRequest whose transfer is a FailoverCall.
class FailoverRequest : public BackendRequest
{
public:
    FailoverRequest(BackendClient *client, QObject *owner)
        : BackendRequest(client, client->settings().timeoutMs + BackupTimerMarginMs,
                         client->settings().maxResponseSize, owner)
    {
    }

    void run(FailoverCall *call, QueuedCallLimit *limit)
    {
        m_call = call;
        call->setParent(this);
        QObject::connect(call, &FailoverCall::finished, this, [this](const BackendResult &result) {
            m_call->deleteLater(); // never inside its own signal
            m_call = nullptr;
            if (result.outcome != BackendResult::Outcome::Response) {
                fail(result.outcome, result.error);
                return;
            }
            if (!appendBody(result.body.constData(), result.body.size())) {
                failTooLarge();
                return;
            }
            complete(result.status, result.cacheControl);
        });
        call->begin(limit);
    }

protected:
    void abortTransfer() override
    {
        delete m_call;
        m_call = nullptr;
    }

private:
    FailoverCall *m_call = nullptr;
};

} // namespace

FailoverClient::FailoverClient(std::unique_ptr<BackendClient> inner, const EndpointConfig &config,
                               std::shared_ptr<EndpointMetrics> metrics, QObject *parent)
    : BackendClient(inner->settings(), parent)
    , m_inner(std::move(inner))
    , m_targets(config, metrics)
    , m_limit(config.backendConnections, config.maxQueuedCalls, metrics)
{
}

FailoverClient::~FailoverClient()
{
    detachRequests();
}

std::unique_ptr<BackendClient> FailoverClient::wrap(std::unique_ptr<BackendClient> inner,
                                                    const EndpointConfig &config,
                                                    std::shared_ptr<EndpointMetrics> metrics)
{
    if (config.failoverTargets.isEmpty() && !config.circuitBreaker.enabled
        && config.maxQueuedCalls == EndpointConfig::UnboundedQueue)
        return inner;
    return std::make_unique<FailoverClient>(std::move(inner), config, std::move(metrics));
}

BackendRequest *FailoverClient::start(const BackendCall &call, const QByteArray &requestId, QObject *owner)
{
    auto *request = new FailoverRequest(this, owner);
    BackendClient *inner = m_inner.get();
    auto *failover = new FailoverCall(
        m_targets,
        [inner, requestId](const BackendCall &attempt, QObject *attemptOwner) {
            return inner->start(attempt, requestId, attemptOwner);
        },
        call, requestId, settings().timeoutMs);
    request->run(failover, &m_limit);
    return request;
}

} // namespace prc
