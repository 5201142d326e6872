// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "config/endpointconfig.h"
#include "modes/lookupanswer.h"

#include <QLatin1String>

namespace prc {

/// What kind of answer a Postfix request got, for metrics and for the cache's positive/negative TTLs.
enum class ResultClass {
    Found,        ///< lookup: the key has values
    NotFound,     ///< lookup: 404 or []
    TempError,    ///< any temporary error reply (backend down, timeout, 5xx, unusable body, ...)
    PermError,    ///< socketmap-lookup: the backend rejected the request (4xx other than 404)
    PolicyAction, ///< policy: the backend's action was passed on
    Malformed,    ///< the request itself was unusable; the backend was not asked
};

constexpr int ResultClassCount = int(ResultClass::Malformed) + 1;

/// The label value used in metrics: found, not_found, temp_error, perm_error, policy_action, malformed.
QLatin1String resultClassName(ResultClass resultClass);

/// Classifies a backend result the way the endpoint's mode handler answers it.
/// shape: how a lookup endpoint reads answers (value-path, not-found-statuses).
ResultClass classifyResult(EndpointMode mode, const BackendResult &result, const LookupShape &shape = {});

/// Classifies the reply a mode handler made from `result` by its status word (tcp_table code, socketmap
/// status), so the hot path does not parse the backend's JSON a second time; policy replies are classified
/// from result.
ResultClass classifyReply(EndpointMode mode, const BackendResult &result, const QByteArray &reply);

/// True when the backend itself failed (timeout, network error, 5xx): the case stale-if-error covers.
bool isBackendFailure(const BackendResult &result);

} // namespace prc
