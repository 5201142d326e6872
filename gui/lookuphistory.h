// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/lookupresult.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

class QSettings;

namespace prc {

/// One test lookup as the user asked it (where, which protocol, which question) and what came back: enough to
/// show it again, send it again, and run it with Postfix's own client.
struct LookupEntry
{
    QDateTime time;
    QString endpointName; ///< the config's endpoint, empty for "Other address"
    QString host;
    quint16 port = 0;
    EndpointMode mode = EndpointMode::TcpLookup;
    QString mapName;    ///< socketmap-lookup
    QString key;        ///< tcp-lookup and socketmap-lookup
    QString attributes; ///< policy: "name=value" lines
    LookupResult result;

    /// A short one-line description of the question; long keys are shortened.
    QString question() const;
    /// The shell command that asks the same question with Postfix's own client (`postmap -q`), or for policy
    /// the request piped into `nc`.
    QString command() const;

    /// For the settings file: bytes as base64, everything needed to restore the entry.
    QJsonObject toStored() const;
    static LookupEntry fromStored(const QJsonObject &object);
    /// For people and scripts: bytes as escaped text, the meaning by name, the command line.
    QJsonObject toExported() const;
};

/// The lookups of this and earlier runs, newest last, bounded, kept in the user's settings.
class LookupHistory
{
public:
    static constexpr int MaxEntries = 100;
    /// Raw bytes kept per entry in the settings; the rest is cut (the answer can be 100 kB).
    static constexpr int MaxStoredBytes = 4096;

    /// The admin tool's settings (organisation "postfix-rest-connector" unless the application set one).
    static std::unique_ptr<QSettings> openSettings();

    const QList<LookupEntry> &entries() const { return m_entries; }
    void append(const LookupEntry &entry);
    void clear();

    void load(QSettings &settings);
    void save(QSettings &settings) const;

    /// Newest first, as the list shows them.
    QJsonArray exported() const;

private:
    QList<LookupEntry> m_entries;
};

/// Quotes one word for a POSIX shell.
QString shellQuote(const QString &word);

} // namespace prc
