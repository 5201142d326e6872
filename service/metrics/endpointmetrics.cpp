// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/endpointmetrics.h"

#include <algorithm>
#include <optional>

namespace prc {
namespace {

} // namespace

std::optional<BackendErrorKind> backendErrorKind(const BackendResult &result, ResultClass resultClass)
{
    switch (result.outcome) {
    case BackendResult::Outcome::Timeout:
        return BackendErrorKind::Timeout;
    case BackendResult::Outcome::NetworkError:
        return BackendErrorKind::Network;
    case BackendResult::Outcome::TooLarge:
        return BackendErrorKind::TooLarge;
    case BackendResult::Outcome::Response:
        break;
    }
    // A status the endpoint reads as "not found" (not-found-statuses, 404 by default) is an answer.
    if (resultClass == ResultClass::NotFound)
        return std::nullopt;
    if (result.status >= 500)
        return BackendErrorKind::Status5xx;
    if (result.status >= 400)
        return BackendErrorKind::Status4xx;
    if (result.status != 200)
        return BackendErrorKind::StatusOther;
    if (resultClass == ResultClass::TempError)
        return BackendErrorKind::InvalidResponse;
    return std::nullopt;
}

QLatin1String backendErrorKindName(BackendErrorKind kind)
{
    switch (kind) {
    case BackendErrorKind::Timeout:
        return QLatin1String("timeout");
    case BackendErrorKind::Network:
        return QLatin1String("network");
    case BackendErrorKind::TooLarge:
        return QLatin1String("too_large");
    case BackendErrorKind::Status4xx:
        return QLatin1String("status_4xx");
    case BackendErrorKind::Status5xx:
        return QLatin1String("status_5xx");
    case BackendErrorKind::StatusOther:
        return QLatin1String("status_other");
    case BackendErrorKind::InvalidResponse:
        return QLatin1String("invalid_response");
    }
    return QLatin1String("unknown");
}

std::optional<BackendErrorKind> EndpointMetrics::recordBackendCall(const BackendResult &result,
                                                                   ResultClass resultClass)
{
    ++backendCalls;
    backendDurationSumMs += result.elapsedMs;
    const auto bucket =
        std::lower_bound(DurationBucketsMs.begin(), DurationBucketsMs.end(), result.elapsedMs);
    ++durationBuckets[size_t(bucket - DurationBucketsMs.begin())];
    const std::optional<BackendErrorKind> kind = backendErrorKind(result, resultClass);
    if (kind)
        ++backendErrors[size_t(*kind)];
    return kind;
}

} // namespace prc
