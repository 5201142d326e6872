// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "metrics/resultclass.h"

#include <QByteArray>
#include <QLatin1String>
#include <QObject>

#include <functional>

namespace prc {

/// The one way a session gets an answer for a backend call: straight from the backend (DirectBackend) or
/// through the endpoint's answer cache (CachingBackend). Either way each backend call is counted in the
/// metrics and a failed one is logged once, with the request id the backend saw.
class Backend : public QObject
{
    Q_OBJECT

public:
    enum class Source {
        Backend,   ///< this request's own backend call
        Coalesced, ///< another request's identical backend call
        Cache,     ///< a fresh cache entry; no backend call
        Stale,     ///< an expired entry, because the backend failed
        Shared,    ///< a fresh entry of the shared tier (Redis); no backend call
    };

    /// Gets the answer, how the endpoint's mode classifies it, and where it came from.
    using Callback = std::function<void(const BackendResult &result, ResultClass resultClass, Source source)>;

    using QObject::QObject;

    /// Answers a call: at once, or once the backend call ends (bounded by request-timeout). The callback
    /// never runs after `receiver` is destroyed.
    virtual void lookup(const BackendCall &call, const QByteArray &requestId, QObject *receiver,
                        Callback callback) = 0;

    static QLatin1String sourceName(Source source);
};

} // namespace prc
