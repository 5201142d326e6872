// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/resultclass.h"

#include "modes/lookupanswer.h"
#include "protocol/policycodec.h"

namespace prc {

QLatin1String resultClassName(ResultClass resultClass)
{
    switch (resultClass) {
    case ResultClass::Found:
        return QLatin1String("found");
    case ResultClass::NotFound:
        return QLatin1String("not_found");
    case ResultClass::TempError:
        return QLatin1String("temp_error");
    case ResultClass::PermError:
        return QLatin1String("perm_error");
    case ResultClass::PolicyAction:
        return QLatin1String("policy_action");
    case ResultClass::Malformed:
        return QLatin1String("malformed");
    }
    return QLatin1String("unknown");
}

ResultClass classifyResult(EndpointMode mode, const BackendResult &result, const LookupShape &shape)
{
    if (mode == EndpointMode::Policy) {
        // Mirrors PolicyHandler::reply(): only a usable 200 action is passed on, everything else defers.
        if (result.outcome != BackendResult::Outcome::Response || result.status != 200)
            return ResultClass::TempError;
        const QByteArray action = PolicyCodec::firstLine(result.body);
        if (action.isEmpty() || action.size() > PolicyCodec::MaxActionSize)
            return ResultClass::TempError;
        return ResultClass::PolicyAction;
    }

    switch (LookupAnswer::interpret(result, shape).kind) {
    case LookupAnswer::Kind::Found:
        return ResultClass::Found;
    case LookupAnswer::Kind::NotFound:
        return ResultClass::NotFound;
    case LookupAnswer::Kind::Permanent:
        // tcp_table has no permanent-error reply: Postfix gets a temporary one.
        return mode == EndpointMode::SocketmapLookup ? ResultClass::PermError : ResultClass::TempError;
    case LookupAnswer::Kind::Timeout:
    case LookupAnswer::Kind::Temporary:
        return ResultClass::TempError;
    }
    return ResultClass::TempError;
}

ResultClass classifyReply(EndpointMode mode, const BackendResult &result, const QByteArray &reply)
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        if (reply.startsWith("200 "))
            return ResultClass::Found;
        if (reply.startsWith("500 "))
            return ResultClass::NotFound;
        return ResultClass::TempError;
    case EndpointMode::SocketmapLookup: {
        // A netstring: "LENGTH:STATUS data,".
        const QByteArrayView payload = QByteArrayView(reply).sliced(reply.indexOf(':') + 1);
        if (payload.startsWith("OK "))
            return ResultClass::Found;
        if (payload.startsWith("NOTFOUND "))
            return ResultClass::NotFound;
        if (payload.startsWith("PERM "))
            return ResultClass::PermError;
        return ResultClass::TempError;
    }
    case EndpointMode::Policy:
        return classifyResult(mode, result);
    }
    return ResultClass::TempError;
}

bool isBackendFailure(const BackendResult &result)
{
    switch (result.outcome) {
    case BackendResult::Outcome::Timeout:
    case BackendResult::Outcome::NetworkError:
        return true;
    case BackendResult::Outcome::TooLarge:
        return false;
    case BackendResult::Outcome::Response:
        return result.status >= 500;
    }
    return false;
}

} // namespace prc
