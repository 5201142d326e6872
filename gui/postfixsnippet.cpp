// SPDX-License-Identifier: GPL-3.0-or-later
#include "postfixsnippet.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QRegularExpression>

namespace prc {
namespace {

/// The lines for an endpoint on a Unix socket: socketmap:unix:PATH:NAME, check_policy_service unix:PATH.
void unixEndpoint(QStringList &out, QStringList &policyServices, QHash<QString, QStringList> &tables,
                  QStringList &parameters, const QString &label, const QString &name, const QString &mode,
                  const QString &path)
{
    if (mode == QLatin1String("policy")) {
        const QString address = PostfixSnippet::policySocketAddress(path);
        policyServices << QStringLiteral("check_policy_service %1").arg(address);
        out << QStringLiteral("# %1: policy service, %2").arg(label, address);
        if (address == QStringLiteral("unix:") + path)
            out << QStringLiteral("#   outside /var/spool/postfix: a chrooted smtpd cannot reach it");
        return;
    }
    // As for inet: the map name is the table's, not the endpoint's.
    const QString parameter = PostfixSnippet::suggestedParameter(name);
    const QString table =
        QStringLiteral("socketmap:unix:%1:%2").arg(path, PostfixSnippet::mapNameFor(parameter));
    out << QStringLiteral("# %1: socketmap_table(5), %2 (the backend gets the last field as ?name=)")
               .arg(label, table);
    if (!parameters.contains(parameter))
        parameters << parameter;
    tables[parameter] << table;
}

} // namespace

QString PostfixSnippet::connectAddress(const QString &bindAddress, int port)
{
    QString host = bindAddress.trimmed();
    const QHostAddress address(host);
    if (host.isEmpty() || address == QHostAddress::AnyIPv4)
        host = QStringLiteral("127.0.0.1");
    else if (address == QHostAddress::AnyIPv6)
        host = QStringLiteral("::1");
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

QString PostfixSnippet::policySocketAddress(const QString &path)
{
    const QString queueDirectory = QStringLiteral("/var/spool/postfix/");
    if (path.startsWith(queueDirectory) && path.size() > queueDirectory.size())
        return QStringLiteral("unix:") + path.mid(queueDirectory.size());
    return QStringLiteral("unix:") + path;
}

QString PostfixSnippet::suggestedParameter(const QString &endpointName)
{
    const QString name = endpointName.toLower();
    if (name.contains(QLatin1String("domain")))
        return QStringLiteral("virtual_mailbox_domains");
    if (name.contains(QLatin1String("transport")))
        return QStringLiteral("transport_maps");
    if (name.contains(QLatin1String("relay")))
        return QStringLiteral("relay_domains");
    if (name.contains(QLatin1String("sender")) || name.contains(QLatin1String("login")))
        return QStringLiteral("smtpd_sender_login_maps");
    return QStringLiteral("virtual_alias_maps");
}

QString PostfixSnippet::mapNameFor(const QString &parameter)
{
    static const QHash<QString, QString> names = {
        {QStringLiteral("virtual_mailbox_domains"), QStringLiteral("domain")},
        {QStringLiteral("virtual_alias_domains"), QStringLiteral("domain")},
        {QStringLiteral("virtual_alias_maps"), QStringLiteral("alias")},
        {QStringLiteral("virtual_mailbox_maps"), QStringLiteral("mailbox")},
        {QStringLiteral("transport_maps"), QStringLiteral("transport")},
        {QStringLiteral("relay_domains"), QStringLiteral("relay")},
        {QStringLiteral("smtpd_sender_login_maps"), QStringLiteral("sender-login")},
    };
    const auto known = names.constFind(parameter);
    if (known != names.cend())
        return known.value();
    QString name = parameter;
    if (name.endsWith(QLatin1String("_maps")))
        name.chop(5);
    return name.replace(QLatin1Char('_'), QLatin1Char('-'));
}

QStringList PostfixSnippet::insertChecks(const QString &current, const QStringList &checks)
{
    // Items are separated by commas or white space; an argument (a table, an address, a domain) belongs
    // to the restriction before it: "check_client_access hash:/etc/postfix/access".
    static const QRegularExpression separator(QStringLiteral("[\\s,]+"));
    static const QRegularExpression restrictionName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    QStringList items;
    for (const QString &token : current.split(separator, Qt::SkipEmptyParts)) {
        if (!items.isEmpty() && !restrictionName.match(token).hasMatch())
            items.last() += QLatin1Char(' ') + token;
        else
            items.append(token);
    }
    int at = int(items.size());
    if (!items.isEmpty() && items.constLast() == QLatin1String("permit"))
        at = int(items.size()) - 1;
    for (int i = int(items.size()) - 1; i >= 0; --i) {
        if (items.at(i) == QLatin1String("reject_unauth_destination")
            || items.at(i) == QLatin1String("defer_unauth_destination")) {
            at = i + 1;
            break;
        }
    }
    for (const QString &check : checks) {
        if (!items.contains(check))
            items.insert(at++, check);
    }
    return items;
}

QString PostfixSnippet::generate(const QJsonArray &endpoints, const QString &configFile,
                                 const QJsonValue &admin, const std::optional<QString> &recipientRestrictions)
{
    QStringList out;
    out << QStringLiteral("# main.cf lines for postfix-rest-connector%1")
               .arg(configFile.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(configFile));
    out << QStringLiteral(
        "# Check the parameter names: each table line replaces whatever the parameter had before.");
    out << QStringLiteral("# Postfix refuses tcp: and socketmap: tables in virtual_mailbox_maps,");
    out << QStringLiteral(
        "# virtual_uid_maps, virtual_gid_maps and alias_maps; use them for the parameters below,");
    out << QStringLiteral("# relay_domains, check_recipient_access, smtpd_sender_login_maps and the like.");

    QStringList policyServices;
    // Several endpoints may serve the same parameter: Postfix takes the last assignment, so they share one
    // line.
    QStringList parameters;
    QHash<QString, QStringList> tables;
    out << QString();
    for (int i = 0; i < endpoints.size(); ++i) {
        const QJsonObject endpoint = endpoints.at(i).toObject();
        const QString name = endpoint.value(QStringLiteral("name")).toString();
        const QString mode = endpoint.value(QStringLiteral("mode")).toString();
        const int port = endpoint.value(QStringLiteral("bind-port")).toInt();
        const QString path = endpoint.value(QStringLiteral("bind-path")).toString();
        const QString label = name.isEmpty() ? QStringLiteral("endpoints[%1]").arg(i) : name;
        if (port <= 0 && path.isEmpty()) {
            out << QStringLiteral("# %1: no bind-port yet, skipped").arg(label);
            continue;
        }
        const QString address =
            connectAddress(endpoint.value(QStringLiteral("bind-address")).toString(), port);
        if (!path.isEmpty() && mode != QLatin1String("tcp-lookup")) {
            unixEndpoint(out, policyServices, tables, parameters, label, name, mode, path);
            continue;
        }
        const QString parameter = suggestedParameter(name);

        QString table;
        if (mode == QLatin1String("tcp-lookup")) {
            table = QStringLiteral("tcp:%1").arg(address);
            out << QStringLiteral("# %1: tcp_table(5), %2").arg(label, table);
        } else if (mode == QLatin1String("socketmap-lookup")) {
            // The last field reaches the backend as ?name= and picks its table: one endpoint serves
            // several parameters, each with the map name of its own table.
            table = QStringLiteral("socketmap:inet:%1:%2").arg(address, mapNameFor(parameter));
            out << QStringLiteral("# %1: socketmap_table(5), %2 (the backend gets the last field as ?name=)")
                       .arg(label, table);
            QStringList others;
            for (const QString &other :
                 {QStringLiteral("virtual_mailbox_domains"), QStringLiteral("virtual_alias_maps"),
                  QStringLiteral("transport_maps")}) {
                if (other != parameter)
                    others
                        << QStringLiteral("%1 = socketmap:inet:%2:%3").arg(other, address, mapNameFor(other));
            }
            out << QStringLiteral("#   it answers other tables by their map name too, e.g.:");
            for (const QString &other : std::as_const(others))
                out << QStringLiteral("#   %1").arg(other);
        } else if (mode == QLatin1String("policy")) {
            policyServices << QStringLiteral("check_policy_service inet:%1").arg(address);
            out << QStringLiteral("# %1: policy service, inet:%2").arg(label, address);
        } else {
            out << QStringLiteral("# %1: unknown mode \"%2\", skipped").arg(label, mode);
        }
        if (!table.isEmpty()) {
            if (!parameters.contains(parameter))
                parameters << parameter;
            tables[parameter] << table;
        }
    }
    if (!parameters.isEmpty())
        out << QString();
    for (const QString &parameter : std::as_const(parameters))
        out << QStringLiteral("%1 = %2").arg(parameter, tables.value(parameter).join(QLatin1String(", ")));

    if (!policyServices.isEmpty()) {
        out << QString();
        out << QStringLiteral(
            "# Policy checks belong after reject_unauth_destination, so they never open a relay.");
        out << QStringLiteral(
            "# If the service is down, Postfix applies smtpd_policy_service_default_action");
        out << QStringLiteral("# (default: 451 4.3.5, mail is deferred).");
        if (recipientRestrictions) {
            const QStringList items = insertChecks(*recipientRestrictions, policyServices);
            out << QStringLiteral("# Your smtpd_recipient_restrictions with the checks inserted:");
            out << QStringLiteral("smtpd_recipient_restrictions =");
            for (int i = 0; i < items.size(); ++i)
                out << QStringLiteral("    ") + items.at(i)
                           + (i + 1 < items.size() ? QStringLiteral(",") : QString());
        } else {
            out << QStringLiteral(
                "# Insert these into your smtpd_recipient_restrictions, keeping what is there");
            out << QStringLiteral("# (postconf -h smtpd_recipient_restrictions shows it):");
            for (const QString &check : std::as_const(policyServices))
                out << QStringLiteral("#   ") + check;
        }
    }
    const QJsonValue adminPort = admin.toObject().value(QStringLiteral("bind-port"));
    if (adminPort.isDouble() && adminPort.toInt() > 0) {
        // Not a main.cf line, but where to watch the tables once Postfix uses them.
        QString host = admin.toObject().value(QStringLiteral("bind-address")).toString();
        if (host.isEmpty())
            host = QStringLiteral("127.0.0.1");
        const QString base = QStringLiteral("http://%1").arg(connectAddress(host, adminPort.toInt()));
        out << QString();
        out << QStringLiteral("# The connector's own metrics and health checks (not for main.cf):");
        out << QStringLiteral("#   %1/metrics  %1/healthz").arg(base);
    }
    out << QString();
    return out.join(QLatin1Char('\n'));
}

} // namespace prc
