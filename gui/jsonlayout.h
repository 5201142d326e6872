// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QStringList>

namespace prc {

/// How a JSON file is laid out: its indentation, the order of the keys of every object, which containers
/// sit on one line, and the exact text of every scalar. Writing a changed document with the layout of the
/// file it came from changes only the lines whose values changed, so a config under git or etckeeper gets a
/// diff of what the admin did, not a reformatted file.
class JsonLayout
{
public:
    /// The layout of `text`; text that is not a JSON object gives the default layout (Qt's: four spaces).
    static JsonLayout fromText(const QByteArray &text);

    /// `root` as text in this layout. Keys the original file did not have follow the ones it had, in the
    /// order of the same object in the first element of its array ("endpoints[0]" for a new endpoint,
    /// "endpoints[0].cache.shared" for a new endpoint's shared cache) or of `preferredOrder`, then sorted.
    /// An empty container is written on one line ("shared": {}) unless the file had it empty on several.
    QByteArray format(const QJsonObject &root) const;

    /// Key order for objects the file does not have yet, by path ("" the top level, "endpoints[]" every
    /// endpoint, "endpoints[].cache" their cache objects, "endpoints[].cache.shared" the objects inside
    /// those).
    void setPreferredOrder(const QString &path, const QStringList &keys) { m_preferred.insert(path, keys); }

    QByteArray indentUnit() const { return m_indent; }

private:
    struct Scalar
    {
        QByteArray text;
        QJsonValue value;
    };
    class Parser;

    void write(QByteArray &out, const QJsonValue &value, const QString &path, int depth) const;
    QStringList keyOrder(const QJsonObject &object, const QString &path) const;
    static QString genericPath(const QString &path);

    QByteArray m_indent = "    ";
    QByteArray m_colon = ": ";
    QByteArray m_newline = "\n";
    bool m_finalNewline = true;
    QHash<QString, QStringList> m_keys; ///< object path -> keys in file order
    QSet<QString> m_inline;             ///< containers written on one line
    QSet<QString> m_emptyOnLines;       ///< empty containers the file spreads over lines ("{\n}")
    QHash<QString, Scalar> m_scalars;   ///< path -> original text of a number, string, bool or null
    QHash<QString, QStringList> m_preferred;
};

} // namespace prc
