// SPDX-License-Identifier: GPL-3.0-or-later
#include "modes/lookupanswer.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace prc {

LookupAnswer LookupAnswer::interpret(const BackendResult &result)
{
    LookupAnswer answer;
    switch (result.outcome) {
    case BackendResult::Outcome::Timeout:
        answer.kind = Kind::Timeout;
        answer.reason = result.error;
        return answer;
    case BackendResult::Outcome::NetworkError:
    case BackendResult::Outcome::TooLarge:
        answer.kind = Kind::Temporary;
        answer.reason = result.error;
        return answer;
    case BackendResult::Outcome::Response:
        break;
    }

    if (result.status == 404) {
        answer.kind = Kind::NotFound;
        return answer;
    }
    if (result.status >= 400 && result.status < 500) {
        answer.kind = Kind::Permanent;
        answer.reason = QStringLiteral("backend rejected the request with status %1").arg(result.status);
        return answer;
    }
    if (result.status != 200) {
        answer.kind = Kind::Temporary;
        answer.reason = QStringLiteral("unexpected backend status %1").arg(result.status);
        return answer;
    }

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(result.body, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray()) {
        answer.kind = Kind::Temporary;
        answer.reason = error.error != QJsonParseError::NoError
                            ? QStringLiteral("invalid JSON from backend: %1").arg(error.errorString())
                            : QStringLiteral("backend response is not a JSON array");
        return answer;
    }
    const QJsonArray array = document.array();
    for (const QJsonValue &value : array) {
        if (!value.isString()) {
            answer.kind = Kind::Temporary;
            answer.reason = QStringLiteral("backend response array holds a non-string value");
            answer.values.clear();
            return answer;
        }
        answer.values.append(value.toString().toUtf8());
    }
    answer.kind = answer.values.isEmpty() ? Kind::NotFound : Kind::Found;
    return answer;
}

QByteArray LookupAnswer::joined(const QByteArray &separator) const
{
    return values.join(separator);
}

} // namespace prc
