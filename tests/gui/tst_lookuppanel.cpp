// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/serviceapplication.h"
#include "config/configwriter.h"
#include "configdocument.h"
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "lookuppanel.h"
#include "mainwindow.h"

#include <QComboBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace prc;
using prc::test::FakeBackend;

namespace {

enum EndpointIndex { TcpEndpoint, SocketmapEndpoint, PolicyEndpoint };

/// The backend contract, in miniature: a few known keys, the rest not found.
FakeBackend::Response answer(const FakeBackend::Request &request)
{
    FakeBackend::Response response;
    if (request.header("x-auth-token") != "gui-test-token") {
        response.status = 401;
        return response;
    }
    const QString key = request.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded);
    if (request.path == "/tcp") {
        if (key == QLatin1String("example.com"))
            response.body = "[\"example.com\"]";
        else if (key == QLatin1String("broken"))
            response.status = 503;
        else
            response.status = 404;
    } else if (request.path == "/socketmap") {
        const QString name = request.query.queryItemValue(QStringLiteral("name"));
        if (name == QLatin1String("aliases") && key == QLatin1String("postmaster@example.com"))
            response.body = "[\"alice@example.com\",\"bob@example.com\"]";
        else
            response.body = "[]";
    } else if (request.path == "/policy") {
        response.contentType = "text/plain";
        response.body =
            request.body.contains("recipient=nobody%40example.com") ? "REJECT no such user" : "DUNNO";
    } else {
        response.status = 404;
    }
    return response;
}

} // namespace

class tst_LookupPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void lookup_data();
    void lookup();
    void customAddressWithoutService();

private:
    FakeBackend m_backend;
    ServiceApplication m_service;
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void tst_LookupPanel::initTestCase()
{
    m_backend.setHandler(answer);
    QVERIFY(m_backend.listen());

    // The service picks free ports; the config the window opens then names them.
    ServiceConfig config;
    const QList<QPair<EndpointMode, QString>> modes = {
        {EndpointMode::TcpLookup, QStringLiteral("/tcp")},
        {EndpointMode::SocketmapLookup, QStringLiteral("/socketmap")},
        {EndpointMode::Policy, QStringLiteral("/policy")}};
    for (const auto &[mode, path] : modes) {
        EndpointConfig endpoint;
        endpoint.name = modeName(mode).section(QLatin1Char('-'), 0, 0);
        if (mode == EndpointMode::SocketmapLookup)
            endpoint.name = QStringLiteral("aliases");
        endpoint.mode = mode;
        endpoint.target = m_backend.url(path);
        endpoint.bindAddress = QStringLiteral("127.0.0.1");
        endpoint.bindPort = 0;
        endpoint.authToken = QStringLiteral("gui-test-token");
        config.endpoints.append(endpoint);
    }
    QString error;
    QVERIFY2(m_service.start(config, &error), qPrintable(error));
    QCOMPARE(m_service.endpoints().size(), 3);

    QJsonArray endpoints;
    for (EndpointServer *server : m_service.endpoints()) {
        const EndpointConfig &endpoint = server->config();
        endpoints.append(QJsonObject{{QStringLiteral("name"), endpoint.name},
                                     {QStringLiteral("mode"), modeName(endpoint.mode)},
                                     {QStringLiteral("target"), endpoint.target.toString()},
                                     {QStringLiteral("bind-address"), endpoint.bindAddress},
                                     {QStringLiteral("bind-port"), server->serverPort()},
                                     {QStringLiteral("auth-token"), endpoint.authToken}});
    }
    const QString path = m_dir.filePath(QStringLiteral("config.json"));
    QVERIFY(ConfigWriter::write(path, QJsonObject{{QStringLiteral("endpoints"), endpoints}}, &error));

    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->openFile(path));
    QCOMPARE(m_window->document()->errors().size(), 0);
    m_window->tabs()->setCurrentIndex(MainWindow::LookupTab);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_LookupPanel::cleanupTestCase()
{
    m_window.reset();
}

void tst_LookupPanel::lookup_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QString>("key"); // policy: the recipient
    QTest::addColumn<QString>("meaning");
    QTest::addColumn<QString>("value"); // starting with "- ": the end of "<request id> - <reason>"
    QTest::addColumn<QString>("received");

    QTest::newRow("tcp found") << int(TcpEndpoint) << "example.com"
                               << "Found (200)"
                               << "example.com"
                               << "200 example.com\\n";
    QTest::newRow("tcp not found") << int(TcpEndpoint) << "example.org"
                                   << "Not found (500)"
                                   << "- key not found"
                                   << "500 ";
    QTest::newRow("tcp temporary") << int(TcpEndpoint) << "broken"
                                   << "Temporary error (400)"
                                   << "- unexpected backend status 503"
                                   << "400 ";
    QTest::newRow("socketmap found") << int(SocketmapEndpoint) << "postmaster@example.com"
                                     << "Found (OK)"
                                     << "alice@example.com,bob@example.com"
                                     << "36:OK alice@example.com,bob@example.com,";
    QTest::newRow("socketmap not found") << int(SocketmapEndpoint) << "nobody@example.com"
                                         << "Not found (NOTFOUND)"
                                         << ""
                                         << "9:NOTFOUND ,";
    QTest::newRow("policy dunno") << int(PolicyEndpoint) << "bob@example.com"
                                  << "Policy action: DUNNO"
                                  << "DUNNO"
                                  << "action=DUNNO\\n";
    QTest::newRow("policy reject") << int(PolicyEndpoint) << "nobody@example.com"
                                   << "Policy action: REJECT no such user"
                                   << "REJECT no such user"
                                   << "action=REJECT no such user\\n";
}

void tst_LookupPanel::lookup()
{
    QFETCH(int, endpoint);
    QFETCH(QString, key);
    QFETCH(QString, meaning);
    QFETCH(QString, value);
    QFETCH(QString, received);

    LookupPanel *panel = m_window->lookupPanel();
    panel->selectEndpoint(endpoint);
    if (endpoint == PolicyEndpoint) {
        auto *attributes = panel->findChild<QPlainTextEdit *>(QStringLiteral("attributes"));
        QVERIFY(attributes->isVisibleTo(panel));
        attributes->setPlainText(LookupPanel::policyTemplate().replace(
            QStringLiteral("recipient=bob@example.com"), QStringLiteral("recipient=") + key));
    } else {
        auto *keyEdit = panel->findChild<QLineEdit *>(QStringLiteral("key"));
        QVERIFY(keyEdit->isVisibleTo(panel));
        keyEdit->clear();
        QTest::keyClicks(keyEdit, key);
        QCOMPARE(panel->findChild<QLineEdit *>(QStringLiteral("map-name"))->isVisibleTo(panel),
                 endpoint == SocketmapEndpoint);
    }

    const int historyBefore = panel->findChild<QListWidget *>(QStringLiteral("history"))->count();
    QSignalSpy finished(panel, &LookupPanel::lookupFinished);
    auto *send = panel->findChild<QPushButton *>(QStringLiteral("send"));
    QTest::mouseClick(send, Qt::LeftButton);
    QVERIFY(!send->isEnabled()); // asynchronous: the window stays responsive while it waits
    QVERIFY(finished.wait(10000));
    QVERIFY(send->isEnabled());

    QCOMPARE(panel->findChild<QLabel *>(QStringLiteral("meaning"))->text(), meaning);
    const QString shownValue = panel->findChild<QLineEdit *>(QStringLiteral("value"))->text();
    if (value.startsWith(QLatin1String("- ")))
        QVERIFY2(shownValue.endsWith(value) && shownValue.size() > value.size(), qPrintable(shownValue));
    else
        QCOMPARE(shownValue, value);
    const QString raw = panel->findChild<QPlainTextEdit *>(QStringLiteral("received"))->toPlainText();
    QVERIFY2(raw.startsWith(received), qPrintable(raw));
    QVERIFY(!panel->findChild<QLabel *>(QStringLiteral("round-trip"))->text().contains(QStringLiteral("no")));
    QVERIFY(!panel->findChild<QLabel *>(QStringLiteral("explanation"))->text().isEmpty());
    QCOMPARE(panel->findChild<QListWidget *>(QStringLiteral("history"))->count(), historyBefore + 1);
    QCOMPARE(m_backend.requests().constLast().header("x-auth-token"), QByteArray("gui-test-token"));
}

void tst_LookupPanel::customAddressWithoutService()
{
    LookupPanel *panel = m_window->lookupPanel();
    panel->findChild<QLineEdit *>(QStringLiteral("host"))->setText(QStringLiteral("127.0.0.1"));
    panel->findChild<QSpinBox *>(QStringLiteral("port"))->setValue(FakeBackend::unusedPort());
    auto *mode = panel->findChild<QComboBox *>(QStringLiteral("mode"));
    mode->setCurrentIndex(mode->findText(QStringLiteral("tcp-lookup")));
    panel->setKey(QStringLiteral("example.com"));
    QSignalSpy finished(panel, &LookupPanel::lookupFinished);
    QVERIFY(panel->send());
    QVERIFY(finished.wait(10000));
    const QString text = panel->findChild<QLabel *>(QStringLiteral("meaning"))->text();
    QVERIFY2(text.startsWith(QStringLiteral("No answer")) && text.contains(QStringLiteral("refused")),
             qPrintable(text));
    QCOMPARE(panel->findChild<QLabel *>(QStringLiteral("round-trip"))->text(),
             QStringLiteral("no complete reply"));
}

QTEST_MAIN(tst_LookupPanel)
#include "tst_lookuppanel.moc"
