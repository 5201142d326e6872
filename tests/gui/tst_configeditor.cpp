// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/configwriter.h"
#include "configdocument.h"
#include "configeditor.h"
#include "endpointform.h"
#include "mainwindow.h"

#include <QApplication>
#include <QComboBox>
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
    QVERIFY(m_window->document()->isModified()); // never saved
    QCOMPARE(m_window->document()->errors().size(), 0);
    QVERIFY(m_window->document()->config().has_value());
    QCOMPARE(m_window->document()->config()->endpoints.size(), 3);

    const QString path = m_dir->filePath(QStringLiteral("new.json"));
    QVERIFY(m_window->saveFile(path));
    // New files may hold tokens: not readable by others.
    QCOMPARE(QFile::permissions(path) & QFileDevice::ReadOther, QFileDevice::Permissions());
}

QTEST_MAIN(tst_ConfigEditor)
#include "tst_configeditor.moc"
