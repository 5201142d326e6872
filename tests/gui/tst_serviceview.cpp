// SPDX-License-Identifier: GPL-3.0-or-later
#include "configdocument.h"
#include "fakebackend.h"
#include "mainwindow.h"
#include "postfixtestclient.h"
#include "serviceprocess.h"
#include "serviceview.h"
#include "timeserieschart.h"

#include <QApplication>
#include <QCheckBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace prc;
using namespace prc::test;

namespace {

bool anyAbove(const QList<double> &values, double threshold)
{
    for (const double value : values) {
        if (std::isfinite(value) && value > threshold)
            return true;
    }
    return false;
}

void retype(QWidget *field, const QString &text)
{
    field->setFocus();
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(field, text);
    QTest::keyClick(field, Qt::Key_Return);
}

} // namespace

class tst_ServiceView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void connectedShowsEndpoints();
    void liveCharts();
    void openConnectionsAndInFlight();
    void probeBackends();
    void typedAddressUnreachable();
    void typedAddressConnects();
    void notThisConfig();
    void adminListenerOff();

private:
    ServiceView *view() const { return m_window->serviceView(); }
    QString cell(int row, int column) const
    {
        auto *table = view()->findChild<QTableWidget *>(QStringLiteral("endpoints"));
        return table->item(row, column) ? table->item(row, column)->text() : QString();
    }
    QString stateText() const { return view()->findChild<QLabel *>(QStringLiteral("state"))->text(); }

    FakeBackend m_backend;
    ServiceProcess m_service;
    QTemporaryDir m_dir;
    quint16 m_adminPort = 0;
    quint16 m_tcpPort = 0;
    std::unique_ptr<MainWindow> m_window;
};

void tst_ServiceView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("prc-test"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       m_dir.filePath(QStringLiteral("settings")));

    m_backend.setHandler([](const FakeBackend::Request &request) {
        const QString key = request.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded);
        FakeBackend::Response response = FakeBackend::Response::withBody("[\"ok\"]");
        if (key == QLatin1String("slow"))
            response.delayMs = 3000;
        if (request.path == "/policy") {
            response.contentType = "text/plain";
            response.body = "DUNNO";
        }
        return response;
    });
    QVERIFY(m_backend.listen());

    m_adminPort = reservedPort();
    m_tcpPort = reservedPort();
    QJsonObject config = configObject(
        {endpointObject(QStringLiteral("domains"), QStringLiteral("tcp-lookup"), m_tcpPort,
                        m_backend.url(QStringLiteral("/tcp")),
                        {{QStringLiteral("cache"), QJsonObject{{QStringLiteral("enabled"), true}}}}),
         endpointObject(QStringLiteral("policy"), QStringLiteral("policy"), reservedPort(),
                        m_backend.url(QStringLiteral("/policy")))});
    config.insert(QStringLiteral("admin"), QJsonObject{{QStringLiteral("bind-port"), int(m_adminPort)}});
    const QString path = m_service.writeConfig(config);
    m_service.start({path});
    QTRY_VERIFY_WITH_TIMEOUT(m_service.isStarted() || m_service.hasExited(), 15000);
    QVERIFY2(m_service.isStarted(), m_service.output().constData());

    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->openFile(path));
    m_window->serviceView()->setInterval(200);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void tst_ServiceView::cleanupTestCase()
{
    m_window.reset();
}

void tst_ServiceView::connectedShowsEndpoints()
{
    // View → Service.
    QTest::keyClick(m_window.get(), Qt::Key_4, Qt::ControlModifier);
    QCOMPARE(m_window->tabs()->currentIndex(), int(MainWindow::ServiceTab));
    QCOMPARE(view()->baseUrl().port(), int(m_adminPort));
    QTRY_COMPARE_WITH_TIMEOUT(view()->state(), ServiceView::State::Connected, 10000);
    QVERIFY2(stateText().startsWith(QStringLiteral("Connected to 127.0.0.1:%1").arg(m_adminPort)),
             qPrintable(stateText()));
    auto *table = view()->findChild<QTableWidget *>(QStringLiteral("endpoints"));
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(cell(0, ServiceView::NameColumn), QStringLiteral("domains"));
    QCOMPARE(cell(0, ServiceView::ModeColumn), QStringLiteral("tcp-lookup"));
    QCOMPARE(cell(1, ServiceView::NameColumn), QStringLiteral("policy"));
    QTRY_COMPARE(cell(0, ServiceView::HealthColumn), QStringLiteral("listening"));
    QCOMPARE(cell(1, ServiceView::CacheColumn), QStringLiteral("cache off"));
}

void tst_ServiceView::liveCharts()
{
    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(m_tcpPort);
    QTRY_VERIFY(client.isConnected());
    // Five distinct keys (backend calls), then the first again (a cache hit).
    for (int i = 0; i < 5; ++i)
        client.write(QStringLiteral("get key%1.example\n").arg(i).toUtf8());
    QTRY_COMPARE(client.replies().size(), 5);
    client.write("get key0.example\n");
    QTRY_COMPARE(client.replies().size(), 6);
    client.close();

    TimeSeriesChart *requests = view()->requestsChart();
    QCOMPARE(requests->seriesCount(), 6);
    QTRY_VERIFY_WITH_TIMEOUT(anyAbove(requests->values(0), 0), 10000); // "found"
    QTRY_VERIFY(anyAbove(view()->latencyChart()->values(0), 0));
    QTRY_VERIFY(anyAbove(view()->cacheChart()->values(0), 0));
    // Quiet afterwards: the newest rate is back to 0.
    QTRY_COMPARE_WITH_TIMEOUT(requests->latest(0), 0.0, 10000);
}

void tst_ServiceView::openConnectionsAndInFlight()
{
    PostfixTestClient client(PostfixTestClient::Framing::Line);
    client.connectTo(m_tcpPort);
    QTRY_VERIFY(client.isConnected());
    client.write("get slow\n"); // the backend takes 3 s
    QTRY_COMPARE(cell(0, ServiceView::InFlightColumn), QStringLiteral("1"));
    QCOMPARE(cell(0, ServiceView::ConnectionsColumn), QStringLiteral("1"));
    QVERIFY(view()
                ->findChild<QLabel *>(QStringLiteral("summary"))
                ->text()
                .contains(QStringLiteral("1 open connection")));
    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, ServiceView::ConnectionsColumn), QStringLiteral("0"), 10000);
}

void tst_ServiceView::probeBackends()
{
    QCOMPARE(cell(0, ServiceView::ProbeColumn), QStringLiteral("not probed yet"));
    QSignalSpy probed(view(), &ServiceView::probed);
    QTest::keyClick(m_window.get(), Qt::Key_B, Qt::AltModifier);
    QVERIFY(probed.wait(10000));
    QVERIFY2(cell(0, ServiceView::ProbeColumn).startsWith(QStringLiteral("backend ok (HTTP 200")),
             qPrintable(cell(0, ServiceView::ProbeColumn)));
    QVERIFY2(cell(1, ServiceView::ProbeColumn).startsWith(QStringLiteral("backend ok")),
             qPrintable(cell(1, ServiceView::ProbeColumn)));
    // The result stays through the next polls.
    QSignalSpy polled(view(), &ServiceView::polled);
    QVERIFY(polled.wait(5000));
    QVERIFY(cell(0, ServiceView::ProbeColumn).startsWith(QStringLiteral("backend ok")));
}

void tst_ServiceView::typedAddressUnreachable()
{
    auto *fromConfig = view()->findChild<QCheckBox *>(QStringLiteral("from-config"));
    QTest::mouseClick(fromConfig, Qt::LeftButton, {}, QPoint(8, fromConfig->height() / 2));
    QVERIFY(!fromConfig->isChecked());
    retype(view()->findChild<QLineEdit *>(QStringLiteral("admin-address")),
           QStringLiteral("127.0.0.1:%1").arg(reservedPort()));
    QTRY_COMPARE_WITH_TIMEOUT(view()->state(), ServiceView::State::Unreachable, 10000);
    QVERIFY2(stateText().startsWith(QStringLiteral("Unreachable"))
                 && stateText().contains(QStringLiteral("refused")),
             qPrintable(stateText()));
    QCOMPARE(view()->findChild<QTableWidget *>(QStringLiteral("endpoints"))->rowCount(), 0);
}

void tst_ServiceView::typedAddressConnects()
{
    retype(view()->findChild<QLineEdit *>(QStringLiteral("admin-address")),
           QStringLiteral("localhost:%1").arg(m_adminPort));
    QTRY_COMPARE_WITH_TIMEOUT(view()->state(), ServiceView::State::Connected, 10000);
    auto *fromConfig = view()->findChild<QCheckBox *>(QStringLiteral("from-config"));
    QTest::mouseClick(fromConfig, Qt::LeftButton, {}, QPoint(8, fromConfig->height() / 2));
    QVERIFY(fromConfig->isChecked());
    QCOMPARE(view()->findChild<QLineEdit *>(QStringLiteral("admin-address"))->text(),
             QStringLiteral("127.0.0.1:%1").arg(m_adminPort));
}

void tst_ServiceView::notThisConfig()
{
    // The open config renames an endpoint: the running service no longer matches it.
    m_window->document()->setEndpointValue(1, QStringLiteral("name"), QStringLiteral("renamed"));
    QTRY_COMPARE_WITH_TIMEOUT(view()->state(), ServiceView::State::NotThisConfig, 10000);
    QVERIFY2(stateText().startsWith(QStringLiteral("Not this config"))
                 && stateText().contains(QStringLiteral("renamed")),
             qPrintable(stateText()));
    m_window->document()->undoStack()->undo();
    QTRY_COMPARE_WITH_TIMEOUT(view()->state(), ServiceView::State::Connected, 10000);
}

void tst_ServiceView::adminListenerOff()
{
    m_window->document()->setRootValue(QStringLiteral("admin"), QJsonValue());
    QTRY_COMPARE(view()->state(), ServiceView::State::Off);
    QVERIFY2(stateText().startsWith(QStringLiteral("Admin listener off")), qPrintable(stateText()));
    QVERIFY(!view()->findChild<QPushButton *>(QStringLiteral("probe"))->isEnabled());
}

QTEST_MAIN(tst_ServiceView)
#include "tst_serviceview.moc"
