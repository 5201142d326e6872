// SPDX-License-Identifier: GPL-3.0-or-later
#include "backenddata.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace prc {

namespace {

constexpr qint64 MaxDataFileSize = 4 * 1024 * 1024;

/// Reads a JSON array of strings; returns nothing (and sets @p error) when @p value is anything else.
std::optional<QStringList> stringList(const QJsonValue &value, const QString &path, QString *error)
{
    if (!value.isArray()) {
        *error = path + QLatin1String(": expected an array of strings");
        return std::nullopt;
    }
    QStringList result;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString()) {
            *error = path + QLatin1Char('[') + QString::number(i) + QLatin1String("]: expected a string");
            return std::nullopt;
        }
        result.append(array.at(i).toString());
    }
    return result;
}

QSet<QString> lowerCaseSet(const QStringList &list)
{
    QSet<QString> result;
    for (const QString &item : list)
        result.insert(item.toLower());
    return result;
}

} // namespace

bool BackendData::PolicyRule::matches(const QString &value) const
{
    const QString lower = value.toLower();
    if (values.contains(lower))
        return true;
    const qsizetype at = lower.lastIndexOf(QLatin1Char('@'));
    return at >= 0 && domains.contains(lower.mid(at + 1));
}

std::optional<BackendData> BackendData::loadFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + QLatin1String(": ") + file.errorString();
        return std::nullopt;
    }
    // Bounded read: a data file is small, and a wrong path (say, a device) must not eat the memory.
    const QByteArray json = file.read(MaxDataFileSize + 1);
    if (json.size() > MaxDataFileSize) {
        *error = path + QLatin1String(": larger than ") + QString::number(MaxDataFileSize)
                 + QLatin1String(" bytes");
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject()) {
        *error = path + QLatin1String(": not a JSON object")
                 + (parseError.error != QJsonParseError::NoError
                        ? QLatin1String(" (") + parseError.errorString() + QLatin1String(" at offset ")
                              + QString::number(parseError.offset) + QLatin1Char(')')
                        : QString());
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    const QString prefix = path + QLatin1String(": ");
    BackendData data;

    for (const char *key : {"tables", "policy"}) {
        const QJsonValue value = root.value(QLatin1String(key));
        if (!value.isUndefined() && !value.isObject()) {
            *error = prefix + QLatin1String(key) + QLatin1String(": expected an object");
            return std::nullopt;
        }
    }
    const QJsonObject tables = root.value(QLatin1String("tables")).toObject();
    for (auto table = tables.begin(); table != tables.end(); ++table) {
        const QString tablePath = QLatin1String("tables.") + table.key();
        if (!table.value().isObject()) {
            *error = prefix + tablePath + QLatin1String(": expected an object of key: [values]");
            return std::nullopt;
        }
        QHash<QString, QStringList> &entries = data.m_tables[table.key()];
        const QJsonObject object = table.value().toObject();
        for (auto entry = object.begin(); entry != object.end(); ++entry) {
            const auto values = stringList(
                entry.value(), prefix + tablePath + QLatin1String("[\"") + entry.key() + QLatin1String("\"]"),
                error);
            if (!values)
                return std::nullopt;
            entries.insert(entry.key().toLower(), *values);
        }
    }

    const QJsonObject policy = root.value(QLatin1String("policy")).toObject();
    const QJsonValue rulesValue = policy.value(QLatin1String("rules"));
    if (!rulesValue.isUndefined() && !rulesValue.isArray()) {
        *error = prefix + QLatin1String("policy.rules: expected an array of rules");
        return std::nullopt;
    }
    const QJsonArray rules = rulesValue.toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const QString rulePath =
            prefix + QLatin1String("policy.rules[") + QString::number(i) + QLatin1Char(']');
        if (!rules.at(i).isObject()) {
            *error = rulePath + QLatin1String(": expected an object");
            return std::nullopt;
        }
        const QJsonObject object = rules.at(i).toObject();
        PolicyRule rule;
        rule.attribute = object.value(QLatin1String("attribute")).toString();
        rule.action = object.value(QLatin1String("action")).toString().trimmed();
        // "values" and "domains" are both optional; a rule needs at least one of them.
        const auto optionalList = [&](const QString &name) {
            const QJsonValue value = object.value(name);
            return value.isUndefined() ? std::optional<QStringList>(QStringList())
                                       : stringList(value, rulePath + QLatin1Char('.') + name, error);
        };
        const auto values = optionalList(QStringLiteral("values"));
        const auto domains = optionalList(QStringLiteral("domains"));
        if (!values || !domains)
            return std::nullopt;
        rule.values = lowerCaseSet(*values);
        rule.domains = lowerCaseSet(*domains);
        if (rule.attribute.isEmpty() || rule.action.isEmpty()
            || (rule.values.isEmpty() && rule.domains.isEmpty())) {
            *error =
                rulePath + QLatin1String(": needs \"attribute\", \"action\" and \"values\" or \"domains\"");
            return std::nullopt;
        }
        data.m_rules.append(rule);
    }
    if (policy.contains(QLatin1String("default-action")))
        data.m_defaultAction = policy.value(QLatin1String("default-action")).toString().trimmed();

    // Postfix reads an action up to the newline; an empty one makes it permit the mail, a newline inside one
    // desynchronises the connection. Refuse both here rather than at the first policy request.
    QStringList actions{data.m_defaultAction};
    for (const PolicyRule &rule : std::as_const(data.m_rules))
        actions.append(rule.action);
    for (const QString &action : std::as_const(actions)) {
        if (action.isEmpty() || action.contains(QLatin1Char('\n')) || action.contains(QLatin1Char('\r'))) {
            *error = prefix + QLatin1String("policy: actions must be one non-empty line");
            return std::nullopt;
        }
    }
    return data;
}

QStringList BackendData::tableNames() const
{
    QStringList names = m_tables.keys();
    names.sort();
    return names;
}

std::optional<QStringList> BackendData::lookup(const QString &table, const QString &key) const
{
    const auto entries = m_tables.constFind(table);
    if (entries == m_tables.constEnd())
        return std::nullopt;
    const auto values = entries->constFind(key.toLower());
    if (values == entries->constEnd())
        return std::nullopt;
    return *values;
}

QString BackendData::policyAction(const Attributes &attributes) const
{
    for (const PolicyRule &rule : m_rules) {
        for (const auto &[name, value] : attributes) {
            if (name == rule.attribute && rule.matches(value))
                return rule.action;
        }
    }
    return m_defaultAction;
}

} // namespace prc
