// SPDX-License-Identifier: GPL-3.0-or-later
#include "lookuphistory.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSettings>

namespace prc {
namespace {

const QString HistoryKey = QStringLiteral("lookup/history");
constexpr int MaxQuestionKey = 60;

QString shortened(const QString &text, int length)
{
    return text.size() <= length ? text
                                 : text.left(length) + QStringLiteral("… (%1 characters)").arg(text.size());
}

QString hostForTable(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}

QString bytesToStored(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.left(LookupHistory::MaxStoredBytes).toBase64());
}

QByteArray bytesFromStored(const QJsonValue &value)
{
    return QByteArray::fromBase64(value.toString().toLatin1());
}

} // namespace

QString shellQuote(const QString &word)
{
    static const QString safe = QStringLiteral("@%+=:,./-_");
    bool plain = !word.isEmpty();
    for (const QChar c : word) {
        if (!(c.isLetterOrNumber() && c.unicode() < 0x80) && !safe.contains(c))
            plain = false;
    }
    if (plain)
        return word;
    QString quoted = word;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString LookupEntry::question() const
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        return shortened(key, MaxQuestionKey);
    case EndpointMode::SocketmapLookup:
        return mapName + QLatin1Char(' ') + shortened(key, MaxQuestionKey);
    case EndpointMode::Policy: {
        for (const QString &line : attributes.split(QLatin1Char('\n'))) {
            if (line.startsWith(QLatin1String("recipient=")) && line.size() > 10)
                return QStringLiteral("policy %1").arg(shortened(line.mid(10), MaxQuestionKey));
        }
        return QStringLiteral("policy");
    }
    }
    return {};
}

QString LookupEntry::command() const
{
    const QString address = QStringLiteral("%1:%2").arg(hostForTable(host)).arg(port);
    switch (mode) {
    case EndpointMode::TcpLookup:
        return QStringLiteral("postmap -q %1 tcp:%2").arg(shellQuote(key), address);
    case EndpointMode::SocketmapLookup:
        return QStringLiteral("postmap -q %1 socketmap:inet:%2:%3").arg(shellQuote(key), address, mapName);
    case EndpointMode::Policy: {
        // printf repeats its format for every argument; the empty last one ends the request.
        QStringList words;
        for (const QString &line : attributes.split(QLatin1Char('\n'))) {
            if (!line.trimmed().isEmpty())
                words.append(shellQuote(line.trimmed()));
        }
        return QStringLiteral("printf '%s\\n' %1 '' | nc %2 %3")
            .arg(words.join(QLatin1Char(' ')), host)
            .arg(port);
    }
    }
    return {};
}

QJsonObject LookupEntry::toStored() const
{
    return QJsonObject{
        {QStringLiteral("time"), time.toString(Qt::ISODateWithMs)},
        {QStringLiteral("endpoint"), endpointName},
        {QStringLiteral("host"), host},
        {QStringLiteral("port"), int(port)},
        {QStringLiteral("protocol"), modeName(mode)},
        {QStringLiteral("map-name"), mapName},
        {QStringLiteral("key"), key},
        {QStringLiteral("attributes"), attributes},
        {QStringLiteral("meaning"), int(result.meaning)},
        {QStringLiteral("status"), QString::fromUtf8(result.status)},
        {QStringLiteral("value"), QString::fromUtf8(result.value)},
        {QStringLiteral("error"), result.error},
        {QStringLiteral("round-trip-ms"), result.roundTripMs},
        {QStringLiteral("sent"), bytesToStored(result.sent)},
        {QStringLiteral("received"), bytesToStored(result.received)},
    };
}

LookupEntry LookupEntry::fromStored(const QJsonObject &object)
{
    LookupEntry entry;
    entry.time = QDateTime::fromString(object.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    entry.endpointName = object.value(QStringLiteral("endpoint")).toString();
    entry.host = object.value(QStringLiteral("host")).toString();
    entry.port = quint16(object.value(QStringLiteral("port")).toInt());
    entry.mode =
        modeFromName(object.value(QStringLiteral("protocol")).toString()).value_or(EndpointMode::TcpLookup);
    entry.mapName = object.value(QStringLiteral("map-name")).toString();
    entry.key = object.value(QStringLiteral("key")).toString();
    entry.attributes = object.value(QStringLiteral("attributes")).toString();
    entry.result.mode = entry.mode;
    const int meaning = object.value(QStringLiteral("meaning")).toInt();
    if (meaning >= int(LookupResult::Meaning::NoAnswer)
        && meaning <= int(LookupResult::Meaning::PolicyAction))
        entry.result.meaning = LookupResult::Meaning(meaning);
    entry.result.status = object.value(QStringLiteral("status")).toString().toUtf8();
    entry.result.value = object.value(QStringLiteral("value")).toString().toUtf8();
    entry.result.error = object.value(QStringLiteral("error")).toString();
    entry.result.roundTripMs = object.value(QStringLiteral("round-trip-ms")).toDouble(-1);
    entry.result.sent = bytesFromStored(object.value(QStringLiteral("sent")));
    entry.result.received = bytesFromStored(object.value(QStringLiteral("received")));
    return entry;
}

QJsonObject LookupEntry::toExported() const
{
    QJsonObject object = toStored();
    object.insert(QStringLiteral("meaning"), LookupResult::meaningName(result.meaning));
    object.insert(QStringLiteral("sent"), LookupResult::escaped(result.sent));
    object.insert(QStringLiteral("received"), LookupResult::escaped(result.received));
    object.insert(QStringLiteral("command"), command());
    if (mode == EndpointMode::Policy) {
        object.remove(QStringLiteral("key"));
        object.remove(QStringLiteral("map-name"));
    } else {
        object.remove(QStringLiteral("attributes"));
        if (mode == EndpointMode::TcpLookup)
            object.remove(QStringLiteral("map-name"));
    }
    if (result.roundTripMs < 0)
        object.remove(QStringLiteral("round-trip-ms"));
    return object;
}

std::unique_ptr<QSettings> LookupHistory::openSettings()
{
    const QString organization = QCoreApplication::organizationName();
    return std::make_unique<QSettings>(organization.isEmpty() ? QStringLiteral("postfix-rest-connector")
                                                              : organization,
                                       QCoreApplication::applicationName());
}

void LookupHistory::append(const LookupEntry &entry)
{
    m_entries.append(entry);
    while (m_entries.size() > MaxEntries)
        m_entries.removeFirst();
}

void LookupHistory::clear()
{
    m_entries.clear();
}

void LookupHistory::load(QSettings &settings)
{
    m_entries.clear();
    const QJsonArray stored = QJsonDocument::fromJson(settings.value(HistoryKey).toByteArray()).array();
    for (const QJsonValue &value : stored) {
        if (value.isObject())
            append(LookupEntry::fromStored(value.toObject()));
    }
}

void LookupHistory::save(QSettings &settings) const
{
    QJsonArray stored;
    for (const LookupEntry &entry : m_entries)
        stored.append(entry.toStored());
    settings.setValue(HistoryKey, QJsonDocument(stored).toJson(QJsonDocument::Compact));
}

QJsonArray LookupHistory::exported() const
{
    QJsonArray out;
    for (auto it = m_entries.crbegin(); it != m_entries.crend(); ++it)
        out.append(it->toExported());
    return out;
}

} // namespace prc
