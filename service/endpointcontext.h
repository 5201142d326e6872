// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <memory>

namespace prc {

class BackendClient;
class ModeHandler;

/// What the sessions of one endpoint share: the protocol handler, the backend client and the limits.
/// Sessions hold it by shared_ptr, so a reload can give new connections a new context while connections that
/// are still open finish with the one they started with.
class EndpointContext
{
public:
    EndpointContext(const EndpointConfig &config, const QString &userAgent);
    ~EndpointContext();

    EndpointContext(const EndpointContext &) = delete;
    EndpointContext &operator=(const EndpointContext &) = delete;

    const EndpointConfig &config() const { return m_config; }
    const ModeHandler &handler() const { return *m_handler; }
    BackendClient &backend() const { return *m_backend; }

    static std::unique_ptr<ModeHandler> createHandler(const EndpointConfig &config);

private:
    EndpointConfig m_config;
    std::unique_ptr<ModeHandler> m_handler;
    std::unique_ptr<BackendClient> m_backend;
};

} // namespace prc
