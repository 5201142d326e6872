// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QPair>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace prc {

/// The example backend's data: named lookup tables and an ordered policy rule list, read from one JSON file
/// (format in docs/demo.md). Keys, values and domains are compared case-insensitively, like Postfix does.
class BackendData
{
public:
    /// An ordered list of Postfix policy attributes (name, value), as they arrive in the request body.
    using Attributes = QList<QPair<QString, QString>>;

    /// Reads and validates @p path. On failure returns nothing and sets @p error to a message naming the
    /// file and the JSON path of the problem.
    static std::optional<BackendData> loadFile(const QString &path, QString *error);

    bool hasTable(const QString &table) const { return m_tables.contains(table); }
    QStringList tableNames() const;

    /// The values stored for @p key; nothing when the table has no such key. An empty list is a real
    /// answer (the key is listed with no values) and is distinct from "no such key".
    std::optional<QStringList> lookup(const QString &table, const QString &key) const;

    /// The action of the first rule that matches, or the default action.
    QString policyAction(const Attributes &attributes) const;

private:
    struct PolicyRule
    {
        QString attribute;
        QSet<QString> values;  // whole attribute value, lower case
        QSet<QString> domains; // the part after the last '@', lower case
        QString action;

        bool matches(const QString &value) const;
    };

    QHash<QString, QHash<QString, QStringList>> m_tables;
    QList<PolicyRule> m_rules;
    QString m_defaultAction = QStringLiteral("DUNNO");
};

} // namespace prc
