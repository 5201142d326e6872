// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "backend/backendsettings.h"
#include "backend/requestdeadlines.h"

#include <QByteArray>
#include <QLatin1String>
#include <QObject>
#include <QSet>

#include <memory>

namespace prc {

class BackendRequest;

/// The HTTP side of one endpoint. Two implementations carry the same contract: "curl" (libcurl's multi-socket
/// API on this event loop, the default) and "qt" (QNetworkAccessManager). Every call carries User-Agent,
/// X-Auth-Token, X-Request-Id and Accept; request-timeout bounds the whole call; redirects are never
/// followed; no proxy is taken from the environment; max-response-size applies to the decoded body as it
/// arrives.
///
/// Requests are owned by whoever started them, not by the client. When the client goes first, it stops the
/// transfers of the requests still alive, and they fail on the next event loop pass.
class BackendClient : public QObject
{
    Q_OBJECT

public:
    ~BackendClient() override;

    static std::unique_ptr<BackendClient> create(const BackendSettings &settings, QObject *parent = nullptr);

    /// Starts a call. The returned request is owned by `owner`; it emits finished() exactly once, at the
    /// latest when the timeout elapses. Deleting it aborts the call.
    virtual BackendRequest *start(const BackendCall &call, const QByteArray &requestId, QObject *owner) = 0;

    /// "curl" or "qt", as in the config.
    virtual QLatin1String kind() const = 0;

    const BackendSettings &settings() const { return m_settings; }
    int activeRequests() const { return int(m_requests.size()); }

protected:
    explicit BackendClient(BackendSettings settings, QObject *parent);

    /// Every implementation calls this first in its destructor, while the transport still exists.
    void detachRequests();
    /// The value of the Accept header for a call.
    static QByteArray acceptFor(const BackendCall &call);

private:
    friend class BackendRequest;
    void track(BackendRequest *request) { m_requests.insert(request); }
    void untrack(BackendRequest *request) { m_requests.remove(request); }
    RequestDeadlines &deadlines() { return m_deadlines; }

    BackendSettings m_settings;
    QSet<BackendRequest *> m_requests;
    RequestDeadlines m_deadlines; ///< the timeouts of m_requests
};

} // namespace prc
