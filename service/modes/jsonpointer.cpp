// SPDX-License-Identifier: GPL-3.0-or-later
#include "modes/jsonpointer.h"

#include <QJsonArray>
#include <QJsonObject>

namespace prc {
namespace {

/// RFC 6901 array-index: "0" or digits without a leading zero. "-" (past the end) never resolves here.
std::optional<qsizetype> arrayIndex(const QString &token)
{
    if (token.isEmpty() || token.size() > 9 || (token.size() > 1 && token.at(0) == QLatin1Char('0')))
        return std::nullopt;
    for (QChar c : token) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return std::nullopt;
    }
    return token.toLongLong();
}

} // namespace

std::optional<JsonPointer> JsonPointer::parse(const QString &text, QString *problem)
{
    JsonPointer pointer;
    pointer.m_text = text;
    if (text.isEmpty())
        return pointer;
    const auto fail = [&](const QString &why) -> std::optional<JsonPointer> {
        if (problem)
            *problem = why;
        return std::nullopt;
    };
    if (!text.startsWith(QLatin1Char('/')))
        return fail(QStringLiteral("must be empty or start with \"/\""));
    // Split first, unescape after: "~1" stands for a "/" inside a token, not for a separator.
    const QStringList raw = text.mid(1).split(QLatin1Char('/'));
    for (const QString &token : raw) {
        QString unescaped;
        unescaped.reserve(token.size());
        for (qsizetype i = 0; i < token.size(); ++i) {
            if (token.at(i) != QLatin1Char('~')) {
                unescaped += token.at(i);
                continue;
            }
            const QChar next = i + 1 < token.size() ? token.at(i + 1) : QChar();
            if (next == QLatin1Char('0'))
                unescaped += QLatin1Char('~');
            else if (next == QLatin1Char('1'))
                unescaped += QLatin1Char('/');
            else
                return fail(QStringLiteral("\"~\" must be followed by 0 or 1"));
            ++i;
        }
        pointer.m_tokens.append(unescaped);
    }
    return pointer;
}

QJsonValue JsonPointer::resolve(const QJsonValue &document) const
{
    QJsonValue current = document;
    for (const QString &token : m_tokens) {
        if (current.isObject()) {
            const QJsonObject object = current.toObject();
            const auto it = object.constFind(token);
            if (it == object.constEnd())
                return QJsonValue(QJsonValue::Undefined);
            current = it.value();
        } else if (current.isArray()) {
            const QJsonArray array = current.toArray();
            const auto index = arrayIndex(token);
            if (!index || *index >= array.size())
                return QJsonValue(QJsonValue::Undefined);
            current = array.at(*index);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return current;
}

} // namespace prc
