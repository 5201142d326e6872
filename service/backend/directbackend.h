// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backend.h"
#include "config/endpointconfig.h"

#include <memory>

namespace prc {

class BackendClient;
class EndpointMetrics;

/// Every lookup is a backend call of its own, owned by the receiver: a session that goes away aborts it.
class DirectBackend : public Backend
{
    Q_OBJECT

public:
    /// name: the endpoint's, for log lines.
    DirectBackend(const QString &name, EndpointMode mode, BackendClient &client,
                  std::shared_ptr<EndpointMetrics> metrics, QObject *parent = nullptr);

    void lookup(const BackendCall &call, const QByteArray &requestId, QObject *receiver,
                Callback callback) override;

    /// How the endpoint reads lookup answers, so a result is classified as the handler answers it.
    void setLookupShape(const LookupShape &shape) { m_shape = shape; }

private:
    QString m_name;
    EndpointMode m_mode;
    LookupShape m_shape;
    BackendClient &m_client;
    std::shared_ptr<EndpointMetrics> m_metrics;
};

} // namespace prc
