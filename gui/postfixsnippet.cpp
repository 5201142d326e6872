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
    static const QRegularExpression unsafeMapName(QStringLiteral("[^A-Za-z0-9_.-]"));
    QString mapName = name;
    mapName.replace(unsafeMapName, QStringLiteral("_"));
    if (mapName.isEmpty())
        mapName = QStringLiteral("map");
    const QString table = QStringLiteral("socketmap:unix:%1:%2").arg(path, mapName);
    out << QStringLiteral("# %1: socketmap_table(5), %2 (the backend gets the last field as ?name=)")
               .arg(label, table);
    const QString parameter = PostfixSnippet::suggestedParameter(name);
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

QString PostfixSnippet::generate(const QJsonArray &endpoints, const QString &configFile,
                                 const QJsonValue &admin)
{
    QStringList out;
    out << QStringLiteral("# main.cf lines for postfix-rest-connector%1")
               .arg(configFile.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(configFile));
    out << QStringLiteral(
        "# Check the parameter names: each line replaces whatever the parameter had before.");
    out << QStringLiteral("# Postfix refuses tcp: and socketmap: tables in virtual_mailbox_maps,");
    out << QStringLiteral(
        "# virtual_uid_maps, virtual_gid_maps and alias_maps; use them for the parameters below,");
    out << QStringLiteral("# relay_domains, check_recipient_access, smtpd_sender_login_maps and the like.");

    QStringList policyServices;
    // Several endpoints may serve the same parameter: Postfix takes the last assignment, so they share one
    // line.
    QStringList parameters;
    QHash<QString, QStringList> tables;
    static const QRegularExpression unsafeMapName(QStringLiteral("[^A-Za-z0-9_.-]"));
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

        QString table;
        if (mode == QLatin1String("tcp-lookup")) {
            table = QStringLiteral("tcp:%1").arg(address);
            out << QStringLiteral("# %1: tcp_table(5), %2").arg(label, table);
        } else if (mode == QLatin1String("socketmap-lookup")) {
            // The map name reaches the backend as ?name=; the endpoint name is a natural choice.
            QString mapName = name;
            mapName.replace(unsafeMapName, QStringLiteral("_"));
            if (mapName.isEmpty())
                mapName = QStringLiteral("map");
            table = QStringLiteral("socketmap:inet:%1:%2").arg(address, mapName);
            out << QStringLiteral("# %1: socketmap_table(5), %2 (the backend gets the last field as ?name=)")
                       .arg(label, table);
        } else if (mode == QLatin1String("policy")) {
            policyServices << QStringLiteral("check_policy_service inet:%1").arg(address);
            out << QStringLiteral("# %1: policy service, inet:%2").arg(label, address);
        } else {
            out << QStringLiteral("# %1: unknown mode \"%2\", skipped").arg(label, mode);
        }
        if (!table.isEmpty()) {
            const QString parameter = suggestedParameter(name);
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
        out << QStringLiteral("smtpd_recipient_restrictions =");
        out << QStringLiteral("    permit_mynetworks,");
        out << QStringLiteral("    reject_unauth_destination,");
        for (int i = 0; i < policyServices.size(); ++i)
            out << QStringLiteral("    ") + policyServices.at(i)
                       + (i + 1 < policyServices.size() ? QStringLiteral(",") : QString());
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
