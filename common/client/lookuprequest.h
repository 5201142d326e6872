// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"
#include "protocol/policycodec.h"

#include <QByteArray>

namespace prc {

/// One question to ask a Postfix-protocol server, the way Postfix would ask it.
struct LookupRequest
{
    EndpointMode mode = EndpointMode::TcpLookup;
    QByteArray key;                     ///< tcp-lookup and socketmap-lookup
    QByteArray mapName;                 ///< socketmap-lookup: the NAME in socketmap:inet:host:port:NAME
    PolicyCodec::Attributes attributes; ///< policy

    /// The framed bytes Postfix would send for this request.
    QByteArray encode() const;

    static LookupRequest tcp(const QByteArray &key);
    static LookupRequest socketmap(const QByteArray &mapName, const QByteArray &key);
    static LookupRequest policy(const PolicyCodec::Attributes &attributes);
};

} // namespace prc
