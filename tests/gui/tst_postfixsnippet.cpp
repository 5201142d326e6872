// SPDX-License-Identifier: GPL-3.0-or-later
#include "postfixsnippet.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace prc;

class tst_PostfixSnippet : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void connectAddress_data();
    void connectAddress();
    void generate_data();
    void generate();
    void adminUrls_data();
    void adminUrls();
    void policyKeepsRestrictions_data();
    void policyKeepsRestrictions();
};

void tst_PostfixSnippet::connectAddress_data()
{
    QTest::addColumn<QString>("bind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("loopback") << "127.0.0.1"
                              << "127.0.0.1:9000";
    QTest::newRow("any v4") << "0.0.0.0"
                            << "127.0.0.1:9000";
    QTest::newRow("any v6") << "::"
                            << "[::1]:9000";
    QTest::newRow("v6") << "::1"
                        << "[::1]:9000";
    QTest::newRow("lan") << "192.0.2.7"
                         << "192.0.2.7:9000";
    QTest::newRow("empty") << ""
                           << "127.0.0.1:9000";
}

void tst_PostfixSnippet::connectAddress()
{
    QFETCH(QString, bind);
    QFETCH(QString, expected);
    QCOMPARE(PostfixSnippet::connectAddress(bind, 9000), expected);
}

void tst_PostfixSnippet::generate_data()
{
    QTest::addColumn<QByteArray>("endpoints");
    QTest::addColumn<QStringList>("expectedLines");
    QTest::addColumn<QStringList>("absent");

    QTest::newRow("tcp domains") << QByteArray(
        "[{\"name\":\"domains\",\"mode\":\"tcp-lookup\",\"bind-address\":\"0.0.0.0\",\"bind-"
        "port\":9000}]") << QStringList{QStringLiteral("virtual_mailbox_domains = tcp:127.0.0.1:9000")}
                                 << QStringList{QStringLiteral("0.0.0.0"),
                                                QStringLiteral("smtpd_recipient_restrictions")};
    QTest::newRow("socketmap") << QByteArray("[{\"name\":\"aliases\",\"mode\":\"socketmap-lookup\",\"bind-"
                                             "address\":\"127.0.0.1\",\"bind-port\":9001}]")
                               << QStringList{QStringLiteral(
                                      "virtual_alias_maps = socketmap:inet:127.0.0.1:9001:alias")}
                               << QStringList{QStringLiteral("virtual_mailbox_maps =")};
    QTest::newRow("shared parameter")
        << QByteArray("[{\"name\":\"aliases\",\"mode\":\"tcp-lookup\",\"bind-address\":\"127.0.0.1\",\"bind-"
                      "port\":9001},"
                      "{\"name\":\"more "
                      "aliases\",\"mode\":\"socketmap-lookup\",\"bind-address\":\"::\",\"bind-port\":9002}]")
        << QStringList{QStringLiteral(
               "virtual_alias_maps = tcp:127.0.0.1:9001, socketmap:inet:[::1]:9002:alias")}
        << QStringList{};
    QTest::newRow("transport") << QByteArray("[{\"name\":\"transport\",\"mode\":\"tcp-lookup\",\"bind-"
                                             "address\":\"127.0.0.1\",\"bind-port\":9003}]")
                               << QStringList{QStringLiteral("transport_maps = tcp:127.0.0.1:9003")}
                               << QStringList{};
    QTest::newRow("two policies")
        << QByteArray(
               "[{\"name\":\"p1\",\"mode\":\"policy\",\"bind-address\":\"127.0.0.1\",\"bind-port\":9004},"
               "{\"name\":\"p2\",\"mode\":\"policy\",\"bind-address\":\"0.0.0.0\",\"bind-port\":9005}]")
        << QStringList{QStringLiteral("#   check_policy_service inet:127.0.0.1:9004"),
                       QStringLiteral("#   check_policy_service inet:127.0.0.1:9005")}
        // Without the admin's current restrictions, no line that would replace them.
        << QStringList{QStringLiteral("tcp:"), QStringLiteral("smtpd_recipient_restrictions")};
    QTest::newRow("demo socketmap")
        << QByteArray("[{\"name\":\"socketmap\",\"mode\":\"socketmap-lookup\","
                      "\"bind-address\":\"127.0.0.1\",\"bind-port\":9103}]")
        << QStringList{QStringLiteral("virtual_alias_maps = socketmap:inet:127.0.0.1:9103:alias"),
                       QStringLiteral("#   virtual_mailbox_domains = "
                                      "socketmap:inet:127.0.0.1:9103:domain"),
                       QStringLiteral("#   transport_maps = socketmap:inet:127.0.0.1:9103:transport")}
        << QStringList{QStringLiteral(":socketmap")};
    QTest::newRow("socketmap domains")
        << QByteArray("[{\"name\":\"domains\",\"mode\":\"socketmap-lookup\","
                      "\"bind-port\":9103}]")
        << QStringList{QStringLiteral("virtual_mailbox_domains = socketmap:inet:127.0.0.1:9103:domain")}
        << QStringList{QStringLiteral(":domains")};
    QTest::newRow("incomplete") << QByteArray("[{\"name\":\"draft\",\"mode\":\"tcp-lookup\"}]")
                                << QStringList{QStringLiteral("# draft: no bind-port yet, skipped")}
                                << QStringList{QStringLiteral("= tcp:")};
}

void tst_PostfixSnippet::generate()
{
    QFETCH(QByteArray, endpoints);
    QFETCH(QStringList, expectedLines);
    QFETCH(QStringList, absent);

    const QJsonDocument document = QJsonDocument::fromJson(endpoints);
    QVERIFY(document.isArray());
    const QString snippet = PostfixSnippet::generate(document.array());
    const QStringList lines = snippet.split(QLatin1Char('\n'));
    for (const QString &line : expectedLines)
        QVERIFY2(lines.contains(line),
                 qPrintable(QStringLiteral("missing \"%1\" in:\n%2").arg(line, snippet)));
    for (const QString &text : absent) {
        for (const QString &line : lines) {
            if (!line.startsWith(QLatin1Char('#')))
                QVERIFY2(!line.contains(text), qPrintable(line));
        }
    }
}

void tst_PostfixSnippet::adminUrls_data()
{
    QTest::addColumn<QByteArray>("admin"); // the "admin" value as JSON; empty: absent
    QTest::addColumn<QString>("expected"); // empty: no metrics comment

    QTest::newRow("absent") << QByteArray() << QString();
    QTest::newRow("default address") << QByteArray("{\"bind-port\": 9105}")
                                     << "#   http://127.0.0.1:9105/metrics  http://127.0.0.1:9105/healthz";
    QTest::newRow("wildcard v6") << QByteArray("{\"bind-address\": \"::\", \"bind-port\": 9200}")
                                 << "#   http://[::1]:9200/metrics  http://[::1]:9200/healthz";
    QTest::newRow("no port yet") << QByteArray("{\"bind-address\": \"127.0.0.1\"}") << QString();
    QTest::newRow("port not a number") << QByteArray("{\"bind-port\": \"9105\"}") << QString();
}

void tst_PostfixSnippet::adminUrls()
{
    QFETCH(QByteArray, admin);
    QFETCH(QString, expected);

    const QJsonArray endpoints =
        QJsonDocument::fromJson("[{\"name\":\"domains\",\"mode\":\"tcp-lookup\","
                                "\"bind-address\":\"127.0.0.1\",\"bind-port\":9000}]")
            .array();
    const QJsonValue value = admin.isEmpty() ? QJsonValue(QJsonValue::Undefined)
                                             : QJsonValue(QJsonDocument::fromJson(admin).object());
    const QString snippet = PostfixSnippet::generate(endpoints, QString(), value);
    QVERIFY(snippet.contains(QStringLiteral("virtual_mailbox_domains = tcp:127.0.0.1:9000")));
    if (expected.isEmpty())
        QVERIFY2(!snippet.contains(QStringLiteral("/metrics")), qPrintable(snippet));
    else
        QVERIFY2(snippet.split(QLatin1Char('\n')).contains(expected), qPrintable(snippet));
}

void tst_PostfixSnippet::policyKeepsRestrictions_data()
{
    QTest::addColumn<QString>("current"); // as postconf -h prints it
    QTest::addColumn<QStringList>("expected");

    const QString check = QStringLiteral("check_policy_service inet:127.0.0.1:9104");
    QTest::newRow("sasl kept") << "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"
                               << QStringList{QStringLiteral("permit_mynetworks"),
                                              QStringLiteral("permit_sasl_authenticated"),
                                              QStringLiteral("reject_unauth_destination"), check};
    QTest::newRow("before later checks")
        << "permit_mynetworks reject_unauth_destination check_recipient_access hash:/etc/postfix/access, "
           "reject_rbl_client zen.spamhaus.org"
        << QStringList{QStringLiteral("permit_mynetworks"), QStringLiteral("reject_unauth_destination"),
                       check, QStringLiteral("check_recipient_access hash:/etc/postfix/access"),
                       QStringLiteral("reject_rbl_client zen.spamhaus.org")};
    QTest::newRow("defer") << "permit_sasl_authenticated,defer_unauth_destination"
                           << QStringList{QStringLiteral("permit_sasl_authenticated"),
                                          QStringLiteral("defer_unauth_destination"), check};
    QTest::newRow("before final permit")
        << "reject_non_fqdn_recipient, permit"
        << QStringList{QStringLiteral("reject_non_fqdn_recipient"), check, QStringLiteral("permit")};
    QTest::newRow("empty (relay restrictions guard relaying)") << "" << QStringList{check};
    QTest::newRow("already there") << "reject_unauth_destination, check_policy_service inet:127.0.0.1:9104"
                                   << QStringList{QStringLiteral("reject_unauth_destination"), check};
}

void tst_PostfixSnippet::policyKeepsRestrictions()
{
    QFETCH(QString, current);
    QFETCH(QStringList, expected);

    const QJsonArray endpoints =
        QJsonDocument::fromJson("[{\"name\":\"policy\",\"mode\":\"policy\","
                                "\"bind-address\":\"127.0.0.1\",\"bind-port\":9104}]")
            .array();
    const QString snippet =
        PostfixSnippet::generate(endpoints, QString(), QJsonValue(QJsonValue::Undefined), current);
    QStringList lines = snippet.split(QLatin1Char('\n'));
    const qsizetype start = lines.indexOf(QStringLiteral("smtpd_recipient_restrictions ="));
    QVERIFY2(start >= 0, qPrintable(snippet));
    QStringList items;
    for (qsizetype i = start + 1; i < lines.size() && lines.at(i).startsWith(QLatin1String("    ")); ++i) {
        QString item = lines.at(i).trimmed();
        if (item.endsWith(QLatin1Char(',')))
            item.chop(1);
        items << item;
    }
    QCOMPARE(items, expected);
}

QTEST_GUILESS_MAIN(tst_PostfixSnippet)
#include "tst_postfixsnippet.moc"
