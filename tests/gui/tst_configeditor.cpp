// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/configwriter.h"
#include "configdocument.h"
#include "configeditor.h"
#include "endpointform.h"
#include "mainwindow.h"
#include "snippetview.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

using namespace prc;

namespace {

/// A config as Qt writes it (sorted keys, 4-space indent), with keys this version does not know at the top
/// level and inside an endpoint, and one optional key set.
QJsonObject sampleRoot()
{
    return QJsonDocument::fromJson(
               "{"
               "\"user-agent\": \"Test agent\","
               "\"x-comment\": {\"owner\": \"postmaster\", \"ticket\": 42},"
               "\"endpoints\": ["
               "{\"name\": \"domains\", \"mode\": \"tcp-lookup\", \"target\": "
               "\"http://127.0.0.1:8080/domains\","
               "\"bind-address\": \"127.0.0.1\", \"bind-port\": 9000, \"auth-token\": \"secret-one\","
               "\"x-note\": \"kept as is\"},"
               "{\"name\": \"aliases\", \"mode\": \"socketmap-lookup\", \"target\": "
               "\"https://backend.example/aliases\","
               "\"bind-address\": \"0.0.0.0\", \"bind-port\": 9001, \"auth-token-file\": \"token.txt\","
               "\"request-timeout\": 1500, \"max-in-flight\": 4},"
               "{\"name\": \"policy\", \"mode\": \"policy\", \"target\": \"http://127.0.0.1:8080/policy\","
               "\"bind-address\": \"::1\", \"bind-port\": 9002, \"auth-token-env\": \"POLICY_TOKEN\"}"
               "]"
               "}")
        .object();
}

QString writeSample(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("config.json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(ConfigWriter::toJson(sampleRoot()));
    return path;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QLabel *errorLabel(QWidget *form, const QString &key)
{
    return form->findChild<QLabel *>(key + QStringLiteral("-error"));
}

/// Edits a field the way a user does: typing into a line edit, stepping a spin box, choosing a combo entry.
bool editField(QWidget *form, const QString &key, const QString &value)
{
    QWidget *widget = form->findChild<QWidget *>(key);
    if (auto *edit = qobject_cast<QLineEdit *>(widget)) {
        edit->setFocus();
        edit->selectAll();
        if (value.isEmpty())
            QTest::keyClick(edit, Qt::Key_Delete);
        else
            QTest::keyClicks(edit, value);
        return true;
    }
    if (auto *spin = qobject_cast<QSpinBox *>(widget)) {
        spin->setValue(value.toInt());
        return true;
    }
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(widget)) {
        spin->setValue(value.toDouble());
        return true;
    }
    if (auto *box = qobject_cast<QCheckBox *>(widget)) {
        if (!box->isEnabled())
            return false;
        if (box->isChecked() != (value == QLatin1String("true")))
            box->click();
        return true;
    }
    if (auto *combo = qobject_cast<QComboBox *>(widget)) {
        const int index = combo->findText(value);
        if (index < 0)
            return false;
        combo->setCurrentIndex(index);
        Q_EMIT combo->activated(index);
        return true;
    }
    return false;
}

/// What a field shows: the text of a line edit, spin box or check box.
QString shownText(QWidget *widget)
{
    if (auto *edit = qobject_cast<QLineEdit *>(widget))
        return edit->text();
    if (auto *spin = qobject_cast<QAbstractSpinBox *>(widget))
        return spin->text();
    if (auto *box = qobject_cast<QAbstractButton *>(widget))
        return box->text();
    return {};
}

/// The value at a JSON path like "endpoints[1].cache.max-ttl" or "admin"; undefined when absent.
QJsonValue jsonAt(const QJsonObject &root, const QString &path)
{
    QJsonValue current = root;
    for (const QString &part : path.split(QLatin1Char('.'))) {
        const qsizetype bracket = part.indexOf(QLatin1Char('['));
        if (bracket < 0) {
            current = current.toObject().value(part);
            continue;
        }
        current = current.toObject().value(part.left(bracket));
        current = current.toArray().at(part.mid(bracket + 1).chopped(1).toInt());
    }
    return current;
}

QJsonValue parseValue(const QByteArray &json)
{
    return json.isEmpty() ? QJsonValue(QJsonValue::Undefined)
                          : QJsonDocument::fromJson("[" + json + "]").array().at(0);
}

/// sampleRoot() with every key added after the original connector: backend settings, caches, admin.
QJsonObject sampleWithNewKeys()
{
    QJsonObject root = sampleRoot();
    QJsonArray endpoints = root.value(QStringLiteral("endpoints")).toArray();
    QJsonObject first = endpoints.at(0).toObject();
    first.insert(QStringLiteral("backend-connections"), 12);
    first.insert(QStringLiteral("backend-http2"), true);
    // h2c to an http:// target needs the qt client.
    first.insert(QStringLiteral("backend-client"), QStringLiteral("qt"));
    first.insert(
        QStringLiteral("cache"),
        QJsonDocument::fromJson("{\"enabled\": true, \"max-entries\": 500, \"max-bytes\": 8589934592,"
                                "\"positive-ttl\": 0, \"negative-ttl\": 5000, \"max-ttl\": 7200000,"
                                "\"stale-if-error\": 600000, \"honor-cache-control\": false}")
            .object());
    endpoints.replace(0, first);
    QJsonObject policy = endpoints.at(2).toObject();
    policy.insert(QStringLiteral("cache"), QJsonObject{{QStringLiteral("positive-ttl"), 1000}});
    endpoints.replace(2, policy);
    root.insert(QStringLiteral("endpoints"), endpoints);
    root.insert(QStringLiteral("admin"), QJsonObject{{QStringLiteral("bind-address"), QStringLiteral("::1")},
                                                     {QStringLiteral("bind-port"), 9105}});
    return root;
}

} // namespace

class tst_ConfigEditor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void loadsEveryField();
    void editShowsErrorNextToField_data();
    void editShowsErrorNextToField();
    void invalidNumberIsNamed_data();
    void invalidNumberIsNamed();
    void saveUnchangedIsByteIdentical();
    void saveAfterEditChangesOnlyThatLine_data();
    void saveAfterEditChangesOnlyThatLine();
    void undoRestoresDocument();
    void unsavedChangesPrompt_data();
    void unsavedChangesPrompt();
    void tokenSourceSwitchAndReveal();
    void addAndRemoveEndpoint();
    void newFromTemplateIsValid();

    void newFieldWritesJson_data();
    void newFieldWritesJson();
    void newFieldErrorShown_data();
    void newFieldErrorShown();
    void newFieldWarningShown_data();
    void newFieldWarningShown();
    void visitingAndSavingKeepsBytes_data();
    void visitingAndSavingKeepsBytes();
    void newKeysAreShown();
    void cacheFieldsFollowEnabled();
    void newFieldsUndoRedo();
    void backendConnectionsHint_data();
    void backendConnectionsHint();
    void hintsFollowModeAndTarget();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    QString m_path;
    EndpointForm *form() const { return m_window->editor()->form(); }
};

void tst_ConfigEditor::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = writeSample(*m_dir);
    QVERIFY(!m_path.isEmpty());
    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->openFile(m_path));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_ConfigEditor::cleanup()
{
    m_window->document()->undoStack()->setClean(); // no "unsaved changes" prompt on close
    m_window.reset();
    m_dir.reset();
}

void tst_ConfigEditor::loadsEveryField()
{
    QCOMPARE(m_window->document()->errors().size(), 0);
    QCOMPARE(m_window->editor()->table()->model()->rowCount(), 3);
    QCOMPARE(m_window->editor()->table()->model()->index(2, 2).data().toString(),
             QStringLiteral("[::1]:9002"));

    m_window->editor()->selectEndpoint(1);
    QCOMPARE(form()->findChild<QLineEdit *>(QStringLiteral("name"))->text(), QStringLiteral("aliases"));
    QCOMPARE(form()->findChild<QComboBox *>(QStringLiteral("mode"))->currentText(),
             QStringLiteral("socketmap-lookup"));
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("bind-port"))->value(), 9001);
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("request-timeout"))->value(), 1500);
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("max-in-flight"))->value(), 4);
    // An absent optional key shows the spin box's "default" state (one below the minimum).
    auto *maxConnections = form()->findChild<QSpinBox *>(QStringLiteral("max-connections"));
    QCOMPARE(maxConnections->value(), maxConnections->minimum());
    QVERIFY(maxConnections->text().startsWith(QStringLiteral("default")));
    QCOMPARE(form()->findChild<QComboBox *>(QStringLiteral("auth-token-source"))->currentIndex(), 1);
    QCOMPARE(form()->findChild<QLineEdit *>(QStringLiteral("auth-token"))->text(),
             QStringLiteral("token.txt"));

    m_window->editor()->selectEndpoint(0);
    QVERIFY(form()
                ->findChild<QLabel *>(QStringLiteral("unknown-keys"))
                ->text()
                .contains(QStringLiteral("x-note")));
}

void tst_ConfigEditor::editShowsErrorNextToField_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expectedError"); // empty: the edit is valid

    QTest::newRow("target not http") << 0 << "target"
                                     << "ftp://example.org/x"
                                     << "must be an http:// or https:// URL";
    QTest::newRow("target no host") << 0 << "target"
                                    << "http://"
                                    << "";
    QTest::newRow("target valid") << 0 << "target"
                                  << "https://api.example.org/v1/domains"
                                  << "";
    QTest::newRow("name empty") << 0 << "name"
                                << ""
                                << "must not be empty";
    QTest::newRow("name duplicate") << 2 << "name"
                                    << "domains"
                                    << "is already used by endpoints[0]";
    QTest::newRow("bind address") << 0 << "bind-address"
                                  << "mail.example"
                                  << "is not an IP address";
    QTest::newRow("bind port cleared") << 0 << "bind-port"
                                       << "0"
                                       << "missing (required)";
    QTest::newRow("bind port clash") << 2 << "bind-port"
                                     << "9001"
                                     << "is already used by endpoints[1]";
    QTest::newRow("bind port valid") << 0 << "bind-port"
                                     << "10025"
                                     << "";
    QTest::newRow("token env empty") << 2 << "auth-token"
                                     << ""
                                     << "must not be empty";
    QTest::newRow("user agent") << -1 << "user-agent"
                                << "  "
                                << "must not be empty";
}

void tst_ConfigEditor::editShowsErrorNextToField()
{
    QFETCH(int, endpoint);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, expectedError);

    QWidget *container = endpoint < 0 ? static_cast<QWidget *>(m_window->editor()) : form();
    if (endpoint >= 0)
        m_window->editor()->selectEndpoint(endpoint);
    QLabel *label = errorLabel(container, key);
    QVERIFY(label);
    QVERIFY(label->isHidden());

    QVERIFY(editField(container, key, value));
    QVERIFY(m_window->document()->isModified());

    if (QTest::currentDataTag() == QByteArrayLiteral("target no host")) {
        // "http://" is not even a valid URL; any message next to the field will do.
        QVERIFY(!label->text().isEmpty());
        return;
    }
    if (expectedError.isEmpty()) {
        QVERIFY2(label->text().isEmpty(), qPrintable(label->text()));
        QVERIFY(label->isHidden());
        QCOMPARE(m_window->document()->errors().size(), 0);
        return;
    }
    QVERIFY2(label->text().contains(expectedError), qPrintable(label->text()));
    QVERIFY(label->isVisibleTo(m_window.get()));
    // The same problem is in the problem list, with its JSON path, and the endpoint row is marked.
    auto *problems = m_window->editor()->findChild<QListWidget *>(QStringLiteral("problems"));
    const QString path = endpoint < 0 ? key : QStringLiteral("endpoints[%1].%2").arg(endpoint).arg(key);
    QVERIFY(!problems->findItems(path, Qt::MatchStartsWith).isEmpty());
    if (endpoint >= 0)
        QVERIFY(!m_window->editor()->table()->model()->index(endpoint, 0).data(Qt::DecorationRole).isNull());
}

void tst_ConfigEditor::invalidNumberIsNamed_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("json"); // the value, as JSON
    QTest::addColumn<QString>("shown");
    QTest::addColumn<QString>("error");

    QTest::newRow("below range") << "request-timeout" << QByteArray("0") << "invalid: 0"
                                 << "out of range (1..600000)";
    QTest::newRow("above range") << "bind-port" << QByteArray("70000") << "invalid: 70000"
                                 << "out of range (1..65535)";
    QTest::newRow("string") << "max-in-flight" << QByteArray("\"4\"") << "invalid: \"4\""
                            << "must be an integer";
    QTest::newRow("fraction") << "idle-timeout" << QByteArray("1500.5") << "invalid: 1500.5"
                              << "must be an integer";
    QTest::newRow("valid") << "max-connections" << QByteArray("50") << "50"
                           << "";
    QTest::newRow("absent") << "max-connections" << QByteArray() << "default (1024)"
                            << "";
}

void tst_ConfigEditor::invalidNumberIsNamed()
{
    QFETCH(QString, key);
    QFETCH(QByteArray, json);
    QFETCH(QString, shown);
    QFETCH(QString, error);

    const QJsonValue value = json.isEmpty() ? QJsonValue(QJsonValue::Undefined)
                                            : QJsonDocument::fromJson("[" + json + "]").array().at(0);
    m_window->editor()->selectEndpoint(0);
    m_window->document()->setEndpointValue(0, key, value);
    QCOMPARE(form()->findChild<QSpinBox *>(key)->text(), shown);
    QVERIFY2(errorLabel(form(), key)->text().contains(error), qPrintable(errorLabel(form(), key)->text()));
    QCOMPARE(errorLabel(form(), key)->text().isEmpty(), error.isEmpty());
}

void tst_ConfigEditor::saveUnchangedIsByteIdentical()
{
    const QByteArray before = readAll(m_path);
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    QVERIFY(QFile::setPermissions(m_path, ownerOnly));
    QVERIFY(m_window->saveFile(m_path));
    QCOMPARE(readAll(m_path), before);
    QVERIFY(!m_window->document()->isModified());
    // The atomic replace keeps the permissions of the file it replaces.
    QCOMPARE(QFile::permissions(m_path) & (ownerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther),
             ownerOnly);
}

void tst_ConfigEditor::saveAfterEditChangesOnlyThatLine_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("expectedLine");

    QTest::newRow("target") << 0 << "target"
                            << "https://api.example.org/domains"
                            << QByteArray("\"target\": \"https://api.example.org/domains\"");
    QTest::newRow("port") << 1 << "bind-port"
                          << "9101" << QByteArray("\"bind-port\": 9101");
    QTest::newRow("timeout") << 1 << "request-timeout"
                             << "2500" << QByteArray("\"request-timeout\": 2500");
    QTest::newRow("token") << 0 << "auth-token"
                           << "secret-two" << QByteArray("\"auth-token\": \"secret-two\"");
}

void tst_ConfigEditor::saveAfterEditChangesOnlyThatLine()
{
    QFETCH(int, endpoint);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QByteArray, expectedLine);

    const QList<QByteArray> before = readAll(m_path).split('\n');
    m_window->editor()->selectEndpoint(endpoint);
    QVERIFY(editField(form(), key, value));
    const QString savedPath = m_dir->filePath(QStringLiteral("saved.json"));
    QVERIFY(m_window->saveFile(savedPath));
    const QByteArray saved = readAll(savedPath);
    const QList<QByteArray> after = saved.split('\n');

    QCOMPARE(after.size(), before.size());
    int changed = 0;
    for (int i = 0; i < before.size(); ++i) {
        if (before.at(i) != after.at(i)) {
            ++changed;
            QCOMPARE(after.at(i).trimmed(), expectedLine + (after.at(i).endsWith(',') ? "," : ""));
        }
    }
    QCOMPARE(changed, 1);
    // Unknown keys survive, at both levels.
    const QJsonObject root = QJsonDocument::fromJson(saved).object();
    QCOMPARE(root.value(QStringLiteral("x-comment")).toObject().value(QStringLiteral("ticket")).toInt(), 42);
    QCOMPARE(
        root.value(QStringLiteral("endpoints")).toArray().at(0).toObject().value(QStringLiteral("x-note")),
        QJsonValue(QStringLiteral("kept as is")));
}

void tst_ConfigEditor::undoRestoresDocument()
{
    const QJsonObject original = m_window->document()->root();
    m_window->editor()->selectEndpoint(0);
    QVERIFY(editField(form(), QStringLiteral("name"), QStringLiteral("renamed")));
    QVERIFY(editField(form(), QStringLiteral("bind-port"), QStringLiteral("9999")));
    QVERIFY(m_window->document()->isModified());
    // Typing "renamed" is one undo step, not seven.
    QCOMPARE(m_window->document()->undoStack()->count(), 2);

    m_window->document()->undoStack()->undo();
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("bind-port"))->value(), 9000);
    QCOMPARE(form()->findChild<QLineEdit *>(QStringLiteral("name"))->text(), QStringLiteral("renamed"));
    m_window->document()->undoStack()->undo();
    QCOMPARE(form()->findChild<QLineEdit *>(QStringLiteral("name"))->text(), QStringLiteral("domains"));
    QCOMPARE(m_window->document()->root(), original);
    QVERIFY(!m_window->document()->isModified());

    m_window->document()->undoStack()->redo();
    QCOMPARE(m_window->editor()->table()->model()->index(0, 0).data().toString(), QStringLiteral("renamed"));
}

void tst_ConfigEditor::unsavedChangesPrompt_data()
{
    QTest::addColumn<int>("button");
    QTest::addColumn<bool>("closes");
    QTest::addColumn<bool>("saved");
    QTest::newRow("cancel") << int(QMessageBox::Cancel) << false << false;
    QTest::newRow("discard") << int(QMessageBox::Discard) << true << false;
    QTest::newRow("save") << int(QMessageBox::Save) << true << true;
}

void tst_ConfigEditor::unsavedChangesPrompt()
{
    QFETCH(int, button);
    QFETCH(bool, closes);
    QFETCH(bool, saved);

    m_window->editor()->selectEndpoint(0);
    QVERIFY(editField(form(), QStringLiteral("name"), QStringLiteral("renamed")));
    QVERIFY(m_window->isWindowModified());

    // The prompt is modal: answer it from a timer once it is up.
    bool prompted = false;
    QTimer answer;
    answer.setInterval(10);
    connect(&answer, &QTimer::timeout, this, [&] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            prompted = true;
            answer.stop();
            box->button(QMessageBox::StandardButton(button))->click();
        }
    });
    answer.start();
    QCOMPARE(m_window->close(), closes);
    QVERIFY(prompted);
    QCOMPARE(readAll(m_path).contains("\"renamed\""), saved);
}

void tst_ConfigEditor::tokenSourceSwitchAndReveal()
{
    m_window->editor()->selectEndpoint(0);
    auto *token = form()->findChild<QLineEdit *>(QStringLiteral("auth-token"));
    auto *reveal = form()->findChild<QToolButton *>(QStringLiteral("auth-token-reveal"));
    QCOMPARE(token->echoMode(), QLineEdit::Password);
    reveal->click();
    QCOMPARE(token->echoMode(), QLineEdit::Normal);
    reveal->click();
    QCOMPARE(token->echoMode(), QLineEdit::Password);

    // Switching to a file: the inline secret is dropped, not turned into a file name.
    QVERIFY(editField(form(), QStringLiteral("auth-token-source"), QStringLiteral("File (auth-token-file)")));
    const QJsonObject endpoint = m_window->document()->endpoint(0);
    QVERIFY(!endpoint.contains(QStringLiteral("auth-token")));
    QCOMPARE(endpoint.value(QStringLiteral("auth-token-file")).toString(), QString());
    QCOMPARE(token->text(), QString());
    QCOMPARE(token->echoMode(), QLineEdit::Normal);
    QVERIFY(errorLabel(form(), QStringLiteral("auth-token"))
                ->text()
                .contains(QStringLiteral("must not be empty")));

    QVERIFY(editField(form(), QStringLiteral("auth-token"), QStringLiteral("/etc/prc/token")));
    QCOMPARE(m_window->document()->endpoint(0).value(QStringLiteral("auth-token-file")).toString(),
             QStringLiteral("/etc/prc/token"));
    QVERIFY(errorLabel(form(), QStringLiteral("auth-token"))->text().isEmpty());
}

void tst_ConfigEditor::addAndRemoveEndpoint()
{
    auto *model = m_window->editor()->table()->model();
    const int index = m_window->document()->addEndpoint(
        ConfigDocument::templateEndpoint(QStringLiteral("extra"), QStringLiteral("policy"), 9500));
    QCOMPARE(model->rowCount(), 4);
    m_window->editor()->selectEndpoint(index);
    QCOMPARE(form()->findChild<QLineEdit *>(QStringLiteral("name"))->text(), QStringLiteral("extra"));
    m_window->document()->removeEndpoint(0);
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("aliases"));
    m_window->document()->undoStack()->undo();
    QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("domains"));
}

void tst_ConfigEditor::newFromTemplateIsValid()
{
    m_window->document()->newFromTemplate();
    QVERIFY(!m_window->document()->isModified()); // nothing to lose yet
    QCOMPARE(m_window->document()->errors().size(), 0);
    QVERIFY(m_window->document()->config().has_value());
    QCOMPARE(m_window->document()->config()->endpoints.size(), 3);

    const QString path = m_dir->filePath(QStringLiteral("new.json"));
    QVERIFY(m_window->saveFile(path));
    // New files may hold tokens: not readable by others.
    QCOMPARE(QFile::permissions(path) & QFileDevice::ReadOther, QFileDevice::Permissions());
}

void tst_ConfigEditor::newFieldWritesJson_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QStringList>("enableFirst"); // check boxes clicked on before the edit
    QTest::addColumn<QString>("key");             // the field's object name
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("path"); // where the edit lands in the document
    QTest::addColumn<QByteArray>("expected");

    const QStringList none;
    const QStringList cache{QStringLiteral("cache.enabled")};
    const QStringList admin{QStringLiteral("admin")};
    QTest::newRow("backend connections") << 0 << none << "backend-connections"
                                         << "12"
                                         << "endpoints[0].backend-connections" << QByteArray("12");
    QTest::newRow("backend connections max") << 1 << none << "backend-connections"
                                             << "600"
                                             << "endpoints[1].backend-connections" << QByteArray("600");
    QTest::newRow("backend http2") << 1 << none << "backend-http2"
                                   << "true"
                                   << "endpoints[1].backend-http2" << QByteArray("true");
    QTest::newRow("cache on") << 0 << none << "cache.enabled"
                              << "true"
                              << "endpoints[0].cache" << QByteArray("{\"enabled\": true}");
    QTest::newRow("cache max entries")
        << 1 << cache << "cache.max-entries"
        << "500"
        << "endpoints[1].cache" << QByteArray("{\"enabled\": true, \"max-entries\": 500}");
    QTest::newRow("cache max bytes beyond int")
        << 0 << cache << "cache.max-bytes"
        << "8589934592"
        << "endpoints[0].cache" << QByteArray("{\"enabled\": true, \"max-bytes\": 8589934592}");
    QTest::newRow("cache positive ttl zero")
        << 0 << cache << "cache.positive-ttl"
        << "0"
        << "endpoints[0].cache" << QByteArray("{\"enabled\": true, \"positive-ttl\": 0}");
    QTest::newRow("cache negative ttl")
        << 0 << cache << "cache.negative-ttl"
        << "5000"
        << "endpoints[0].cache" << QByteArray("{\"enabled\": true, \"negative-ttl\": 5000}");
    QTest::newRow("cache max ttl") << 2 << cache << "cache.max-ttl"
                                   << "7200000"
                                   << "endpoints[2].cache"
                                   << QByteArray("{\"enabled\": true, \"max-ttl\": 7200000}");
    QTest::newRow("cache stale if error")
        << 0 << cache << "cache.stale-if-error"
        << "600000"
        << "endpoints[0].cache" << QByteArray("{\"enabled\": true, \"stale-if-error\": 600000}");
    QTest::newRow("cache ignores cache-control")
        << 0 << cache << "cache.honor-cache-control"
        << "false"
        << "endpoints[0].cache" << QByteArray("{\"enabled\": true, \"honor-cache-control\": false}");
    // On: only the required port is written (the next free one), the address keeps its default.
    QTest::newRow("admin on") << -1 << none << "admin"
                              << "true"
                              << "admin" << QByteArray("{\"bind-port\": 9003}");
    QTest::newRow("admin port") << -1 << admin << "admin.bind-port"
                                << "9200"
                                << "admin" << QByteArray("{\"bind-port\": 9200}");
    QTest::newRow("admin address") << -1 << admin << "admin.bind-address"
                                   << "::1"
                                   << "admin"
                                   << QByteArray("{\"bind-address\": \"::1\", \"bind-port\": 9003}");
}

void tst_ConfigEditor::newFieldWritesJson()
{
    QFETCH(int, endpoint);
    QFETCH(QStringList, enableFirst);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);

    ConfigDocument *document = m_window->document();
    const QJsonObject before = document->root();
    if (endpoint >= 0)
        m_window->editor()->selectEndpoint(endpoint);
    QVERIFY(jsonAt(before, path).isUndefined());
    for (const QString &name : enableFirst)
        QVERIFY(editField(m_window->editor(), name, QStringLiteral("true")));
    QVERIFY(editField(m_window->editor(), key, value));

    QCOMPARE(jsonAt(document->root(), path), parseValue(expected));
    QCOMPARE(document->errors().size(), 0);
    QVERIFY(errorLabel(m_window->editor(), key)->text().isEmpty());
    // Each check box click and the edit is one undo step, and nothing else changed.
    QCOMPARE(document->undoStack()->count(), enableFirst.size() + 1);
    QJsonObject withoutEdit = document->root();
    if (endpoint < 0) {
        withoutEdit.remove(path);
    } else {
        QJsonArray endpoints = withoutEdit.value(QStringLiteral("endpoints")).toArray();
        QJsonObject object = endpoints.at(endpoint).toObject();
        object.remove(path.section(QLatin1Char('.'), 1));
        endpoints.replace(endpoint, object);
        withoutEdit.insert(QStringLiteral("endpoints"), endpoints);
    }
    QCOMPARE(withoutEdit, before);

    // The saved file carries the value as written (no exponent for large integers).
    const QString savedPath = m_dir->filePath(QStringLiteral("saved.json"));
    QVERIFY(m_window->saveFile(savedPath));
    QCOMPARE(jsonAt(QJsonDocument::fromJson(readAll(savedPath)).object(), path), parseValue(expected));
    if (key == QLatin1String("cache.max-bytes"))
        QVERIFY(readAll(savedPath).contains("\"max-bytes\": 8589934592"));
}

void tst_ConfigEditor::newFieldErrorShown_data()
{
    QTest::addColumn<int>("endpoint"); // -1: the top level
    QTest::addColumn<QString>("key");  // the key set to `json`
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field"); // the field (and "FIELD-error" label) the error belongs to
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("shown"); // what the field shows; empty: not checked

    QTest::newRow("connections above range")
        << 0 << "backend-connections" << QByteArray("601") << "backend-connections"
        << "601 is out of range (1..600)"
        << "invalid: 601";
    QTest::newRow("connections fraction")
        << 1 << "backend-connections" << QByteArray("6.5") << "backend-connections"
        << "must be an integer"
        << "invalid: 6.5";
    QTest::newRow("http2 not a boolean") << 0 << "backend-http2" << QByteArray("\"yes\"") << "backend-http2"
                                         << "must be true or false"
                                         << "Speak HTTP/2 to the backend (invalid: \"yes\")";
    QTest::newRow("cache not an object") << 0 << "cache" << QByteArray("true") << "cache"
                                         << "must be an object" << QString();
    QTest::newRow("cache enabled not a boolean")
        << 0 << "cache" << QByteArray("{\"enabled\": \"yes\"}") << "cache.enabled"
        << "must be true or false" << QString();
    QTest::newRow("cache max ttl too short")
        << 1 << "cache" << QByteArray("{\"enabled\": true, \"max-ttl\": 10}") << "cache.max-ttl"
        << "10 is out of range (1000..604800000)"
        << "invalid: 10";
    QTest::newRow("cache max entries zero")
        << 0 << "cache" << QByteArray("{\"enabled\": true, \"max-entries\": 0}") << "cache.max-entries"
        << "0 is out of range (1..10000000)"
        << "invalid: 0";
    QTest::newRow("cache max bytes too large")
        << 0 << "cache" << QByteArray("{\"enabled\": true, \"max-bytes\": 68719476737}") << "cache.max-bytes"
        << "68719476737 is out of range (4096..68719476736)"
        << "invalid: 68719476737";
    QTest::newRow("cache positive ttl negative")
        << 0 << "cache" << QByteArray("{\"enabled\": true, \"positive-ttl\": -1}") << "cache.positive-ttl"
        << "-1 is out of range (0..86400000)"
        << "invalid: -1";
    QTest::newRow("cache stale if error string")
        << 2 << "cache" << QByteArray("{\"enabled\": true, \"stale-if-error\": \"1h\"}")
        << "cache.stale-if-error"
        << "must be an integer"
        << "invalid: \"1h\"";
    QTest::newRow("cache honor not a boolean")
        << 0 << "cache" << QByteArray("{\"enabled\": true, \"honor-cache-control\": 1}")
        << "cache.honor-cache-control"
        << "must be true or false" << QString();
    // The settings are disabled while the cache is off, but their errors are still shown.
    QTest::newRow("error while cache off")
        << 0 << "cache" << QByteArray("{\"negative-ttl\": 5.5}") << "cache.negative-ttl"
        << "must be an integer"
        << "invalid: 5.5";
    QTest::newRow("admin not an object") << -1 << "admin" << QByteArray("9100") << "admin"
                                         << "must be an object" << QString();
    QTest::newRow("admin port missing") << -1 << "admin" << QByteArray("{}") << "admin.bind-port"
                                        << "missing (required)"
                                        << "not set";
    QTest::newRow("admin port out of range")
        << -1 << "admin" << QByteArray("{\"bind-port\": 70000}") << "admin.bind-port"
        << "70000 is out of range (1..65535)"
        << "invalid: 70000";
    QTest::newRow("admin port used by endpoint")
        << -1 << "admin" << QByteArray("{\"bind-port\": 9001}") << "admin.bind-port"
        << "is already used by endpoints[1] (aliases)"
        << "9001";
    QTest::newRow("admin address") << -1 << "admin"
                                   << QByteArray("{\"bind-address\": \"mail\", \"bind-port\": 9100}")
                                   << "admin.bind-address"
                                   << "\"mail\" is not an IP address"
                                   << "mail";
}

void tst_ConfigEditor::newFieldErrorShown()
{
    QFETCH(int, endpoint);
    QFETCH(QString, key);
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(QString, error);
    QFETCH(QString, shown);

    ConfigDocument *document = m_window->document();
    ConfigEditor *editor = m_window->editor();
    if (endpoint >= 0) {
        editor->selectEndpoint(endpoint);
        document->setEndpointValue(endpoint, key, parseValue(json));
    } else {
        document->setRootValue(key, parseValue(json));
    }
    QLabel *label = errorLabel(editor, field);
    QVERIFY(label);
    QVERIFY2(label->text().contains(error), qPrintable(label->text()));
    QVERIFY(label->isVisibleTo(m_window.get()));
    if (!shown.isEmpty())
        QCOMPARE(shownText(editor->findChild<QWidget *>(field)), shown);
    // Only there: not repeated among the endpoint's general problems.
    auto *general = form()->findChild<QLabel *>(QStringLiteral("endpoint-error"));
    QVERIFY2(!general->text().contains(error), qPrintable(general->text()));
    // The problem list names the JSON path.
    const QString path = endpoint < 0 ? field : QStringLiteral("endpoints[%1].%2").arg(endpoint).arg(field);
    auto *problems = editor->findChild<QListWidget *>(QStringLiteral("problems"));
    QVERIFY(!problems->findItems(path + QStringLiteral(": "), Qt::MatchStartsWith).isEmpty());

    // Undo clears it again.
    document->undoStack()->undo();
    QVERIFY(label->text().isEmpty());
    QVERIFY(label->isHidden());
}

void tst_ConfigEditor::newFieldWarningShown_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("warning"); // empty: the label stays hidden

    QTest::newRow("policy cache") << 2 << "cache" << QByteArray("{\"enabled\": true}") << "cache-warning"
                                  << "enabled: caching a policy endpoint";
    QTest::newRow("lookup cache") << 0 << "cache" << QByteArray("{\"enabled\": true}") << "cache-warning"
                                  << "";
    QTest::newRow("settings while off")
        << 1 << "cache" << QByteArray("{\"max-ttl\": 60000}") << "cache-warning"
        << "cache settings are given but the cache is off";
    QTest::newRow("unknown cache key")
        << 0 << "cache" << QByteArray("{\"enabled\": true, \"ttl\": 5}") << "cache-warning"
        << "ttl: unknown key";
    QTest::newRow("admin on every interface")
        << -1 << "admin" << QByteArray("{\"bind-address\": \"0.0.0.0\", \"bind-port\": 9100}")
        << "admin-warning"
        << "\"0.0.0.0\" is not a loopback address";
    QTest::newRow("admin on loopback")
        << -1 << "admin" << QByteArray("{\"bind-port\": 9100}") << "admin-warning"
        << "";
}

void tst_ConfigEditor::newFieldWarningShown()
{
    QFETCH(int, endpoint);
    QFETCH(QString, key);
    QFETCH(QByteArray, json);
    QFETCH(QString, label);
    QFETCH(QString, warning);

    if (endpoint >= 0) {
        m_window->editor()->selectEndpoint(endpoint);
        m_window->document()->setEndpointValue(endpoint, key, parseValue(json));
    } else {
        m_window->document()->setRootValue(key, parseValue(json));
    }
    QCOMPARE(m_window->document()->errors().size(), 0); // warnings only: the service accepts it
    auto *shown = m_window->editor()->findChild<QLabel *>(label);
    QVERIFY(shown);
    if (warning.isEmpty()) {
        QVERIFY2(shown->isHidden(), qPrintable(shown->text()));
        return;
    }
    QVERIFY2(shown->text().contains(warning), qPrintable(shown->text()));
    QVERIFY(shown->isVisibleTo(m_window.get()));
}

void tst_ConfigEditor::visitingAndSavingKeepsBytes_data()
{
    QTest::addColumn<bool>("newKeys");
    QTest::newRow("without the new keys") << false;
    QTest::newRow("with every new key") << true;
}

void tst_ConfigEditor::visitingAndSavingKeepsBytes()
{
    QFETCH(bool, newKeys);

    const QString path = m_dir->filePath(QStringLiteral("visit.json"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(ConfigWriter::toJson(newKeys ? sampleWithNewKeys() : sampleRoot()));
    }
    const QByteArray before = readAll(path);
    QCOMPARE(before.contains("backend-connections"), newKeys);
    QCOMPARE(before.contains("\"admin\""), newKeys);
    QVERIFY(m_window->openFile(path));

    // Showing every endpoint, opening and closing the cache settings and switching tabs writes nothing.
    auto *expand = form()->findChild<QToolButton *>(QStringLiteral("cache-expand"));
    for (int i = 0; i < m_window->document()->endpointCount(); ++i) {
        m_window->editor()->selectEndpoint(i);
        expand->click();
        expand->click();
    }
    m_window->editor()->selectEndpoint(0);
    for (int tab : {MainWindow::LookupTab, MainWindow::SnippetTab, MainWindow::EditorTab})
        m_window->tabs()->setCurrentIndex(tab);
    QCOMPARE(m_window->document()->undoStack()->count(), 0);
    QVERIFY(!m_window->document()->isModified());

    QVERIFY(m_window->saveFile(path));
    QCOMPARE(readAll(path), before);
}

void tst_ConfigEditor::newKeysAreShown()
{
    const QString path = m_dir->filePath(QStringLiteral("new-keys.json"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(ConfigWriter::toJson(sampleWithNewKeys()));
    }
    QVERIFY(m_window->openFile(path));
    QCOMPARE(m_window->document()->errors().size(), 0);
    ConfigEditor *editor = m_window->editor();
    editor->selectEndpoint(0);

    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("backend-connections"))->value(), 12);
    QVERIFY(form()->findChild<QCheckBox *>(QStringLiteral("backend-http2"))->isChecked());
    QVERIFY(form()->findChild<QCheckBox *>(QStringLiteral("cache.enabled"))->isChecked());
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("cache.max-entries"))->value(), 500);
    QCOMPARE(form()->findChild<QDoubleSpinBox *>(QStringLiteral("cache.max-bytes"))->value(), 8589934592.0);
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("cache.positive-ttl"))->value(), 0);
    QVERIFY(!form()
                 ->findChild<QSpinBox *>(QStringLiteral("cache.positive-ttl"))
                 ->text()
                 .startsWith(QStringLiteral("default")));
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("cache.negative-ttl"))->value(), 5000);
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("cache.max-ttl"))->value(), 7200000);
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("cache.stale-if-error"))->value(), 600000);
    QVERIFY(!form()->findChild<QCheckBox *>(QStringLiteral("cache.honor-cache-control"))->isChecked());
    QVERIFY(form()->findChild<QWidget *>(QStringLiteral("cache-settings"))->isVisibleTo(m_window.get()));

    QVERIFY(editor->findChild<QCheckBox *>(QStringLiteral("admin"))->isChecked());
    QCOMPARE(editor->findChild<QLineEdit *>(QStringLiteral("admin.bind-address"))->text(),
             QStringLiteral("::1"));
    QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("admin.bind-port"))->value(), 9105);
    QVERIFY(editor->findChild<QLabel *>(QStringLiteral("admin-hint"))
                ->text()
                .contains(QStringLiteral("http://[::1]:9105/metrics")));
    QVERIFY(m_window->snippetView()->text().contains(QStringLiteral("http://[::1]:9105/metrics")));

    // None of them is listed as "not editable here" any more; the unknown key still is listed.
    const QString notes = form()->findChild<QLabel *>(QStringLiteral("unknown-keys"))->text();
    for (const char *key : {"backend-connections", "backend-http2", "cache"})
        QVERIFY2(!notes.contains(QLatin1String(key)), qPrintable(notes));
    QVERIFY(notes.contains(QStringLiteral("x-note")));
    QVERIFY(!notes.contains(QStringLiteral("not editable here")));

    // A cache object with settings but without "enabled": shown, settings disabled.
    editor->selectEndpoint(2);
    QVERIFY(!form()->findChild<QCheckBox *>(QStringLiteral("cache.enabled"))->isChecked());
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("cache.positive-ttl"))->value(), 1000);
    QVERIFY(!form()->findChild<QSpinBox *>(QStringLiteral("cache.positive-ttl"))->isEnabled());
    // An endpoint without them shows the defaults.
    editor->selectEndpoint(1);
    auto *connections = form()->findChild<QSpinBox *>(QStringLiteral("backend-connections"));
    QCOMPARE(connections->text(), QStringLiteral("default (6)"));
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("cache.max-ttl"))->text(),
             QStringLiteral("default (3600000 ms)"));
    QCOMPARE(form()->findChild<QDoubleSpinBox *>(QStringLiteral("cache.max-bytes"))->text(),
             QStringLiteral("default (16777216 bytes)"));
    QVERIFY(form()->findChild<QCheckBox *>(QStringLiteral("cache.honor-cache-control"))->isChecked());
    QVERIFY(!form()->findChild<QWidget *>(QStringLiteral("cache-settings"))->isVisibleTo(m_window.get()));
}

void tst_ConfigEditor::cacheFieldsFollowEnabled()
{
    ConfigDocument *document = m_window->document();
    m_window->editor()->selectEndpoint(0);
    auto *enabled = form()->findChild<QCheckBox *>(QStringLiteral("cache.enabled"));
    auto *maxTtl = form()->findChild<QSpinBox *>(QStringLiteral("cache.max-ttl"));
    auto *settings = form()->findChild<QWidget *>(QStringLiteral("cache-settings"));
    const auto cache = [&] {
        return document->endpoint(0).value(QStringLiteral("cache"));
    };
    QVERIFY(!enabled->isChecked());
    QVERIFY(!maxTtl->isEnabled());
    QVERIFY(!settings->isVisibleTo(m_window.get()));

    enabled->click();
    QCOMPARE(cache(), QJsonValue(QJsonObject{{QStringLiteral("enabled"), true}}));
    QVERIFY(maxTtl->isEnabled());
    QVERIFY(settings->isVisibleTo(m_window.get())); // opened on enabling

    // Off again with nothing else set: the cache object goes away entirely.
    enabled->click();
    QVERIFY(cache().isUndefined());
    QVERIFY(!maxTtl->isEnabled());

    enabled->click();
    QVERIFY(editField(form(), QStringLiteral("cache.max-ttl"), QStringLiteral("120000")));
    enabled->click();
    // Off with settings: they are kept (the service warns that they are unused), only "enabled" goes.
    QCOMPARE(cache(), QJsonValue(QJsonObject{{QStringLiteral("max-ttl"), 120000}}));
    QVERIFY(!maxTtl->isEnabled());
    QCOMPARE(maxTtl->value(), 120000);
    QVERIFY(form()->findChild<QLabel *>(QStringLiteral("cache-warning"))->isVisibleTo(m_window.get()));

    // The default position removes the key again.
    enabled->click();
    maxTtl->setValue(maxTtl->minimum());
    QCOMPARE(cache(), QJsonValue(QJsonObject{{QStringLiteral("enabled"), true}}));
}

void tst_ConfigEditor::newFieldsUndoRedo()
{
    ConfigDocument *document = m_window->document();
    ConfigEditor *editor = m_window->editor();
    editor->selectEndpoint(1);
    QList<QJsonObject> states{document->root()};
    const auto step = [&](const QString &key, const QString &value) {
        QVERIFY(editField(editor, key, value));
        QVERIFY(document->root() != states.last());
        states.append(document->root());
    };
    step(QStringLiteral("backend-connections"), QStringLiteral("7"));
    step(QStringLiteral("backend-http2"), QStringLiteral("true"));
    step(QStringLiteral("cache.enabled"), QStringLiteral("true"));
    step(QStringLiteral("cache.stale-if-error"), QStringLiteral("30000"));
    step(QStringLiteral("cache.honor-cache-control"), QStringLiteral("false"));
    step(QStringLiteral("backend-http2"), QStringLiteral("false"));
    step(QStringLiteral("admin"), QStringLiteral("true"));
    step(QStringLiteral("admin.bind-port"), QStringLiteral("9300"));
    step(QStringLiteral("admin.bind-address"), QStringLiteral("127.0.0.2"));
    QCOMPARE(document->undoStack()->count(), states.size() - 1);

    auto *http2 = form()->findChild<QCheckBox *>(QStringLiteral("backend-http2"));
    auto *port = editor->findChild<QSpinBox *>(QStringLiteral("admin.bind-port"));
    for (int i = states.size() - 2; i >= 0; --i) {
        document->undoStack()->undo();
        QCOMPARE(document->root(), states.at(i));
        // The fields follow.
        QCOMPARE(http2->isChecked(), i == 2 || i == 3 || i == 4 || i == 5);
        QCOMPARE(port->value(), i >= 8 ? 9300 : i == 7 ? 9003 : 0);
    }
    QVERIFY(!document->isModified());
    QVERIFY(!editor->findChild<QCheckBox *>(QStringLiteral("admin"))->isChecked());
    QVERIFY(!form()->findChild<QCheckBox *>(QStringLiteral("cache.enabled"))->isChecked());
    QCOMPARE(form()->findChild<QSpinBox *>(QStringLiteral("backend-connections"))->text(),
             QStringLiteral("default (6)"));
    for (int i = 1; i < states.size(); ++i) {
        document->undoStack()->redo();
        QCOMPARE(document->root(), states.at(i));
    }
}

void tst_ConfigEditor::backendConnectionsHint_data()
{
    QTest::addColumn<int>("value"); // 0: absent
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("qtClient");
    QTest::newRow("curl default") << 0 << "exactly 6 persistent connections" << false;
    QTest::newRow("curl one") << 1 << "exactly 1 persistent connections" << false;
    QTest::newRow("curl seven") << 7 << "exactly 7 persistent connections" << false;
    QTest::newRow("qt default") << 0 << "6 → 6 connections (1 HTTP client)" << true;
    QTest::newRow("qt one") << 1 << "1 → 6 connections (1 HTTP client)" << true;
    QTest::newRow("qt seven") << 7 << "7 → 12 connections (2 HTTP clients)" << true;
    QTest::newRow("qt multiple") << 18 << "18 → 18 connections (3 HTTP clients)" << true;
    QTest::newRow("qt maximum") << 600 << "600 → 600 connections (100 HTTP clients)" << true;
}

void tst_ConfigEditor::backendConnectionsHint()
{
    QFETCH(int, value);
    QFETCH(QString, expected);
    QFETCH(bool, qtClient);
    m_window->editor()->selectEndpoint(0);
    if (qtClient) {
        // The user picks the client in the combo box with the keyboard.
        auto *client = form()->findChild<QComboBox *>(QStringLiteral("backend-client"));
        QVERIFY(client);
        client->setFocus();
        QTest::keyClick(client, Qt::Key_Q);
        QCOMPARE(client->currentText(), QStringLiteral("qt"));
        QCOMPARE(m_window->document()->endpoint(0).value(QStringLiteral("backend-client")).toString(),
                 QStringLiteral("qt"));
    }
    if (value > 0)
        QVERIFY(editField(form(), QStringLiteral("backend-connections"), QString::number(value)));
    const QString hint = form()->findChild<QLabel *>(QStringLiteral("backend-connections-hint"))->text();
    QVERIFY2(hint.contains(expected), qPrintable(hint));
    QCOMPARE(hint.contains(QStringLiteral("multiple of 6")), qtClient);
}

void tst_ConfigEditor::hintsFollowModeAndTarget()
{
    ConfigEditor *editor = m_window->editor();
    auto *cacheHint = form()->findChild<QLabel *>(QStringLiteral("cache-hint"));
    auto *http2Hint = form()->findChild<QLabel *>(QStringLiteral("backend-http2-hint"));
    editor->selectEndpoint(2);
    QVERIFY2(cacheHint->text().contains(QStringLiteral("Policy endpoint")), qPrintable(cacheHint->text()));
    editor->selectEndpoint(0);
    QVERIFY(!cacheHint->text().contains(QStringLiteral("Policy endpoint")));
    QVERIFY(editField(form(), QStringLiteral("mode"), QStringLiteral("policy")));
    QVERIFY(cacheHint->text().contains(QStringLiteral("Policy endpoint")));

    // HTTP/2 to an http:// target means h2c: said plainly once it is on.
    QVERIFY(http2Hint->text().contains(QStringLiteral("h2c")));
    QVERIFY(!http2Hint->text().contains(QStringLiteral("This target is http://")));
    QVERIFY(editField(form(), QStringLiteral("backend-http2"), QStringLiteral("true")));
    QVERIFY(http2Hint->text().contains(QStringLiteral("This target is http://")));
    editor->selectEndpoint(1); // https://
    QVERIFY(editField(form(), QStringLiteral("backend-http2"), QStringLiteral("true")));
    QVERIFY(!http2Hint->text().contains(QStringLiteral("This target is http://")));
}

QTEST_MAIN(tst_ConfigEditor)
#include "tst_configeditor.moc"
