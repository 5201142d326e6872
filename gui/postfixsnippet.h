// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QString>

namespace prc {

/// Writes the main.cf lines that point Postfix at the configured endpoints. Works on the JSON endpoints,
/// so a config that does not validate yet still gets a snippet for its complete endpoints.
class PostfixSnippet
{
public:
    /// `admin` is the config's "admin" value: when it names a port, a comment gives the metrics and health
    /// URLs.
    static QString generate(const QJsonArray &endpoints, const QString &configFile = QString(),
                            const QJsonValue &admin = QJsonValue(QJsonValue::Undefined));

    /// What Postfix should connect to for a bind address: a wildcard becomes the loopback address,
    /// IPv6 addresses get brackets. "0.0.0.0", 9000 -> "127.0.0.1:9000".
    static QString connectAddress(const QString &bindAddress, int port);

    /// What check_policy_service names for a Unix socket: a path inside Postfix's queue directory becomes
    /// relative to it (smtpd may run chrooted there), "/var/spool/postfix/private/p" -> "unix:private/p".
    static QString policySocketAddress(const QString &path);

    /// The main.cf parameter a lookup endpoint most likely serves, guessed from its name.
    static QString suggestedParameter(const QString &endpointName);
};

} // namespace prc
