// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

namespace prc {

/// An RFC 6901 JSON Pointer ("/data/aliases", "/items/0", "" for the whole document), parsed once and
/// applied to many documents.
class JsonPointer
{
public:
    /// The empty pointer: the whole document.
    JsonPointer() = default;

    /// nullopt (and `problem` set) when `text` is not a JSON pointer.
    static std::optional<JsonPointer> parse(const QString &text, QString *problem = nullptr);

    /// The value the pointer refers to, or an undefined QJsonValue when a member is missing, an index is out
    /// of range or a token goes through a string, number, boolean or null.
    QJsonValue resolve(const QJsonValue &document) const;

    bool isWholeDocument() const { return m_tokens.isEmpty(); }
    /// The pointer as written, for messages.
    const QString &text() const { return m_text; }

private:
    QString m_text;
    QStringList m_tokens; ///< unescaped reference tokens
};

} // namespace prc
