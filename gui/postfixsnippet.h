// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

namespace prc {

/// Writes the main.cf lines that point Postfix at the configured endpoints. Works on the JSON endpoints,
/// so a config that does not validate yet still gets a snippet for its complete endpoints.
class PostfixSnippet
{
public:
    /// `admin` is the config's "admin" value: when it names a port, a comment gives the metrics and health
    /// URLs. `recipientRestrictions` is the admin's current smtpd_recipient_restrictions (as `postconf -h`
    /// prints it; empty: none set): the policy checks are inserted there. Unknown (nullopt): the snippet
    /// says where to insert them instead of writing a line that would replace them.
    static QString generate(const QJsonArray &endpoints, const QString &configFile = QString(),
                            const QJsonValue &admin = QJsonValue(QJsonValue::Undefined),
                            const std::optional<QString> &recipientRestrictions = std::nullopt);

    /// What Postfix should connect to for a bind address: a wildcard becomes the loopback address,
    /// IPv6 addresses get brackets. "0.0.0.0", 9000 -> "127.0.0.1:9000".
    static QString connectAddress(const QString &bindAddress, int port);

    /// What check_policy_service names for a Unix socket: a path inside Postfix's queue directory becomes
    /// relative to it (smtpd may run chrooted there), "/var/spool/postfix/private/p" -> "unix:private/p".
    static QString policySocketAddress(const QString &path);

    /// The main.cf parameter a lookup endpoint most likely serves, guessed from its name.
    static QString suggestedParameter(const QString &endpointName);

    /// The socketmap map name for the table behind a main.cf parameter: it reaches the backend as
    /// ?name=, so it names the table, not the endpoint ("virtual_alias_maps" -> "alias", as the example
    /// backend calls its tables).
    static QString mapNameFor(const QString &parameter);

    /// The restrictions of `current` (a smtpd_*_restrictions value) with `checks` inserted where they are
    /// safe: after reject_unauth_destination (or defer_unauth_destination), before a final "permit" that
    /// would make them unreachable, else at the end. Checks already present are not added again.
    static QStringList insertChecks(const QString &current, const QStringList &checks);
};

} // namespace prc
