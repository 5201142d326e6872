// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/directbackend.h"

#include "backend/backendclient.h"
#include "backend/backendrequest.h"
#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

namespace prc {

QLatin1String Backend::sourceName(Source source)
{
    switch (source) {
    case Source::Backend:
        return QLatin1String("backend");
    case Source::Coalesced:
        return QLatin1String("coalesced");
    case Source::Cache:
        return QLatin1String("cache");
    case Source::Stale:
        return QLatin1String("stale");
    case Source::Shared:
        return QLatin1String("shared");
    }
    return QLatin1String("unknown");
}

DirectBackend::DirectBackend(const QString &name, EndpointMode mode, BackendClient &client,
                             std::shared_ptr<EndpointMetrics> metrics, QObject *parent)
    : Backend(parent)
    , m_name(name)
    , m_mode(mode)
    , m_client(client)
    , m_metrics(std::move(metrics))
{
}

void DirectBackend::lookup(const BackendCall &call, const QByteArray &requestId, QObject *receiver,
                           Callback callback)
{
    BackendRequest *request = m_client.start(call, requestId, receiver);
    // Captures values, not this: the request belongs to the receiver and may outlive this object.
    connect(request, &BackendRequest::finished, receiver,
            [request, requestId, name = m_name, mode = m_mode, shape = m_shape, metrics = m_metrics,
             callback = std::move(callback)](const BackendResult &result) {
                request->deleteLater();
                const ResultClass resultClass = classifyResult(mode, result, shape);
                if (metrics->recordBackendCall(result, resultClass)) {
                    qCWarning(lcBackend).noquote()
                        << requestId << name << "backend call failed:" << result.failureText()
                        << QStringLiteral("(%1 ms)").arg(result.elapsedMs);
                }
                callback(result, resultClass, Source::Backend);
            });
}

} // namespace prc
