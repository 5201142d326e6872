// SPDX-License-Identifier: GPL-3.0-or-later
#include "modes/lookupanswer.h"

#include "jsontypename.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace prc {

LookupAnswer LookupAnswer::interpret(const BackendResult &result, const LookupShape &shape)
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

    if (shape.notFoundStatuses.contains(result.status)) {
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
    if (error.error != QJsonParseError::NoError) {
        answer.kind = Kind::Temporary;
        answer.reason = QStringLiteral("invalid JSON from backend: %1").arg(error.errorString());
        return answer;
    }
    QJsonArray array;
    if (shape.valuePath.isWholeDocument()) {
        if (!document.isArray()) {
            answer.kind = Kind::Temporary;
            answer.reason = QStringLiteral("backend response is not a JSON array");
            return answer;
        }
        array = document.array();
    } else {
        const QJsonValue root =
            document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
        const QJsonValue value = shape.valuePath.resolve(root);
        if (value.isUndefined()) {
            answer.kind = Kind::NotFound;
            return answer;
        }
        if (value.isString()) {
            answer.kind = Kind::Found;
            answer.values.append(value.toString().toUtf8());
            return answer;
        }
        if (!value.isArray()) {
            answer.kind = Kind::Temporary;
            answer.reason = QStringLiteral("backend value at %1 is %2, not a string or an array of strings")
                                .arg(shape.valuePath.text(), jsonTypeName(value));
            return answer;
        }
        array = value.toArray();
    }
    for (const QJsonValue &value : std::as_const(array)) {
        if (!value.isString()) {
            answer.kind = Kind::Temporary;
            answer.reason = shape.valuePath.isWholeDocument()
                                ? QStringLiteral("backend response array holds a non-string value")
                                : QStringLiteral("backend array at %1 holds a non-string value")
                                      .arg(shape.valuePath.text());
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
