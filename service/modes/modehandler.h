// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "protocol/frame.h"

#include <QByteArray>

#include <optional>

namespace prc {

/// The protocol-specific part of an endpoint: framing, turning a request into a backend call, and turning the
/// backend's answer into the protocol's reply. Stateless and free of sockets, so every mapping is
/// unit-testable.
class ModeHandler
{
public:
    virtual ~ModeHandler() = default;

    /// What to do with one framed request.
    struct Prepared
    {
        std::optional<BackendCall> call; ///< set: ask the backend, then reply()
        QByteArray immediateReply;       ///< used when call is not set (malformed request)
        bool closeAfterReply = false;    ///< the stream cannot be trusted any more
        QByteArray logKey;               ///< what the request asked for, for debug logs
    };

    virtual Frame takeRequest(QByteArray &buffer) const = 0;
    virtual Prepared prepare(const QByteArray &frame, const QByteArray &requestId) const = 0;
    virtual QByteArray reply(const BackendResult &result, const QByteArray &requestId) const = 0;
    /// The reply sent before closing a connection whose stream is broken (oversized or unparsable framing).
    virtual QByteArray invalidStreamReply(const QString &reason, const QByteArray &requestId) const = 0;
};

} // namespace prc
