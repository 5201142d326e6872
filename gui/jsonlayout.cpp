// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonlayout.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace prc {
namespace {

QByteArray compact(const QJsonValue &value)
{
    // QJsonDocument only serialises containers; a scalar is written as the one element of an array.
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return json.mid(1, json.size() - 2);
}

QJsonValue scalarValue(const QByteArray &text)
{
    return QJsonDocument::fromJson("[" + text + "]").array().at(0);
}

} // namespace

/// A small recursive-descent reader that records where things are, not what they mean: the values come from
/// QJsonDocument, which has already accepted the text when this runs.
class JsonLayout::Parser
{
public:
    Parser(const QByteArray &text, JsonLayout *layout)
        : m_text(text)
        , m_layout(layout)
    {
    }

    bool parseValue(const QString &path)
    {
        skipSpace();
        if (m_pos >= m_text.size())
            return false;
        const char c = m_text.at(m_pos);
        if (c == '{')
            return parseContainer(path, '}', true);
        if (c == '[')
            return parseContainer(path, ']', false);
        const qsizetype start = m_pos;
        if (c == '"') {
            if (!skipString())
                return false;
        } else {
            while (m_pos < m_text.size() && !QByteArray(",]} \t\r\n").contains(m_text.at(m_pos)))
                ++m_pos;
        }
        const QByteArray token = m_text.mid(start, m_pos - start);
        m_layout->m_scalars.insert(path, {token, scalarValue(token)});
        return true;
    }

private:
    bool parseContainer(const QString &path, char close, bool object)
    {
        const qsizetype open = m_pos++;
        QStringList keys;
        int index = 0;
        skipSpace();
        if (m_pos < m_text.size() && m_text.at(m_pos) == close) {
            ++m_pos;
        } else {
            for (;;) {
                QString childPath;
                if (object) {
                    skipSpace();
                    const qsizetype start = m_pos;
                    if (!skipString())
                        return false;
                    const QString key = scalarValue(m_text.mid(start, m_pos - start)).toString();
                    keys.append(key);
                    childPath = path.isEmpty() ? key : path + QLatin1Char('.') + key;
                    skipSpace();
                    if (m_pos >= m_text.size() || m_text.at(m_pos) != ':')
                        return false;
                    ++m_pos;
                } else {
                    childPath = path + QStringLiteral("[%1]").arg(index++);
                }
                if (!parseValue(childPath))
                    return false;
                skipSpace();
                if (m_pos >= m_text.size())
                    return false;
                const char next = m_text.at(m_pos++);
                if (next == close)
                    break;
                if (next != ',')
                    return false;
            }
        }
        if (object)
            m_layout->m_keys.insert(path, keys);
        if (!m_text.mid(open, m_pos - open).contains('\n'))
            m_layout->m_inline.insert(path);
        else if (index == 0 && keys.isEmpty())
            m_layout->m_emptyOnLines.insert(path);
        return true;
    }

    bool skipString()
    {
        if (m_pos >= m_text.size() || m_text.at(m_pos) != '"')
            return false;
        for (++m_pos; m_pos < m_text.size(); ++m_pos) {
            if (m_text.at(m_pos) == '\\')
                ++m_pos;
            else if (m_text.at(m_pos) == '"') {
                ++m_pos;
                return true;
            }
        }
        return false;
    }

    void skipSpace()
    {
        while (m_pos < m_text.size() && QByteArray(" \t\r\n").contains(m_text.at(m_pos)))
            ++m_pos;
    }

    const QByteArray &m_text;
    JsonLayout *m_layout;
    qsizetype m_pos = 0;
};

JsonLayout JsonLayout::fromText(const QByteArray &text)
{
    JsonLayout layout;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return layout;

    // The indentation of the first indented line is one level.
    static const QRegularExpression firstIndent(QStringLiteral("\\n([ \\t]+)\\S"));
    const QRegularExpressionMatch match = firstIndent.match(QString::fromUtf8(text));
    if (match.hasMatch())
        layout.m_indent = match.captured(1).toUtf8();
    if (text.contains("\r\n"))
        layout.m_newline = "\r\n";
    layout.m_finalNewline = text.endsWith('\n');
    static const QRegularExpression colon(QStringLiteral("\"([ \\t]*:[ \\t]*)\\S"));
    const QRegularExpressionMatch colonMatch = colon.match(QString::fromUtf8(text));
    if (colonMatch.hasMatch())
        layout.m_colon = colonMatch.captured(1).toUtf8();

    Parser parser(text, &layout);
    if (!parser.parseValue(QString()))
        return JsonLayout();
    return layout;
}

QString JsonLayout::genericPath(const QString &path)
{
    static const QRegularExpression index(QStringLiteral("\\[\\d+\\]"));
    QString generic = path;
    return generic.replace(index, QStringLiteral("[]"));
}

QStringList JsonLayout::keyOrder(const QJsonObject &object, const QString &path) const
{
    QStringList order;
    const auto take = [&](const QStringList &keys) {
        for (const QString &key : keys) {
            if (object.contains(key) && !order.contains(key))
                order.append(key);
        }
    };
    take(m_keys.value(path));
    // A new element of an array, and every object inside it, is written like the first one the file had.
    static const QRegularExpression index(QStringLiteral("\\[\\d+\\]"));
    QString first = path;
    first.replace(index, QStringLiteral("[0]"));
    if (first != path)
        take(m_keys.value(first));
    take(m_preferred.value(genericPath(path)));
    take(object.keys());
    return order;
}

void JsonLayout::write(QByteArray &out, const QJsonValue &value, const QString &path, int depth) const
{
    if (!value.isObject() && !value.isArray()) {
        const auto original = m_scalars.constFind(path);
        out += original != m_scalars.cend() && original->value == value ? original->text : compact(value);
        return;
    }
    const bool object = value.isObject();
    out += object ? '{' : '[';
    QStringList keys;
    qsizetype count = 0;
    if (object) {
        keys = keyOrder(value.toObject(), path);
        count = keys.size();
    } else {
        count = value.toArray().size();
    }
    // An empty object is "{}", not a brace on each line; unless the file wrote it so, then it stays so.
    const bool oneLine = m_inline.contains(path) || (count == 0 && !m_emptyOnLines.contains(path));
    const QByteArray inner = m_newline + m_indent.repeated(depth + 1);
    for (qsizetype i = 0; i < count; ++i) {
        out += oneLine ? (i == 0 ? QByteArray() : QByteArray(" ")) : inner;
        if (object) {
            const QString &key = keys.at(i);
            out += compact(key) + m_colon;
            write(out, value.toObject().value(key), path.isEmpty() ? key : path + QLatin1Char('.') + key,
                  depth + 1);
        } else {
            write(out, value.toArray().at(i), path + QStringLiteral("[%1]").arg(i), depth + 1);
        }
        if (i + 1 < count)
            out += ',';
    }
    if (!oneLine)
        out += m_newline + m_indent.repeated(depth);
    out += object ? '}' : ']';
}

QByteArray JsonLayout::format(const QJsonObject &root) const
{
    QByteArray out;
    write(out, root, QString(), 0);
    if (m_finalNewline)
        out += m_newline;
    return out;
}

} // namespace prc
