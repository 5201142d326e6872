// SPDX-License-Identifier: GPL-3.0-or-later
#include "lookuprequest.h"

#include "protocol/socketmapcodec.h"
#include "protocol/tcptablecodec.h"

namespace prc {

QByteArray LookupRequest::encode() const
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        return TcpTableCodec::requestLine(key);
    case EndpointMode::SocketmapLookup:
        return SocketmapCodec::request(mapName, key);
    case EndpointMode::Policy:
        return PolicyCodec::request(attributes);
    }
    return {};
}

LookupRequest LookupRequest::tcp(const QByteArray &key)
{
    LookupRequest request;
    request.mode = EndpointMode::TcpLookup;
    request.key = key;
    return request;
}

LookupRequest LookupRequest::socketmap(const QByteArray &mapName, const QByteArray &key)
{
    LookupRequest request;
    request.mode = EndpointMode::SocketmapLookup;
    request.mapName = mapName;
    request.key = key;
    return request;
}

LookupRequest LookupRequest::policy(const PolicyCodec::Attributes &attributes)
{
    LookupRequest request;
    request.mode = EndpointMode::Policy;
    request.attributes = attributes;
    return request;
}

} // namespace prc
