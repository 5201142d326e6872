// SPDX-License-Identifier: GPL-3.0-or-later
// Unix-socket endpoints in the admin tool: the form's bind-path, socket-mode and socket-group fields (typed,
// with the service's own validation), the unix: forms of the Postfix snippet, and test lookups over a real
// Unix socket to a running connector.
#include "app/serviceapplication.h"
#include "config/configwriter.h"
#include "configdocument.h"
#include "endpointform.h"
#include "endpointtablemodel.h"
#include "fakebackend.h"
#include "lookuppanel.h"
#include "postfixsnippet.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace prc;
using namespace prc::test;

class TestUnixEndpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formEditsUnixKeys();
    void formShowsServiceErrors_data();
    void formShowsServiceErrors();
    void snippet_data();
    void snippet();
    void lookupOverUnixSocket_data();
    void lookupOverUnixSocket();

private:
    static void type(QLineEdit *edit, const QString &text);
};

void TestUnixEndpoint::type(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    if (!text.isEmpty())
        QTest::keyClicks(edit, text);
}

void TestUnixEndpoint::formEditsUnixKeys()
{
    ConfigDocument document;
    document.newFromTemplate();
    EndpointForm form(&document);
    form.setEndpointIndex(2); // the template's policy endpoint on 127.0.0.1:9002
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));

    auto *path = form.findChild<QLineEdit *>(QStringLiteral("bind-path"));
    auto *mode = form.findChild<QLineEdit *>(QStringLiteral("socket-mode"));
    auto *group = form.findChild<QLineEdit *>(QStringLiteral("socket-group"));
    QVERIFY(path && mode && group);

    type(path, QStringLiteral("/var/spool/postfix/private/prc-policy"));
    QCOMPARE(document.endpoint(2).value(QStringLiteral("bind-path")).toString(),
             QStringLiteral("/var/spool/postfix/private/prc-policy"));
    // Both forms at once: the service's own message, next to the field.
    QVERIFY(form.errorText(QStringLiteral("bind-path")).contains(QStringLiteral("not both")));

    // Take the TCP form away, as a user does: empty the address, port to 0.
    type(form.findChild<QLineEdit *>(QStringLiteral("bind-address")), QString());
    document.setEndpointValue(2, QStringLiteral("bind-address"), QJsonValue(QJsonValue::Undefined));
    auto *port = form.findChild<QSpinBox *>(QStringLiteral("bind-port"));
    port->setFocus();
    port->selectAll();
    QTest::keyClicks(port, QStringLiteral("0"));
    QVERIFY(!document.endpoint(2).contains(QStringLiteral("bind-port")));
    QCOMPARE(form.errorText(QStringLiteral("bind-path")), QString());

    type(mode, QStringLiteral("0600"));
    type(group, QStringLiteral("postfix"));
    const QJsonObject endpoint = document.endpoint(2);
    QCOMPARE(endpoint.value(QStringLiteral("socket-mode")).toString(), QStringLiteral("0600"));
    QCOMPARE(endpoint.value(QStringLiteral("socket-group")).toString(), QStringLiteral("postfix"));
    QStringList problems;
    for (const ConfigError &problem : document.errors())
        problems << problem.toString();
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));

    // The endpoint table shows where it listens.
    EndpointTableModel table(&document);
    QCOMPARE(table.index(2, EndpointTableModel::BindColumn).data().toString(),
             QStringLiteral("unix:/var/spool/postfix/private/prc-policy"));
    QCOMPARE(table.index(0, EndpointTableModel::BindColumn).data().toString(),
             QStringLiteral("127.0.0.1:9000"));

    // Emptying a field leaves the key out of the file (the default applies).
    type(mode, QString());
    QVERIFY(!document.endpoint(2).contains(QStringLiteral("socket-mode")));
}

void TestUnixEndpoint::formShowsServiceErrors_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("relative path") << 2 << QStringLiteral("bind-path") << QStringLiteral("private/p")
                                   << QStringLiteral("\"private/p\" must be an absolute path");
    QTest::newRow("tcp-lookup") << 0 << QStringLiteral("bind-path") << QStringLiteral("/run/prc/d")
                                << QStringLiteral("Postfix's tcp_table speaks TCP only");
    QTest::newRow("mode not octal") << 2 << QStringLiteral("socket-mode") << QStringLiteral("0680")
                                    << QStringLiteral("\"0680\" is not a file mode");
    QTest::newRow("mode on tcp") << 1 << QStringLiteral("socket-mode") << QStringLiteral("0600")
                                 << QStringLiteral("applies to a Unix socket only");
    QTest::newRow("group with space") << 2 << QStringLiteral("socket-group") << QStringLiteral("post fix")
                                      << QStringLiteral("\"post fix\" is not a group name");
}

void TestUnixEndpoint::formShowsServiceErrors()
{
    QFETCH(int, endpoint);
    QFETCH(QString, key);
    QFETCH(QString, text);
    QFETCH(QString, message);
    ConfigDocument document;
    document.newFromTemplate();
    if (key != QLatin1String("bind-path") && endpoint == 2) {
        // A valid Unix endpoint to begin with.
        QJsonObject policy = document.endpoint(2);
        policy.remove(QStringLiteral("bind-address"));
        policy.remove(QStringLiteral("bind-port"));
        policy.insert(QStringLiteral("bind-path"), QStringLiteral("/run/prc/policy"));
        document.replaceEndpoint(2, policy, QStringLiteral("test"));
    }
    EndpointForm form(&document);
    form.setEndpointIndex(endpoint);
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    type(form.findChild<QLineEdit *>(key), text);
    const QString shown = form.findChild<QLabel *>(key + QLatin1String("-error"))->text();
    QVERIFY2(shown.contains(message), qPrintable(shown));
    QVERIFY(form.findChild<QLabel *>(key + QLatin1String("-error"))->isVisibleTo(&form));
}

void TestUnixEndpoint::snippet_data()
{
    QTest::addColumn<QByteArray>("endpoints");
    QTest::addColumn<QStringList>("lines");
    QTest::newRow("in the queue directory")
        << QByteArray(
               R"([{"name":"prc-policy","mode":"policy","bind-path":"/var/spool/postfix/private/prc-policy"},
                         {"name":"aliases","mode":"socketmap-lookup","bind-path":"/var/spool/postfix/private/prc-maps"}])")
        << QStringList{QStringLiteral("#   check_policy_service unix:private/prc-policy"),
                       QStringLiteral(
                           "virtual_alias_maps = socketmap:unix:/var/spool/postfix/private/prc-maps:alias")};
    QTest::newRow("elsewhere")
        << QByteArray(R"([{"name":"p","mode":"policy","bind-path":"/run/prc/policy"}])")
        << QStringList{QStringLiteral("#   check_policy_service unix:/run/prc/policy"),
                       QStringLiteral("#   outside /var/spool/postfix: a chrooted smtpd "
                                      "cannot reach it")};
    QTest::newRow("mixed with tcp")
        << QByteArray(R"([{"name":"domains","mode":"tcp-lookup","bind-address":"127.0.0.1","bind-port":9000},
                         {"name":"domains2","mode":"socketmap-lookup","bind-path":"/run/prc/maps"}])")
        << QStringList{QStringLiteral(
               "virtual_mailbox_domains = tcp:127.0.0.1:9000, socketmap:unix:/run/prc/maps:domain")};
}

void TestUnixEndpoint::snippet()
{
    QFETCH(QByteArray, endpoints);
    QFETCH(QStringList, lines);
    const QString text = PostfixSnippet::generate(QJsonDocument::fromJson(endpoints).array());
    const QStringList actual = text.split(QLatin1Char('\n'));
    for (const QString &line : lines)
        QVERIFY2(actual.contains(line), qPrintable(line + QStringLiteral("\n---\n") + text));
    QVERIFY(!text.contains(QStringLiteral("skipped")));
}

void TestUnixEndpoint::lookupOverUnixSocket_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QString>("meaning");
    QTest::addColumn<QString>("value");
    QTest::newRow("socketmap") << 0 << QStringLiteral("Found (OK)") << QStringLiteral("alice@example.com");
    QTest::newRow("policy") << 1 << QStringLiteral("Policy action: REJECT not here")
                            << QStringLiteral("REJECT not here");
}

void TestUnixEndpoint::lookupOverUnixSocket()
{
    QFETCH(int, endpoint);
    QFETCH(QString, meaning);
    QFETCH(QString, value);

    FakeBackend backend;
    backend.setHandler([](const FakeBackend::Request &request) {
        return FakeBackend::Response::withBody(request.method == "POST" ? "REJECT not here"
                                                                        : "[\"alice@example.com\"]");
    });
    QVERIFY(backend.listen());
    QTemporaryDir dir(QStringLiteral("/tmp/prc-gui-XXXXXX"));
    ServiceConfig config;
    for (const auto &[name, mode] : {std::pair{QStringLiteral("aliases"), EndpointMode::SocketmapLookup},
                                     std::pair{QStringLiteral("policy"), EndpointMode::Policy}}) {
        EndpointConfig e;
        e.name = name;
        e.mode = mode;
        e.target = backend.url(QStringLiteral("/") + name);
        e.bindPath = dir.filePath(name);
        e.authToken = QStringLiteral("t");
        config.endpoints.append(e);
    }
    ServiceApplication service;
    QString error;
    QVERIFY2(service.start(config, &error), qPrintable(error));

    QJsonArray endpoints;
    for (const EndpointConfig &e : config.endpoints)
        endpoints.append(QJsonObject{{QStringLiteral("name"), e.name},
                                     {QStringLiteral("mode"), modeName(e.mode)},
                                     {QStringLiteral("target"), e.target.toString()},
                                     {QStringLiteral("bind-path"), e.bindPath},
                                     {QStringLiteral("auth-token"), e.authToken}});
    const QString file = dir.filePath(QStringLiteral("config.json"));
    QVERIFY(ConfigWriter::write(file, QJsonObject{{QStringLiteral("endpoints"), endpoints}}, &error));
    ConfigDocument document;
    QVERIFY2(document.load(file, &error), qPrintable(error));
    QVERIFY(document.errors().isEmpty());

    LookupPanel panel(&document);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.selectEndpoint(endpoint);
    QCOMPARE(panel.findChild<QLineEdit *>(QStringLiteral("host"))->text(),
             config.endpoints.at(endpoint).bindPath);
    if (endpoint == 0) {
        auto *key = panel.findChild<QLineEdit *>(QStringLiteral("key"));
        key->clear();
        QTest::keyClicks(key, QStringLiteral("postmaster@example.com"));
    }
    QSignalSpy finished(&panel, &LookupPanel::lookupFinished);
    QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("send")), Qt::LeftButton);
    QVERIFY(finished.wait(10000));
    QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("meaning"))->text(), meaning);
    QCOMPARE(panel.findChild<QLineEdit *>(QStringLiteral("value"))->text(), value);
    QCOMPARE(backend.requests().size(), 1);
}

QTEST_MAIN(TestUnixEndpoint)
#include "tst_unixendpoint.moc"
