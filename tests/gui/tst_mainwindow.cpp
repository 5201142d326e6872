// SPDX-License-Identifier: GPL-3.0-or-later
// The admin window as a user drives it: menus, shortcuts, mnemonics, dialogs, files on disk.
#include "configdocument.h"
#include "configeditor.h"
#include "endpointform.h"
#include "lookuppanel.h"
#include "mainwindow.h"
#include "snippetview.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QFile>
#include <QFileDialog>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

#include <functional>

#ifdef Q_OS_UNIX
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace prc;

namespace {

/// A config as an admin writes it by hand: two-space indentation, keys in the order of the README, an
/// array on one line and a key this version does not know.
const QByteArray HandWritten = R"({
  "user-agent": "Hand written",
  "endpoints": [
    {
      "name": "domains",
      "mode": "tcp-lookup",
      "target": "http://127.0.0.1:9100/domain",
      "bind-address": "127.0.0.1",
      "bind-port": 9101,
      "auth-token": "demo-token",
      "request-timeout": 2000
    },
    {
      "name": "aliases",
      "mode": "socketmap-lookup",
      "target": "http://127.0.0.1:9100/socketmap",
      "bind-address": "127.0.0.1",
      "bind-port": 9103,
      "auth-token": "demo-token",
      "x-tags": ["one", "two"]
    },
    {
      "name": "policy",
      "mode": "policy",
      "target": "http://127.0.0.1:9100/policy",
      "bind-address": "127.0.0.1",
      "bind-port": 9104,
      "auth-token": "other-token"
    }
  ]
}
)";

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Runs `action` once the next modal dialog or message box is up (it is started by what the test does
/// right after this call). The watch ends with `owner`, so one a test did not use cannot act in the next.
void whenModal(QObject *owner, std::function<void(QWidget *)> action)
{
    auto *timer = new QTimer(owner);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, action] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal)
            return;
        timer->stop();
        timer->deleteLater();
        action(modal);
    });
    timer->start();
}

/// The field that has the focus: a spin box rather than the line edit inside it.
QWidget *focusedField()
{
    QWidget *focus = QApplication::focusWidget();
    if (focus && qobject_cast<QAbstractSpinBox *>(focus->parentWidget()))
        return focus->parentWidget();
    return focus;
}

QAbstractButton *buttonWithText(QWidget *parent, const QString &text)
{
    for (QAbstractButton *button : parent->findChildren<QAbstractButton *>()) {
        if (button->text().remove(QLatin1Char('&')) == text)
            return button;
    }
    return nullptr;
}

/// Widgets of one layout that cover each other: what a too small window does to its contents.
QStringList overlaps(QWidget *root)
{
    QStringList found;
    QList<QWidget *> children;
    for (QObject *child : root->children()) {
        auto *widget = qobject_cast<QWidget *>(child);
        if (widget && widget->isVisible() && !widget->isWindow())
            children << widget;
    }
    // The contents of a scroll area may be larger than its viewport: that is what it is for.
    const bool scrolls = qobject_cast<QScrollArea *>(root->parentWidget()) != nullptr;
    for (int i = 0; i < children.size(); ++i) {
        QWidget *a = children.at(i);
        const QString name = QStringLiteral("%1 \"%2\"")
                                 .arg(QString::fromLatin1(a->metaObject()->className()), a->objectName());
        const int needed =
            a->hasHeightForWidth() ? a->heightForWidth(a->width()) : a->minimumSizeHint().height();
        if (!scrolls && a->height() < needed && a->sizePolicy().verticalPolicy() != QSizePolicy::Ignored)
            found << QStringLiteral("%1 squeezed to %2 px, needs %3").arg(name).arg(a->height()).arg(needed);
        for (int j = i + 1; j < children.size(); ++j) {
            QWidget *b = children.at(j);
            if (a->geometry().intersects(b->geometry()))
                found << QStringLiteral("%1 overlaps %2 \"%3\"")
                             .arg(name, QString::fromLatin1(b->metaObject()->className()), b->objectName());
        }
        // Compound widgets lay out their own parts (a spin box's line edit, a table's header).
        if (!qobject_cast<QAbstractSpinBox *>(a) && !qobject_cast<QComboBox *>(a)
            && (!qobject_cast<QAbstractScrollArea *>(a) || qobject_cast<QScrollArea *>(a)))
            found << overlaps(a);
    }
    return found;
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void openedFileReachesLookup_data();
    void openedFileReachesLookup();
    void undoRedoWhereverTheFocusIs_data();
    void undoRedoWhereverTheFocusIs();
    void untouchedNewDocumentIsNotModified();
    void removeNeedsSelectionAndConfirmation();
    void tokenShownStaysWithItsEndpoint();
    void helpWithoutDisplay_data();
    void helpWithoutDisplay();
    void mnemonicsFocusFields_data();
    void mnemonicsFocusFields();
    void mnemonicsAreUnique();
    void altTOpensTestLookup();
    void tabOrderFollowsTheForm();
    void smallWindowKeepsFieldsApart_data();
    void smallWindowKeepsFieldsApart();
    void messagesReadWell();
    void syntaxErrorNamesLineAndColumn();
    void misspeltKeyGetsSuggestion();
    void saveKeepsLayout_data();
    void saveKeepsLayout();
    void saveKeepsOwnerAndGroup();
    void remembersRecentFilesAndGeometry();
    void checkWithTheService();
    void noticesChangeOnDisk();
    void snippetKeepsRestrictionsAndNamesTables();

private:
    void openByMenu(const QString &path);
    QWidget *formField(const QString &key) const
    {
        return m_window->editor()->form()->findChild<QWidget *>(key);
    }

    QTemporaryDir m_settings;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    QString m_path;
};

void tst_MainWindow::initTestCase()
{
    QVERIFY(m_settings.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
    QCoreApplication::setOrganizationName(QStringLiteral("prc-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
}

void tst_MainWindow::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("config.json"));
    QVERIFY(writeFile(m_path, HandWritten));
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1100, 760);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_MainWindow::cleanup()
{
    if (QWidget *modal = QApplication::activeModalWidget())
        modal->close();
    m_window->document()->undoStack()->setClean(); // no "unsaved changes" prompt on close
    m_window.reset();
    m_dir.reset();
}

void tst_MainWindow::openByMenu(const QString &path)
{
    whenModal(m_window.get(), [path](QWidget *modal) {
        auto *dialog = qobject_cast<QFileDialog *>(modal);
        QVERIFY(dialog);
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
        QVERIFY(name);
        name->setText(path);
        QTest::keyClick(name, Qt::Key_Return);
    });
    QTest::keySequence(m_window.get(), QKeySequence::Open);
}

void tst_MainWindow::openedFileReachesLookup_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("command line") << "command line";
    QTest::newRow("File, Open") << "menu";
    QTest::newRow("port edited in the editor") << "edit";
}

void tst_MainWindow::openedFileReachesLookup()
{
    QFETCH(QString, how);
    // Non-native dialogs, so the test can type into them.
    QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
    if (how == QLatin1String("menu"))
        openByMenu(m_path);
    else
        QVERIFY(m_window->openFile(m_path));
    QTRY_COMPARE(m_window->document()->fileName(), m_path);
    m_window->activateWindow(); // a window manager's job after the file dialog closes
    QTRY_VERIFY(m_window->isActiveWindow());

    int expectedPort = 9101;
    if (how == QLatin1String("edit")) {
        auto *port = qobject_cast<QSpinBox *>(formField(QStringLiteral("bind-port")));
        QVERIFY(port);
        port->setFocus();
        port->selectAll();
        QTest::keyClicks(port, QStringLiteral("9201"));
        QTest::keyClick(port, Qt::Key_Tab);
        QCOMPARE(m_window->document()->endpoint(0).value(QStringLiteral("bind-port")).toInt(), 9201);
        expectedPort = 9201;
    }

    QTest::keyClick(m_window.get(), Qt::Key_T, Qt::AltModifier);
    QTRY_COMPARE(m_window->tabs()->currentIndex(), int(MainWindow::LookupTab));
    LookupPanel *lookup = m_window->lookupPanel();
    auto *endpoint = lookup->findChild<QComboBox *>(QStringLiteral("endpoint"));
    auto *port = lookup->findChild<QSpinBox *>(QStringLiteral("port"));
    auto *host = lookup->findChild<QLineEdit *>(QStringLiteral("host"));
    QVERIFY(endpoint && port && host);
    QCOMPARE(endpoint->currentText(), QStringLiteral("domains (tcp-lookup, 127.0.0.1:%1)").arg(expectedPort));
    QCOMPARE(port->value(), expectedPort);
    QCOMPARE(host->text(), QStringLiteral("127.0.0.1"));
}

void tst_MainWindow::undoRedoWhereverTheFocusIs_data()
{
    QTest::addColumn<QString>("first");  // a field typed into first
    QTest::addColumn<QString>("second"); // then this one, which keeps the focus
    QTest::newRow("two line edits") << "target"
                                    << "name";
    QTest::newRow("line edit, then spin box") << "name"
                                              << "request-timeout";
    QTest::newRow("spin box, then line edit") << "request-timeout"
                                              << "bind-address";
}

void tst_MainWindow::undoRedoWhereverTheFocusIs()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QVERIFY(m_window->openFile(m_path));
    const QJsonObject original = m_window->document()->root();

    const auto type = [this](const QString &key) {
        QWidget *field = formField(key);
        QVERIFY(field);
        field->setFocus();
        QTRY_VERIFY(field->hasFocus());
        if (auto *spin = qobject_cast<QAbstractSpinBox *>(field)) {
            spin->selectAll();
            QTest::keyClicks(field, QStringLiteral("2500"));
        } else {
            QTest::keyClick(field, Qt::Key_End);
            QTest::keyClicks(field, QStringLiteral("7"));
        }
    };
    type(first);
    const QJsonObject afterFirst = m_window->document()->root();
    QVERIFY(afterFirst != original);
    type(second);
    const QJsonObject afterSecond = m_window->document()->root();
    QVERIFY(afterSecond != afterFirst);
    QWidget *focus = QApplication::focusWidget();
    QVERIFY(focus);
    QVERIFY(formField(second)->isAncestorOf(focus) || formField(second) == focus);

    QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(m_window->document()->root(), afterFirst);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(m_window->document()->root(), original);
    QVERIFY(!m_window->document()->isModified());
    // The fields show the document, not their own history.
    QCOMPARE(m_window->document()->undoStack()->index(), 0);

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(m_window->document()->root(), afterFirst);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(m_window->document()->root(), afterSecond);
    QCOMPARE(m_window->document()->undoStack()->count(), 2);
}

void tst_MainWindow::untouchedNewDocumentIsNotModified()
{
    QVERIFY(!m_window->document()->isModified());
    QVERIFY(!m_window->isWindowModified());
    QVERIFY(m_window->openFile(m_path));
    QTest::keySequence(m_window.get(), QKeySequence::New);
    QCOMPARE(m_window->document()->fileName(), QString());
    QVERIFY(!m_window->document()->isModified());
    QVERIFY(!m_window->isWindowModified());

    // Closing asks nothing.
    bool asked = false;
    whenModal(m_window.get(), [&asked](QWidget *modal) {
        asked = true;
        modal->close();
    });
    QVERIFY(m_window->close());
    QVERIFY(!asked);
}

void tst_MainWindow::removeNeedsSelectionAndConfirmation()
{
    QVERIFY(m_window->openFile(m_path));
    QTableView *table = m_window->editor()->table();
    auto *remove = m_window->editor()->findChild<QPushButton *>(QStringLiteral("remove-endpoint"));
    QVERIFY(remove);
    const auto rowCenter = [table](int row) {
        return table->visualRect(table->model()->index(row, 0)).center();
    };

    // Ctrl+click takes the selection away; the form still shows "domains", but nothing is selected.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ControlModifier, rowCenter(0));
    QVERIFY(table->selectionModel()->selectedRows().isEmpty());
    QVERIFY(!remove->isEnabled());
    QTest::mouseClick(remove, Qt::LeftButton);
    QCOMPARE(m_window->document()->endpointCount(), 3);

    // Selected, asked, cancelled: nothing happens.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, rowCenter(1));
    QTRY_VERIFY(remove->isEnabled());
    QString question;
    whenModal(m_window.get(), [&question](QWidget *modal) {
        auto *box = qobject_cast<QMessageBox *>(modal);
        QVERIFY(box);
        question = box->text();
        QTest::mouseClick(buttonWithText(box, QStringLiteral("Cancel")), Qt::LeftButton);
    });
    QTest::mouseClick(remove, Qt::LeftButton);
    QVERIFY2(question.contains(QStringLiteral("aliases")), qPrintable(question));
    QCOMPARE(m_window->document()->endpointCount(), 3);

    // Confirmed: exactly the selected one goes.
    whenModal(m_window.get(), [](QWidget *modal) {
        QAbstractButton *button = buttonWithText(modal, QStringLiteral("Remove"));
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
    });
    QTest::mouseClick(remove, Qt::LeftButton);
    QCOMPARE(m_window->document()->endpointCount(), 2);
    QCOMPARE(m_window->document()->endpoint(0).value(QStringLiteral("name")).toString(),
             QStringLiteral("domains"));
    QCOMPARE(m_window->document()->endpoint(1).value(QStringLiteral("name")).toString(),
             QStringLiteral("policy"));
}

void tst_MainWindow::tokenShownStaysWithItsEndpoint()
{
    QVERIFY(m_window->openFile(m_path));
    QTableView *table = m_window->editor()->table();
    auto *token = qobject_cast<QLineEdit *>(formField(QStringLiteral("auth-token")));
    auto *reveal = m_window->editor()->form()->findChild<QToolButton *>(QStringLiteral("auth-token-reveal"));
    QVERIFY(token && reveal);
    QCOMPARE(token->echoMode(), QLineEdit::Password);
    QTest::mouseClick(reveal, Qt::LeftButton);
    QCOMPARE(token->echoMode(), QLineEdit::Normal);

    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier,
                      table->visualRect(table->model()->index(2, 0)).center());
    QTRY_COMPARE(token->text(), QStringLiteral("other-token"));
    QCOMPARE(token->echoMode(), QLineEdit::Password);
    QVERIFY(!reveal->isChecked());
}

void tst_MainWindow::helpWithoutDisplay_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--help") << "--help"
                            << "--screenshot";
    QTest::newRow("-h") << "-h"
                        << "Usage:";
    QTest::newRow("--version") << "--version"
                               << "postfix-rest-connector-admin ";
}

void tst_MainWindow::helpWithoutDisplay()
{
    QFETCH(QString, option);
    QFETCH(QString, expected);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // A headless server: no X, no Wayland, no platform chosen.
    for (const QString &name :
         {QStringLiteral("DISPLAY"), QStringLiteral("WAYLAND_DISPLAY"), QStringLiteral("QT_QPA_PLATFORM")})
        environment.remove(name);
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(PRC_ADMIN_BINARY), {option});
    QVERIFY(process.waitForFinished(30000));
    const QString output = QString::fromLocal8Bit(process.readAllStandardOutput());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(QString::fromLocal8Bit(process.readAllStandardError())));
    QVERIFY2(output.contains(expected), qPrintable(output));
}

void tst_MainWindow::mnemonicsFocusFields_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("letter");
    QTest::newRow("user agent") << "user-agent" << int(Qt::Key_U);
    QTest::newRow("admin listener") << "admin" << int(Qt::Key_A);
    QTest::newRow("name") << "name" << int(Qt::Key_N);
    QTest::newRow("mode") << "mode" << int(Qt::Key_M);
    QTest::newRow("bind address") << "bind-address" << int(Qt::Key_B);
    QTest::newRow("bind port") << "bind-port" << int(Qt::Key_P);
    QTest::newRow("target") << "target" << int(Qt::Key_G);
    QTest::newRow("auth token") << "auth-token" << int(Qt::Key_K);
    QTest::newRow("request timeout") << "request-timeout" << int(Qt::Key_Q);
    QTest::newRow("list separator") << "list-separator" << int(Qt::Key_L);
    QTest::newRow("backend connections") << "backend-connections" << int(Qt::Key_C);
    QTest::newRow("http/2") << "backend-http2" << int(Qt::Key_2);
    QTest::newRow("max connections") << "max-connections" << int(Qt::Key_X);
    QTest::newRow("idle timeout") << "idle-timeout" << int(Qt::Key_I);
    QTest::newRow("max request size") << "max-request-size" << int(Qt::Key_Z);
    QTest::newRow("max in flight") << "max-in-flight" << int(Qt::Key_S);
    QTest::newRow("max response size") << "max-response-size" << int(Qt::Key_R);
    QTest::newRow("tls verify") << "tls-verify" << int(Qt::Key_Y);
    QTest::newRow("cache answers") << "cache.enabled" << int(Qt::Key_W);
}

void tst_MainWindow::mnemonicsFocusFields()
{
    QFETCH(QString, key);
    QFETCH(int, letter);
    QVERIFY(m_window->openFile(m_path));
    QWidget *field = key == QLatin1String("user-agent") || key == QLatin1String("admin")
                         ? m_window->editor()->findChild<QWidget *>(key)
                         : formField(key);
    QVERIFY(field);
    m_window->editor()->table()->setFocus();
    // One press: no other label has the letter (mnemonicsAreUnique).
    QTest::keyClick(m_window.get(), Qt::Key(letter), Qt::AltModifier);
    QApplication::processEvents();
    QCOMPARE(focusedField(), field);
    // Other fields are only focused; a check box is also toggled, as a check box's mnemonic does.
    if (!qobject_cast<QAbstractButton *>(field))
        QVERIFY(!m_window->document()->isModified());
}

void tst_MainWindow::mnemonicsAreUnique()
{
    // Everything an Alt+letter can reach while the editor is shown: the menus, the tabs, the window's
    // Alt shortcuts and every label, button and group of the editor and its form, the cache settings and
    // the shared cache included. A letter that two of them have does neither reliably.
    QVERIFY(m_window->openFile(m_path));
    QHash<QKeySequence, QStringList> owners;
    const auto add = [&](const QKeySequence &key, const QString &owner) {
        if (!key.isEmpty())
            owners[key] << owner;
    };
    for (QAction *menu : m_window->menuBar()->actions())
        add(QKeySequence::mnemonic(menu->text()), QStringLiteral("menu ") + menu->text());
    for (int i = 0; i < m_window->tabs()->count(); ++i)
        add(QKeySequence::mnemonic(m_window->tabs()->tabText(i)),
            QStringLiteral("tab ") + m_window->tabs()->tabText(i));
    for (QAction *action : m_window->findChildren<QAction *>()) {
        for (const QKeySequence &key : action->shortcuts()) {
            if (key.count() == 1 && key[0].keyboardModifiers() == Qt::AltModifier)
                add(key, QStringLiteral("action ") + action->text());
        }
    }
    QWidget *editor = m_window->editor();
    int labels = 0;
    for (QLabel *label : editor->findChildren<QLabel *>()) {
        // Only a label with a buddy has a mnemonic; the others are rich text (where & is &amp;).
        if (label->buddy()) {
            add(QKeySequence::mnemonic(label->text()), QStringLiteral("label ") + label->text());
            ++labels;
        }
    }
    for (QAbstractButton *button : editor->findChildren<QAbstractButton *>())
        add(QKeySequence::mnemonic(button->text()), QStringLiteral("button ") + button->text());
    for (QGroupBox *group : editor->findChildren<QGroupBox *>())
        add(QKeySequence::mnemonic(group->title()), QStringLiteral("group ") + group->title());
    QVERIFY(labels > 30); // the walk sees the form, not only the editor around it
    QVERIFY(owners.size() > 15);
    QStringList twice;
    for (auto it = owners.cbegin(); it != owners.cend(); ++it) {
        if (it.value().size() > 1)
            twice << it.key().toString() + QLatin1String(": ") + it.value().join(QLatin1String(", "));
    }
    QVERIFY2(twice.isEmpty(), qPrintable(twice.join(QLatin1Char('\n'))));
}

void tst_MainWindow::altTOpensTestLookup()
{
    QVERIFY(m_window->openFile(m_path));
    m_window->editor()->selectEndpoint(2);
    formField(QStringLiteral("name"))->setFocus();
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_T, Qt::AltModifier);
    QTRY_COMPARE(m_window->tabs()->currentIndex(), int(MainWindow::LookupTab));
    QCOMPARE(m_window->lookupPanel()->findChild<QComboBox *>(QStringLiteral("endpoint"))->currentText(),
             QStringLiteral("policy (policy, 127.0.0.1:9104)"));
}

void tst_MainWindow::tabOrderFollowsTheForm()
{
    QVERIFY(m_window->openFile(m_path));
    QWidget *name = formField(QStringLiteral("name"));
    name->setFocus();
    QTRY_VERIFY(name->hasFocus());
    const QStringList expected = {QStringLiteral("mode"),
                                  QStringLiteral("bind-address"),
                                  QStringLiteral("bind-port"),
                                  QStringLiteral("bind-path"),
                                  QStringLiteral("socket-mode"),
                                  QStringLiteral("socket-group"),
                                  QStringLiteral("target"),
                                  QStringLiteral("auth-token-source"),
                                  QStringLiteral("auth-token"),
                                  QStringLiteral("auth-token-reveal"),
                                  QStringLiteral("request-timeout"),
                                  QStringLiteral("list-separator"),
                                  QStringLiteral("backend-connections"),
                                  QStringLiteral("backend-http2"),
                                  QStringLiteral("backend-client"),
                                  QStringLiteral("backend-unix-socket"),
                                  QStringLiteral("tls-ca-file"),
                                  QStringLiteral("tls-client-cert"),
                                  QStringLiteral("tls-client-key"),
                                  QStringLiteral("tls-verify"),
                                  QStringLiteral("max-connections"),
                                  QStringLiteral("idle-timeout"),
                                  QStringLiteral("max-request-size"),
                                  QStringLiteral("max-in-flight"),
                                  QStringLiteral("max-response-size"),
                                  QStringLiteral("cache.enabled"),
                                  QStringLiteral("cache-expand")};
    QStringList visited;
    for (int i = 0; i < expected.size(); ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        visited << focusedField()->objectName();
    }
    QCOMPARE(visited, expected);
}

void tst_MainWindow::smallWindowKeepsFieldsApart_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<int>("tab");
    QTest::newRow("400x300 editor") << QSize(400, 300) << int(MainWindow::EditorTab);
    QTest::newRow("640x480 editor") << QSize(640, 480) << int(MainWindow::EditorTab);
    QTest::newRow("400x300 snippet") << QSize(400, 300) << int(MainWindow::SnippetTab);
    QTest::newRow("640x480 snippet") << QSize(640, 480) << int(MainWindow::SnippetTab);
    QTest::newRow("640x480 lookup") << QSize(640, 480) << int(MainWindow::LookupTab);
}

void tst_MainWindow::smallWindowKeepsFieldsApart()
{
    QFETCH(QSize, size);
    QFETCH(int, tab);
    QVERIFY(m_window->openFile(m_path));
    m_window->tabs()->setCurrentIndex(tab);
    m_window->resize(size);
    // It fits a 640x480 screen, and goes no smaller than that.
    QTRY_COMPARE(m_window->size(), size.expandedTo(QSize(640, 480)));
    QCOMPARE(m_window->minimumSize(), QSize(640, 480));
    QApplication::processEvents();
    const QStringList problems = overlaps(m_window.get());
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void tst_MainWindow::messagesReadWell()
{
    QVERIFY(m_window->openFile(m_path));
    auto *name = qobject_cast<QLineEdit *>(formField(QStringLiteral("name")));
    name->setFocus();
    name->selectAll();
    QTest::keyClick(name, Qt::Key_Delete);
    QCOMPARE(m_window->document()->errors().size(), 1);
    const QString status = m_window->statusBar()->currentMessage();
    QVERIFY2(status.startsWith(QStringLiteral("1 problem to fix")), qPrintable(status));
    QTest::keyClicks(formField(QStringLiteral("bind-address")), QStringLiteral("x"));
    QTRY_VERIFY2(m_window->statusBar()->currentMessage().startsWith(QStringLiteral("2 problems to fix")),
                 qPrintable(m_window->statusBar()->currentMessage()));
}

void tst_MainWindow::syntaxErrorNamesLineAndColumn()
{
    QByteArray broken = HandWritten;
    broken.replace("\"bind-port\": 9101,", "\"bind-port\": 9101,,");
    QVERIFY(writeFile(m_path, broken));
    QString message;
    whenModal(m_window.get(), [&message](QWidget *box) {
        message = static_cast<QMessageBox *>(box)->text();
        box->close();
    });
    QVERIFY(!m_window->openFile(m_path));
    // As --check-config says it: the line and column, not only a byte offset.
    QVERIFY2(message.contains(QStringLiteral("line 9, column")), qPrintable(message));
    QVERIFY2(message.contains(m_path), qPrintable(message));
}

void tst_MainWindow::misspeltKeyGetsSuggestion()
{
    QByteArray misspelt = HandWritten;
    misspelt.replace("\"request-timeout\": 2000", "\"request-timout\": 2000");
    QVERIFY(writeFile(m_path, misspelt));
    QVERIFY(m_window->openFile(m_path));
    auto *problems = m_window->editor()->findChild<QListWidget *>(QStringLiteral("problems"));
    QVERIFY(problems);
    QStringList texts;
    for (int i = 0; i < problems->count(); ++i)
        texts << problems->item(i)->text();
    QVERIFY2(texts.join(QLatin1Char('\n')).contains(QStringLiteral("did you mean \"request-timeout\"?")),
             qPrintable(texts.join(QLatin1Char('\n'))));
}

void tst_MainWindow::saveKeepsLayout_data()
{
    QTest::addColumn<QString>("edit");
    QTest::newRow("one port") << "port";
    QTest::newRow("a new optional key") << "max-connections";
}

void tst_MainWindow::saveKeepsLayout()
{
    QFETCH(QString, edit);
    QVERIFY(m_window->openFile(m_path));
    m_window->editor()->selectEndpoint(1);
    QStringList expectedChange;
    if (edit == QLatin1String("port")) {
        auto *port = qobject_cast<QSpinBox *>(formField(QStringLiteral("bind-port")));
        port->setFocus();
        port->selectAll();
        QTest::keyClicks(port, QStringLiteral("9113"));
        expectedChange << QStringLiteral("-      \"bind-port\": 9103,")
                       << QStringLiteral("+      \"bind-port\": 9113,");
    } else {
        auto *spin = qobject_cast<QSpinBox *>(formField(QStringLiteral("max-connections")));
        spin->setFocus();
        spin->selectAll();
        QTest::keyClicks(spin, QStringLiteral("50"));
        expectedChange << QStringLiteral("-      \"x-tags\": [\"one\", \"two\"]")
                       << QStringLiteral("+      \"x-tags\": [\"one\", \"two\"],")
                       << QStringLiteral("+      \"max-connections\": 50");
    }
    QVERIFY(m_window->document()->isModified());
    QTest::keySequence(m_window.get(), QKeySequence::Save);
    QTRY_VERIFY(!m_window->document()->isModified());

    QProcess diff;
    diff.start(QStringLiteral("diff"), {QStringLiteral("-U0"), QStringLiteral("-"), m_path});
    diff.write(HandWritten);
    diff.closeWriteChannel();
    QVERIFY(diff.waitForFinished());
    QStringList changed;
    for (const QString &line : QString::fromUtf8(diff.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        if ((line.startsWith(QLatin1Char('-')) || line.startsWith(QLatin1Char('+')))
            && !line.startsWith(QLatin1String("---")) && !line.startsWith(QLatin1String("+++")))
            changed << line;
    }
    QCOMPARE(changed, expectedChange);
}

void tst_MainWindow::saveKeepsOwnerAndGroup()
{
#ifdef Q_OS_UNIX
    if (::geteuid() != 0)
        QSKIP("giving a file to another group needs root");
    const struct group *nogroup = ::getgrnam("nogroup");
    if (!nogroup)
        QSKIP("no group \"nogroup\" on this system");
    QVERIFY(::chown(QFile::encodeName(m_path).constData(), 0, nogroup->gr_gid) == 0);
    QVERIFY(::chmod(QFile::encodeName(m_path).constData(), 0640) == 0);

    QVERIFY(m_window->openFile(m_path));
    QTest::keyClicks(formField(QStringLiteral("target")), QStringLiteral("x"));
    QTest::keySequence(m_window.get(), QKeySequence::Save);
    QTRY_VERIFY(!m_window->document()->isModified());
    QVERIFY(readFile(m_path).contains("x\""));

    struct stat saved = {};
    QVERIFY(::stat(QFile::encodeName(m_path).constData(), &saved) == 0);
    QCOMPARE(saved.st_gid, nogroup->gr_gid);
    QCOMPARE(saved.st_uid, uid_t(0));
    QCOMPARE(saved.st_mode & 0777, mode_t(0640));
#else
    QSKIP("owner and group are a POSIX matter");
#endif
}

void tst_MainWindow::remembersRecentFilesAndGeometry()
{
    QVERIFY(m_window->openFile(m_path));
    m_window->resize(900, 650);
    QTRY_COMPARE(m_window->size(), QSize(900, 650));
    QVERIFY(m_window->close());
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QCOMPARE(m_window->size(), QSize(900, 650));

    QMenu *recent = m_window->menuBar()->findChild<QMenu *>(QStringLiteral("recent-files"));
    QVERIFY(recent);
    QVERIFY(!recent->actions().isEmpty());
    QAction *first = recent->actions().constFirst();
    QVERIFY2(first->text().endsWith(m_path), qPrintable(first->text()));
    first->trigger();
    QCOMPARE(m_window->document()->fileName(), m_path);
}

void tst_MainWindow::checkWithTheService()
{
    QVERIFY(m_window->openFile(m_path));
    QTest::keyClick(m_window.get(), Qt::Key_R, Qt::ControlModifier);
    auto *dialog = m_window->findChild<QDialog *>(QStringLiteral("service-check"));
    QVERIFY(dialog);
    auto *output = dialog->findChild<QPlainTextEdit *>(QStringLiteral("service-check-output"));
    auto *summary = dialog->findChild<QLabel *>(QStringLiteral("service-check-summary"));
    QVERIFY(output && summary);
    QTRY_VERIFY_WITH_TIMEOUT(output->toPlainText().contains(QStringLiteral("OK (3 endpoints)")), 20000);
    QVERIFY2(summary->text().contains(QStringLiteral("accepts")), qPrintable(summary->text()));
    dialog->close();
    m_window->activateWindow();
    QTRY_VERIFY(m_window->isActiveWindow());

    // Unsaved edits are what is checked, and the output names the file, not a temporary copy.
    auto *name = qobject_cast<QLineEdit *>(formField(QStringLiteral("bind-address")));
    name->setFocus();
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("mail.example"));
    QTest::keyClick(m_window.get(), Qt::Key_R, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains(QStringLiteral("refuses")), 20000);
    const QString text = output->toPlainText();
    QVERIFY2(text.contains(m_path + QStringLiteral(": endpoints[0].bind-address")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral(".prc-check")), qPrintable(text));
}

void tst_MainWindow::noticesChangeOnDisk()
{
    QVERIFY(m_window->openFile(m_path));
    auto *bar = m_window->findChild<QWidget *>(QStringLiteral("changed-on-disk"));
    QVERIFY(bar);
    QVERIFY(!bar->isVisible());

    // Saving our own changes is not "changed by another program".
    QTest::keyClicks(formField(QStringLiteral("target")), QStringLiteral("x"));
    QTest::keySequence(m_window.get(), QKeySequence::Save);
    QTRY_VERIFY(!m_window->document()->isModified());
    QTest::qWait(300);
    QVERIFY(!bar->isVisible());

    QByteArray other = readFile(m_path);
    other.replace("\"bind-port\": 9101", "\"bind-port\": 9301");
    QVERIFY(writeFile(m_path, other));
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible(), 10000);
    auto *reload = bar->findChild<QPushButton *>(QStringLiteral("reload-from-disk"));
    QVERIFY(reload);
    QTest::mouseClick(reload, Qt::LeftButton);
    QCOMPARE(m_window->document()->endpoint(0).value(QStringLiteral("bind-port")).toInt(), 9301);
    QCOMPARE(qobject_cast<QSpinBox *>(formField(QStringLiteral("bind-port")))->value(), 9301);
    QVERIFY(!bar->isVisible());
}

void tst_MainWindow::snippetKeepsRestrictionsAndNamesTables()
{
    QVERIFY(m_window->openFile(m_path));
    m_window->tabs()->setCurrentIndex(MainWindow::SnippetTab);
    SnippetView *view = m_window->snippetView();
    auto *restrictions = view->findChild<QLineEdit *>(QStringLiteral("current-recipient-restrictions"));
    QVERIFY(restrictions);
    restrictions->setFocus();
    restrictions->selectAll();
    QTest::keyClicks(restrictions,
                     QStringLiteral("permit_mynetworks, permit_sasl_authenticated, "
                                    "reject_unauth_destination, reject_rbl_client zen.spamhaus.org"));
    const QStringList lines = view->text().split(QLatin1Char('\n'));
    const QStringList expected = {QStringLiteral("smtpd_recipient_restrictions ="),
                                  QStringLiteral("    permit_mynetworks,"),
                                  QStringLiteral("    permit_sasl_authenticated,"),
                                  QStringLiteral("    reject_unauth_destination,"),
                                  QStringLiteral("    check_policy_service inet:127.0.0.1:9104,"),
                                  QStringLiteral("    reject_rbl_client zen.spamhaus.org")};
    const qsizetype start = lines.indexOf(expected.constFirst());
    QVERIFY2(start >= 0, qPrintable(view->text()));
    QCOMPARE(lines.mid(start, expected.size()), expected);

    // The socketmap endpoint "aliases" serves virtual_alias_maps: its map name is the backend's table
    // "alias", not the endpoint's name.
    QVERIFY2(lines.contains(QStringLiteral("virtual_alias_maps = socketmap:inet:127.0.0.1:9103:alias")),
             qPrintable(view->text()));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
