// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/serviceapplication.h"
#include "config/configwriter.h"
#include "configdocument.h"
#include "configeditor.h"
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "lookuppanel.h"
#include "mainwindow.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace prc;
using prc::test::FakeBackend;

namespace {

enum EndpointIndex { TcpEndpoint, SocketmapEndpoint, PolicyEndpoint };

constexpr int LongKeySize = 40000; // over QLineEdit's default limit of 32767, under the default 64 KiB

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
        else if (key.size() == LongKeySize)
            response.body = "[\"long key arrived whole\"]";
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

template<typename T>
T *child(QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qWarning("no child named %s", name);
    return widget;
}

/// Replaces a line edit's or spin box's text the way a user does: select all, type.
void retype(QWidget *field, const QString &text)
{
    field->setFocus();
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(field, text);
}

/// A "server" that accepts connections and never answers: a lookup to it stays pending.
class SilentServer : public QTcpServer
{
public:
    SilentServer() { listen(QHostAddress::LocalHost); }
    int accepted = 0;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        ++accepted;
        auto *socket = new QTcpSocket(this);
        socket->setSocketDescriptor(descriptor);
    }
};

/// Answers every connection with fixed bytes.
class ScriptedServer : public QTcpServer
{
public:
    explicit ScriptedServer(QByteArray reply)
        : m_reply(std::move(reply))
    {
        listen(QHostAddress::LocalHost);
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        socket->setSocketDescriptor(descriptor);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            socket->readAll();
            socket->write(m_reply);
        });
    }

private:
    QByteArray m_reply;
};

} // namespace

class tst_LookupPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void lookup_data();
    void lookup();
    void customAddressWithoutService();
    void portFollowsOpenedFile();
    void portFollowsEditor();
    void manualEditsMoveTheEndpointBox();
    void cancelPendingLookup();
    void longKey();
    void backendFailureIsTheConnectorsAnswer();
    void malformedReplyMessage();
    void mnemonics_data();
    void mnemonics();
    void tabOrder();
    void layoutAtSmallSizes();
    void commandLine_data();
    void commandLine();
    void historyAcrossRuns();
    void resendFromHistory();
    void exportHistory();
    void lastKeyPerProtocol();

private:
    LookupPanel *panel() const { return m_window->lookupPanel(); }
    /// Types the key, presses Enter in it and waits for the answer.
    bool lookupByKeyboard(const QString &key);
    std::unique_ptr<MainWindow> openWindow();

    FakeBackend m_backend;
    ServiceApplication m_service;
    QTemporaryDir m_dir;
    QString m_configPath;
    std::unique_ptr<MainWindow> m_window;
};

void tst_LookupPanel::initTestCase()
{
    // Remembered lookups go to a settings file of this run only.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("prc-test"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       m_dir.filePath(QStringLiteral("settings")));

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
    m_configPath = m_dir.filePath(QStringLiteral("config.json"));
    QVERIFY(ConfigWriter::write(m_configPath, QJsonObject{{QStringLiteral("endpoints"), endpoints}}, &error));

    m_window = openWindow();
    QVERIFY(m_window);
}

std::unique_ptr<MainWindow> tst_LookupPanel::openWindow()
{
    auto window = std::make_unique<MainWindow>();
    if (!window->openFile(m_configPath) || !window->document()->errors().isEmpty())
        return nullptr;
    window->tabs()->setCurrentIndex(MainWindow::LookupTab);
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window.get()))
        return nullptr;
    return window;
}

void tst_LookupPanel::init()
{
    // Tests that open a second window leave it active; keyboard input goes to the active window.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void tst_LookupPanel::cleanupTestCase()
{
    m_window.reset();
}

bool tst_LookupPanel::lookupByKeyboard(const QString &key)
{
    auto *keyEdit = child<QLineEdit>(panel(), "key");
    retype(keyEdit, key);
    QSignalSpy finished(panel(), &LookupPanel::lookupFinished);
    QTest::keyClick(keyEdit, Qt::Key_Return);
    return finished.wait(10000);
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

    panel()->selectEndpoint(endpoint);
    if (endpoint == PolicyEndpoint) {
        auto *attributes = child<QPlainTextEdit>(panel(), "attributes");
        QVERIFY(attributes->isVisibleTo(panel()));
        attributes->setPlainText(LookupPanel::policyTemplate().replace(
            QStringLiteral("recipient=bob@example.com"), QStringLiteral("recipient=") + key));
    } else {
        auto *keyEdit = child<QLineEdit>(panel(), "key");
        QVERIFY(keyEdit->isVisibleTo(panel()));
        retype(keyEdit, key);
        QCOMPARE(child<QLineEdit>(panel(), "map-name")->isVisibleTo(panel()), endpoint == SocketmapEndpoint);
    }

    const int historyBefore = child<QListWidget>(panel(), "history")->count();
    QSignalSpy finished(panel(), &LookupPanel::lookupFinished);
    auto *send = child<QPushButton>(panel(), "send");
    QTest::mouseClick(send, Qt::LeftButton);
    QVERIFY(!send->isEnabled()); // asynchronous: the window stays responsive while it waits
    QVERIFY(finished.wait(10000));
    QVERIFY(send->isEnabled());

    QCOMPARE(child<QLabel>(panel(), "meaning")->text(), meaning);
    const QString shownValue = child<QLineEdit>(panel(), "value")->text();
    if (value.startsWith(QLatin1String("- ")))
        QVERIFY2(shownValue.endsWith(value) && shownValue.size() > value.size(), qPrintable(shownValue));
    else
        QCOMPARE(shownValue, value);
    const QString raw = child<QPlainTextEdit>(panel(), "received")->toPlainText();
    QVERIFY2(raw.startsWith(received), qPrintable(raw));
    QVERIFY(!child<QLabel>(panel(), "round-trip")->text().contains(QStringLiteral("no")));
    QVERIFY(!child<QLabel>(panel(), "explanation")->text().isEmpty());
    QCOMPARE(child<QListWidget>(panel(), "history")->count(), historyBefore + 1);
    QCOMPARE(m_backend.requests().constLast().header("x-auth-token"), QByteArray("gui-test-token"));
}

void tst_LookupPanel::customAddressWithoutService()
{
    auto *endpointBox = child<QComboBox>(panel(), "endpoint");
    endpointBox->setCurrentIndex(endpointBox->count() - 1);
    retype(child<QLineEdit>(panel(), "host"), QStringLiteral("127.0.0.1"));
    retype(child<QSpinBox>(panel(), "port"), QString::number(FakeBackend::unusedPort()));
    auto *mode = child<QComboBox>(panel(), "mode");
    mode->setCurrentIndex(mode->findText(QStringLiteral("tcp-lookup")));
    QVERIFY(lookupByKeyboard(QStringLiteral("example.com")));
    const QString text = child<QLabel>(panel(), "meaning")->text();
    QVERIFY2(text.startsWith(QStringLiteral("No answer")) && text.contains(QStringLiteral("refused")),
             qPrintable(text));
    QCOMPARE(child<QLabel>(panel(), "round-trip")->text(), QStringLiteral("no complete reply"));
    // Nothing went on the wire: the pane must not claim otherwise.
    QVERIFY2(!child<QPlainTextEdit>(panel(), "sent")->toPlainText().contains(QStringLiteral("get ")),
             qPrintable(child<QPlainTextEdit>(panel(), "sent")->toPlainText()));
}

void tst_LookupPanel::portFollowsOpenedFile()
{
    // A fresh window holds the template (port 9000 and up); opening the file must move the panel along.
    auto window = std::make_unique<MainWindow>();
    window->show();
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    QVERIFY(window->openFile(m_configPath));
    QTest::keyClick(window.get(), Qt::Key_T, Qt::AltModifier);
    QCOMPARE(window->tabs()->currentIndex(), int(MainWindow::LookupTab));
    LookupPanel *lookup = window->lookupPanel();
    QTest::keyClick(window.get(), Qt::Key_K, Qt::AltModifier);
    auto *keyEdit = child<QLineEdit>(lookup, "key");
    QTRY_COMPARE(QApplication::focusWidget(), keyEdit);
    const quint16 tcpPort = m_service.endpoints().at(TcpEndpoint)->serverPort();
    QCOMPARE(child<QSpinBox>(lookup, "port")->value(), int(tcpPort));
    retype(keyEdit, QStringLiteral("example.com"));
    QSignalSpy finished(lookup, &LookupPanel::lookupFinished);
    QTest::keyClick(keyEdit, Qt::Key_Return);
    QVERIFY(finished.wait(10000));
    QCOMPARE(child<QLabel>(lookup, "meaning")->text(), QStringLiteral("Found (200)"));
}

void tst_LookupPanel::portFollowsEditor()
{
    auto window = openWindow();
    QVERIFY(window);
    window->tabs()->setCurrentIndex(MainWindow::EditorTab);
    auto *bindPort = window->editor()->findChild<QSpinBox *>(QStringLiteral("bind-port"));
    QVERIFY(bindPort);
    retype(bindPort, QStringLiteral("24680"));
    QCOMPARE(window->document()->endpoint(TcpEndpoint).value(QStringLiteral("bind-port")).toInt(), 24680);
    window->tabs()->setCurrentIndex(MainWindow::LookupTab);
    QCOMPARE(child<QSpinBox>(window->lookupPanel(), "port")->value(), 24680);
    QVERIFY(
        child<QComboBox>(window->lookupPanel(), "endpoint")->currentText().contains(QStringLiteral("24680")));
}

void tst_LookupPanel::manualEditsMoveTheEndpointBox()
{
    panel()->selectEndpoint(TcpEndpoint);
    auto *endpointBox = child<QComboBox>(panel(), "endpoint");
    QCOMPARE(endpointBox->currentData().toInt(), int(TcpEndpoint));

    retype(child<QLineEdit>(panel(), "host"), QStringLiteral("192.0.2.1"));
    QCOMPARE(endpointBox->currentData().toInt(), -1); // "Other address"

    retype(child<QLineEdit>(panel(), "host"), QStringLiteral("127.0.0.1"));
    QCOMPARE(endpointBox->currentData().toInt(), int(TcpEndpoint));

    // Typing the socketmap endpoint's port (and its protocol) selects that endpoint.
    const quint16 socketmapPort = m_service.endpoints().at(SocketmapEndpoint)->serverPort();
    auto *mode = child<QComboBox>(panel(), "mode");
    mode->setCurrentIndex(mode->findText(QStringLiteral("socketmap-lookup")));
    retype(child<QSpinBox>(panel(), "port"), QString::number(socketmapPort));
    QCOMPARE(endpointBox->currentData().toInt(), int(SocketmapEndpoint));
}

void tst_LookupPanel::cancelPendingLookup()
{
    SilentServer silent;
    QVERIFY(silent.isListening());
    auto *endpointBox = child<QComboBox>(panel(), "endpoint");
    endpointBox->setCurrentIndex(endpointBox->count() - 1);
    retype(child<QLineEdit>(panel(), "host"), QStringLiteral("127.0.0.1"));
    retype(child<QSpinBox>(panel(), "port"), QString::number(silent.serverPort()));
    auto *mode = child<QComboBox>(panel(), "mode");
    mode->setCurrentIndex(mode->findText(QStringLiteral("tcp-lookup")));

    auto *history = child<QListWidget>(panel(), "history");
    const int historyBefore = history->count();
    auto *keyEdit = child<QLineEdit>(panel(), "key");
    retype(keyEdit, QStringLiteral("pending.example"));
    QSignalSpy finished(panel(), &LookupPanel::lookupFinished);
    QTest::keyClick(keyEdit, Qt::Key_Return);

    auto *cancel = child<QPushButton>(panel(), "cancel");
    QVERIFY(cancel);
    QVERIFY(cancel->isEnabled());
    QVERIFY(!child<QPushButton>(panel(), "send")->isEnabled());
    QTRY_COMPARE(silent.accepted, 1);

    // The elapsed time runs while the lookup is pending.
    auto *elapsed = child<QLabel>(panel(), "elapsed");
    QVERIFY(elapsed);
    const QString first = elapsed->text();
    QTRY_VERIFY(elapsed->text() != first && !elapsed->text().isEmpty());

    // A second Enter does not start a second lookup nor cancel the first.
    QTest::keyClick(keyEdit, Qt::Key_Return);
    QTest::qWait(100); // give a wrongly started second connection the time to arrive
    QCOMPARE(silent.accepted, 1);
    QCOMPARE(finished.size(), 0);

    QTest::keyClick(keyEdit, Qt::Key_Escape);
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY2(child<QLabel>(panel(), "meaning")->text().contains(QStringLiteral("cancelled")),
             qPrintable(child<QLabel>(panel(), "meaning")->text()));
    QCOMPARE(history->count(), historyBefore + 1);
    QVERIFY(!cancel->isEnabled());
    QVERIFY(child<QPushButton>(panel(), "send")->isEnabled());

    // The Cancel button does the same.
    QTest::keyClick(keyEdit, Qt::Key_Return);
    QTRY_COMPARE(silent.accepted, 2);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_COMPARE(finished.size(), 2);
    QCOMPARE(history->count(), historyBefore + 2);
}

void tst_LookupPanel::longKey()
{
    panel()->selectEndpoint(TcpEndpoint);
    const QString key(LongKeySize, QLatin1Char('k'));
    auto *keyEdit = child<QLineEdit>(panel(), "key");
    keyEdit->setFocus();
    QTest::keyClick(keyEdit, Qt::Key_A, Qt::ControlModifier);
    QApplication::clipboard()->setText(key);
    QTest::keySequence(keyEdit, QKeySequence::Paste);
    QCOMPARE(keyEdit->text().size(), LongKeySize);
    QSignalSpy finished(panel(), &LookupPanel::lookupFinished);
    QTest::keyClick(keyEdit, Qt::Key_Return);
    QVERIFY(finished.wait(10000));
    QCOMPARE(child<QLineEdit>(panel(), "value")->text(), QStringLiteral("long key arrived whole"));

    // The history shows the key shortened, not a line as wide as 40000 characters.
    auto *history = child<QListWidget>(panel(), "history");
    QVERIFY2(history->item(0)->text().size() < 300,
             qPrintable(QString::number(history->item(0)->text().size())));
}

void tst_LookupPanel::backendFailureIsTheConnectorsAnswer()
{
    panel()->selectEndpoint(TcpEndpoint);
    QVERIFY(lookupByKeyboard(QStringLiteral("broken")));
    const QString headline = child<QLabel>(panel(), "meaning")->text();
    QVERIFY2(headline.contains(QStringLiteral(
                 "the connector answered: its backend call failed: unexpected backend status 503")),
             qPrintable(headline));
}

void tst_LookupPanel::malformedReplyMessage()
{
    ScriptedServer server("garbage\n");
    auto *endpointBox = child<QComboBox>(panel(), "endpoint");
    endpointBox->setCurrentIndex(endpointBox->count() - 1);
    retype(child<QSpinBox>(panel(), "port"), QString::number(server.serverPort()));
    auto *mode = child<QComboBox>(panel(), "mode");
    mode->setCurrentIndex(mode->findText(QStringLiteral("tcp-lookup")));
    QVERIFY(lookupByKeyboard(QStringLiteral("example.com")));
    QCOMPARE(child<QLabel>(panel(), "meaning")->text(),
             QStringLiteral("Malformed reply: expected three digits, a space and text"));
}

void tst_LookupPanel::mnemonics_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<QString>("field");
    QTest::addColumn<int>("mode"); // the protocol the page needs
    QTest::newRow("Alt+N endpoint") << int(Qt::Key_N) << "endpoint" << int(EndpointMode::TcpLookup);
    QTest::newRow("Alt+S host") << int(Qt::Key_S) << "host" << int(EndpointMode::TcpLookup);
    QTest::newRow("Alt+R port") << int(Qt::Key_R) << "port" << int(EndpointMode::TcpLookup);
    QTest::newRow("Alt+O protocol") << int(Qt::Key_O) << "mode" << int(EndpointMode::TcpLookup);
    QTest::newRow("Alt+I timeout") << int(Qt::Key_I) << "timeout" << int(EndpointMode::TcpLookup);
    QTest::newRow("Alt+K key") << int(Qt::Key_K) << "key" << int(EndpointMode::TcpLookup);
    QTest::newRow("Alt+A map name") << int(Qt::Key_A) << "map-name" << int(EndpointMode::SocketmapLookup);
    QTest::newRow("Alt+B attributes") << int(Qt::Key_B) << "attributes" << int(EndpointMode::Policy);
    QTest::newRow("Alt+Y history") << int(Qt::Key_Y) << "history" << int(EndpointMode::TcpLookup);
}

void tst_LookupPanel::mnemonics()
{
    QFETCH(int, key);
    QFETCH(QString, field);
    QFETCH(int, mode);
    panel()->selectEndpoint(mode == int(EndpointMode::TcpLookup)         ? TcpEndpoint
                            : mode == int(EndpointMode::SocketmapLookup) ? SocketmapEndpoint
                                                                         : PolicyEndpoint);
    child<QPushButton>(panel(), "send")->setFocus();
    QTest::keyClick(m_window.get(), Qt::Key(key), Qt::AltModifier);
    QVERIFY(QApplication::focusWidget());
    QCOMPARE(QApplication::focusWidget()->objectName(), field);
}

void tst_LookupPanel::tabOrder()
{
    panel()->selectEndpoint(SocketmapEndpoint);
    const QStringList order = {QStringLiteral("endpoint"), QStringLiteral("host"),
                               QStringLiteral("port"),     QStringLiteral("mode"),
                               QStringLiteral("timeout"),  QStringLiteral("map-name"),
                               QStringLiteral("key"),      QStringLiteral("send")};
    child<QComboBox>(panel(), "endpoint")->setFocus();
    for (int i = 1; i < order.size(); ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QWidget *focus = QApplication::focusWidget();
        // A spin box's focus lands on its line edit.
        const QString name = focus && !focus->objectName().isEmpty() ? focus->objectName()
                             : focus && focus->parentWidget()        ? focus->parentWidget()->objectName()
                                                                     : QString();
        QCOMPARE(name, order.at(i));
    }
}

void tst_LookupPanel::layoutAtSmallSizes()
{
    // The window cannot be made so small that the widgets overlap.
    m_window->resize(400, 300);
    QVERIFY(m_window->minimumSizeHint().width() > 400 || m_window->minimumWidth() > 400);
    QTRY_VERIFY(m_window->width() > 400 && m_window->height() > 300);

    // At 640x480 (or the minimum, if larger) the byte panes keep a few lines and the headline wraps
    // instead of being cut.
    m_window->resize(640, 480);
    QTest::qWait(50);
    auto *sent = child<QPlainTextEdit>(panel(), "sent");
    const int line = sent->fontMetrics().lineSpacing();
    QVERIFY2(sent->viewport()->height() >= 3 * line, qPrintable(QString::number(sent->viewport()->height())));
    auto *meaning = child<QLabel>(panel(), "meaning");
    QVERIFY(meaning->wordWrap());

    // The policy attributes show most of the template at the usual size.
    m_window->resize(1100, 760);
    panel()->selectEndpoint(PolicyEndpoint);
    QTest::qWait(50);
    auto *attributes = child<QPlainTextEdit>(panel(), "attributes");
    const int lines = attributes->viewport()->height() / attributes->fontMetrics().lineSpacing();
    QVERIFY2(lines >= 11, qPrintable(QString::number(lines)));
    // Nothing overlaps: the editor ends above the Send button, the Reset button sits above the editor.
    const auto rectInPanel = [this](QWidget *widget) {
        return QRect(widget->mapTo(panel(), QPoint(0, 0)), widget->size());
    };
    const QRect editor = rectInPanel(attributes);
    const QRect reset = rectInPanel(child<QPushButton>(panel(), "reset-template"));
    const QRect sendButton = rectInPanel(child<QPushButton>(panel(), "send"));
    QVERIFY2(sendButton.top() > editor.bottom(),
             qPrintable(QStringLiteral("%1 <= %2").arg(sendButton.top()).arg(editor.bottom())));
    QVERIFY2(reset.bottom() < editor.top(),
             qPrintable(QStringLiteral("%1 >= %2").arg(reset.bottom()).arg(editor.top())));
}

void tst_LookupPanel::commandLine_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("mapName");
    QTest::newRow("tcp") << int(TcpEndpoint) << "example.com" << QString();
    QTest::newRow("socketmap") << int(SocketmapEndpoint) << "postmaster@example.com"
                               << "aliases";
}

void tst_LookupPanel::commandLine()
{
    QFETCH(int, endpoint);
    QFETCH(QString, key);
    QFETCH(QString, mapName);
    panel()->selectEndpoint(endpoint);
    if (!mapName.isEmpty())
        retype(child<QLineEdit>(panel(), "map-name"), mapName);
    QVERIFY(lookupByKeyboard(key));
    const QString value = child<QLineEdit>(panel(), "value")->text();

    QApplication::clipboard()->clear();
    QTest::mouseClick(child<QPushButton>(panel(), "copy-command"), Qt::LeftButton);
    const QString command = QApplication::clipboard()->text();
    QVERIFY2(command.startsWith(QStringLiteral("postmap -q ")), qPrintable(command));
    QCOMPARE(child<QLineEdit>(panel(), "command")->text(), command);

    // Postfix's own client, run with exactly that line, gets the same answer. It only needs a readable
    // main.cf; an empty one means Postfix's defaults.
    if (QStandardPaths::findExecutable(QStringLiteral("postmap"),
                                       {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")})
            .isEmpty())
        QSKIP("postmap not found: install the Debian package \"postfix\"");
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("postfix")));
    QFile mainCf(m_dir.filePath(QStringLiteral("postfix/main.cf")));
    QVERIFY(mainCf.open(QIODevice::WriteOnly));
    mainCf.close();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("MAIL_CONFIG"), m_dir.filePath(QStringLiteral("postfix")));
    environment.insert(QStringLiteral("PATH"),
                       environment.value(QStringLiteral("PATH")) + QStringLiteral(":/usr/sbin"));
    QProcess shell;
    shell.setProcessEnvironment(environment);
    // The connector runs in this process: wait with the event loop running, never blocking it.
    QSignalSpy done(&shell, &QProcess::finished);
    shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), command});
    QVERIFY(done.wait(10000));
    QCOMPARE(QString::fromUtf8(shell.readAllStandardOutput()).trimmed(), value);
}

void tst_LookupPanel::historyAcrossRuns()
{
    auto *history = child<QListWidget>(panel(), "history");
    QVERIFY(history->count() > 3);
    const QString newest = history->item(0)->text();
    const int count = history->count();

    auto second = openWindow();
    QVERIFY(second);
    auto *restored = child<QListWidget>(second->lookupPanel(), "history");
    QCOMPARE(restored->count(), count);
    QCOMPARE(restored->item(0)->text(), newest);
    // Selecting a restored entry shows its answer again.
    QTest::mouseClick(restored->viewport(), Qt::LeftButton, {},
                      restored->visualItemRect(restored->item(0)).center());
    QVERIFY(!child<QPlainTextEdit>(second->lookupPanel(), "received")->toPlainText().isEmpty());
}

void tst_LookupPanel::resendFromHistory()
{
    panel()->selectEndpoint(TcpEndpoint);
    QVERIFY(lookupByKeyboard(QStringLiteral("example.com")));
    panel()->selectEndpoint(SocketmapEndpoint);
    retype(child<QLineEdit>(panel(), "key"), QStringLiteral("something.else"));

    auto *history = child<QListWidget>(panel(), "history");
    const int count = history->count();
    QTest::mouseClick(history->viewport(), Qt::LeftButton, {},
                      history->visualItemRect(history->item(0)).center());
    QSignalSpy finished(panel(), &LookupPanel::lookupFinished);
    QTest::mouseClick(child<QPushButton>(panel(), "resend"), Qt::LeftButton);
    QVERIFY(finished.wait(10000));
    QCOMPARE(child<QLabel>(panel(), "meaning")->text(), QStringLiteral("Found (200)"));
    QCOMPARE(child<QLineEdit>(panel(), "key")->text(), QStringLiteral("example.com"));
    QCOMPARE(child<QComboBox>(panel(), "endpoint")->currentData().toInt(), int(TcpEndpoint));
    QCOMPARE(history->count(), count + 1);
}

void tst_LookupPanel::exportHistory()
{
    const QString path = m_dir.filePath(QStringLiteral("history.json"));
    // The file dialog runs its own event loop: fill in the name from a timer and press Enter, as a user
    // would.
    QTimer typist;
    int attempts = 0;
    bool typed = false;
    connect(&typist, &QTimer::timeout, this, [&] {
        QFileDialog *dialog = nullptr;
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (auto *candidate = qobject_cast<QFileDialog *>(widget); candidate && candidate->isVisible())
                dialog = candidate;
        }
        if (!dialog) {
            if (++attempts > 200)
                typist.stop();
            return;
        }
        typist.stop();
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
        if (!name) {
            dialog->reject();
            return;
        }
        // Typed character by character, the name would open the dialog's completer popup.
        name->setFocus();
        name->setText(path);
        QTest::keyClick(name, Qt::Key_Return);
        typed = true;
    });
    typist.start(50);
    QTest::mouseClick(child<QPushButton>(panel(), "export-history"), Qt::LeftButton);
    QVERIFY(typed);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray entries = QJsonDocument::fromJson(file.readAll()).array();
    QCOMPARE(entries.size(), child<QListWidget>(panel(), "history")->count());
    const QJsonObject newest = entries.first().toObject();
    QCOMPARE(newest.value(QStringLiteral("key")).toString(), QStringLiteral("example.com"));
    QCOMPARE(newest.value(QStringLiteral("protocol")).toString(), QStringLiteral("tcp-lookup"));
    QCOMPARE(newest.value(QStringLiteral("meaning")).toString(), QStringLiteral("found"));
    QVERIFY(newest.value(QStringLiteral("command")).toString().startsWith(QStringLiteral("postmap -q ")));
}

void tst_LookupPanel::lastKeyPerProtocol()
{
    panel()->selectEndpoint(TcpEndpoint);
    QVERIFY(lookupByKeyboard(QStringLiteral("example.com")));
    panel()->selectEndpoint(SocketmapEndpoint);
    retype(child<QLineEdit>(panel(), "map-name"), QStringLiteral("aliases"));
    QVERIFY(lookupByKeyboard(QStringLiteral("postmaster@example.com")));

    // Back on tcp, the tcp key comes back; a new run starts on the last endpoint with its key.
    panel()->selectEndpoint(TcpEndpoint);
    QCOMPARE(child<QLineEdit>(panel(), "key")->text(), QStringLiteral("example.com"));
    auto second = openWindow();
    QVERIFY(second);
    QCOMPARE(child<QComboBox>(second->lookupPanel(), "endpoint")->currentData().toInt(),
             int(SocketmapEndpoint));
    QCOMPARE(child<QLineEdit>(second->lookupPanel(), "key")->text(),
             QStringLiteral("postmaster@example.com"));
    QCOMPARE(child<QLineEdit>(second->lookupPanel(), "map-name")->text(), QStringLiteral("aliases"));
}

QTEST_MAIN(tst_LookupPanel)
#include "tst_lookuppanel.moc"
