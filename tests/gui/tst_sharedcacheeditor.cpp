// SPDX-License-Identifier: GPL-3.0-or-later
// The shared cache tier ("cache.shared") in the endpoint form, driven as a user drives it: clicks, typing,
// Ctrl+S and Ctrl+Z in the admin window. What the form says about a key is compared with what the service
// binary's --check-config says about the same file.
#include "config/configloader.h"
#include "configdocument.h"
#include "configeditor.h"
#include "endpointform.h"
#include "mainwindow.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

using namespace prc;

namespace {

/// One endpoint as an admin writes it by hand (two-space indentation); CACHE is replaced by the test.
const QByteArray Template = R"({
  "endpoints": [
    {
      "name": "domains",
      "mode": "tcp-lookup",
      "target": "http://127.0.0.1:9100/domain",
      "bind-address": "127.0.0.1",
      "bind-port": 9101,
      "auth-token": "demo-token"CACHE
    }
  ]
}
)";

QByteArray configText(const QByteArray &cache = QByteArray())
{
    QByteArray text = Template;
    return text.replace("CACHE", cache.isEmpty() ? QByteArray() : ",\n      \"cache\": " + cache);
}

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

QJsonObject sharedIn(const QByteArray &text)
{
    return QJsonDocument::fromJson(text)
        .object()
        .value(QStringLiteral("endpoints"))
        .toArray()
        .at(0)
        .toObject()
        .value(QStringLiteral("cache"))
        .toObject()
        .value(QStringLiteral("shared"))
        .toObject();
}

/// The errors `postfix-rest-connector --check-config` prints for `jsonPath` in the file at `path`.
QStringList serviceErrors(const QString &path, const QString &jsonPath, QString *output)
{
    QProcess service;
    service.setProcessChannelMode(QProcess::MergedChannels);
    service.start(QStringLiteral(PRC_SERVICE_BINARY), {QStringLiteral("--check-config"), path});
    if (!service.waitForFinished(20000))
        return {QStringLiteral("(no answer from the service)")};
    *output = QString::fromUtf8(service.readAll());
    const QString start = QStringLiteral("error: %1: %2: ").arg(path, jsonPath);
    QStringList errors;
    for (const QString &line : output->split(QLatin1Char('\n'))) {
        const qsizetype at = line.indexOf(start);
        if (at >= 0)
            errors << line.mid(at + start.size());
    }
    return errors;
}

} // namespace

class tst_SharedCacheEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void everyKeyTheLoaderKnowsHasAField();
    void sharedNeedsTheCache();
    void enableTypeSaveUndo();
    void fieldsWriteTheirKeys_data();
    void fieldsWriteTheirKeys();
    void errorsAtTheFieldAsTheServiceSaysThem_data();
    void errorsAtTheFieldAsTheServiceSaysThem();
    void newObjectFollowsTheKeyOrder();
    void fileValuesShownAndUnknownKeysKept();
    void passwordIsNeverShown();

private:
    EndpointForm *form() const { return m_window->editor()->form(); }
    template<typename T>
    T *field(const QString &key) const
    {
        return form()->findChild<T *>(key);
    }
    void open(const QByteArray &content);
    void click(QAbstractButton *button);
    void type(const QString &key, const QString &text);
    void save();
    QJsonObject shared() const { return sharedIn(m_window->document()->toText()); }

    QTemporaryDir m_settings;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    QString m_path;
};

void tst_SharedCacheEditor::initTestCase()
{
    QVERIFY(m_settings.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
    QCoreApplication::setOrganizationName(QStringLiteral("prc-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_sharedcacheeditor"));
}

void tst_SharedCacheEditor::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("config.json"));
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1100, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_SharedCacheEditor::cleanup()
{
    m_window.reset();
    m_dir.reset();
}

void tst_SharedCacheEditor::open(const QByteArray &content)
{
    QVERIFY(writeFile(m_path, content));
    QVERIFY(m_window->openFile(m_path));
    m_window->editor()->selectEndpoint(0);
    QCOMPARE(form()->endpointIndex(), 0);
    // The settings start open for an endpoint with a cache object; open them otherwise, as a user would.
    auto *expand = form()->findChild<QToolButton *>(QStringLiteral("cache-expand"));
    QVERIFY(expand);
    if (!expand->isChecked())
        QTest::mouseClick(expand, Qt::LeftButton);
    QVERIFY(expand->isChecked());
}

void tst_SharedCacheEditor::click(QAbstractButton *button)
{
    QVERIFY(button);
    QVERIFY2(button->isEnabled(), qPrintable(button->objectName()));
    QTest::mouseClick(button, Qt::LeftButton, {}, QPoint(4, button->height() / 2));
}

void tst_SharedCacheEditor::type(const QString &key, const QString &text)
{
    QWidget *widget = form()->findChild<QWidget *>(key);
    QVERIFY2(widget, qPrintable(key));
    QVERIFY2(widget->isEnabled(), qPrintable(key));
    widget->setFocus();
    QTRY_VERIFY(widget->hasFocus() || widget->isAncestorOf(QApplication::focusWidget()));
    QWidget *target = QApplication::focusWidget();
    QTest::keyClick(target, Qt::Key_A, Qt::ControlModifier);
    if (text.isEmpty())
        QTest::keyClick(target, Qt::Key_Delete);
    else
        QTest::keyClicks(target, text);
}

void tst_SharedCacheEditor::save()
{
    QTest::keySequence(m_window.get(), QKeySequence::Save);
    QTRY_VERIFY(!m_window->document()->isModified());
}

void tst_SharedCacheEditor::everyKeyTheLoaderKnowsHasAField()
{
    open(configText(R"({"enabled": true, "shared": {"url": "redis://a"}})"));
    for (const QString &key : ConfigLoader::sharedCacheKeys()) {
        // The two password keys share one row: the source box chooses between them.
        const bool password = key.startsWith(QLatin1String("password-"));
        const QString name = QStringLiteral("cache.shared.") + (password ? QStringLiteral("password") : key);
        QVERIFY2(form()->findChild<QWidget *>(name), qPrintable(name));
        QVERIFY2(form()->findChild<QLabel *>(name + QStringLiteral("-error")), qPrintable(name));
    }
    // A file with all of them: none is "not editable here".
    open(configText(R"({"enabled": true, "shared": {"url": "redis://a", "prefix": "p:", "timeout": 9,
        "lock-wait": 100, "password-env": "PW"}})"));
    QCOMPARE(m_window->document()
                 ->endpoint(0)
                 .value(QStringLiteral("cache"))
                 .toObject()
                 .value(QStringLiteral("shared"))
                 .toObject()
                 .size(),
             ConfigLoader::sharedCacheKeys().size() - 1);
    QVERIFY(!form()->findChild<QLabel *>(QStringLiteral("unknown-keys"))->isVisible());
}

void tst_SharedCacheEditor::sharedNeedsTheCache()
{
    open(configText());
    auto *cache = field<QCheckBox>(QStringLiteral("cache.enabled"));
    auto *shared = field<QCheckBox>(QStringLiteral("cache.shared"));
    auto *url = field<QLineEdit>(QStringLiteral("cache.shared.url"));
    QVERIFY(cache && shared && url);
    QVERIFY(!cache->isChecked());
    QVERIFY(!shared->isEnabled());
    QVERIFY(!url->isEnabled());

    click(cache);
    QVERIFY(shared->isEnabled());
    QVERIFY(!shared->isChecked());
    QVERIFY(!url->isEnabled()); // on with the shared tier only
    click(shared);
    QVERIFY(url->isEnabled());
    QVERIFY(field<QComboBox>(QStringLiteral("cache.shared.password-source"))->isEnabled());

    // The cache off again: the shared settings stay in the file (the service warns), but cannot be edited.
    click(cache);
    QVERIFY(!shared->isEnabled());
    QVERIFY(!url->isEnabled());
    QVERIFY(m_window->document()
                ->endpoint(0)
                .value(QStringLiteral("cache"))
                .toObject()
                .contains(QStringLiteral("shared")));
}

void tst_SharedCacheEditor::enableTypeSaveUndo()
{
    const QByteArray original = configText();
    open(original);
    ConfigDocument *document = m_window->document();
    click(field<QCheckBox>(QStringLiteral("cache.enabled")));
    const QByteArray cacheOn = document->toText();

    click(field<QCheckBox>(QStringLiteral("cache.shared")));
    QCOMPARE(document->undoStack()->count(), 2); // one step per click
    // An empty object until the URL is typed: the service requires one, and the form says so there.
    QCOMPARE(document->endpoint(0).value(QStringLiteral("cache")).toObject().value(QStringLiteral("shared")),
             QJsonValue(QJsonObject()));
    QVERIFY(!form()->errorText(QStringLiteral("cache.shared.url")).isEmpty());
    const QByteArray sharedOn = document->toText();
    QVERIFY2(sharedOn.contains("\"shared\": {}"), sharedOn.constData());

    type(QStringLiteral("cache.shared.url"), QStringLiteral("redis://10.0.0.7:6379/0"));
    QCOMPARE(document->undoStack()->count(), 3); // typing is one step
    QCOMPARE(form()->errorText(QStringLiteral("cache.shared.url")), QString());
    save();
    const QByteArray expected = configText(R"({
        "enabled": true,
        "shared": {
          "url": "redis://10.0.0.7:6379/0"
        }
      })");
    // The file's own indentation, two spaces, at every level of the new objects.
    QCOMPARE(readFile(m_path), expected);
    QCOMPARE(sharedIn(readFile(m_path)),
             QJsonObject({{QStringLiteral("url"), QStringLiteral("redis://10.0.0.7:6379/0")}}));
    QVERIFY(document->config().has_value());
    QCOMPARE(document->config()->endpoints.at(0).cache.shared.host, QStringLiteral("10.0.0.7"));

    // Ctrl+Z where the focus is (in the URL field): the document, not the field, goes back a step.
    QCOMPARE(QApplication::focusWidget(), field<QLineEdit>(QStringLiteral("cache.shared.url")));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(document->toText(), sharedOn);
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.url"))->text(), QString());
    // The URL field is disabled with the object gone: the keys go to the window from here on.
    const auto undo = [this] {
        QTest::keySequence(m_window.get(), QKeySequence(Qt::CTRL | Qt::Key_Z));
    };
    const auto redo = [this] {
        QTest::keySequence(m_window.get(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    };
    undo();
    QCOMPARE(document->toText(), cacheOn);
    QVERIFY(!field<QCheckBox>(QStringLiteral("cache.shared"))->isChecked());
    QVERIFY(!field<QLineEdit>(QStringLiteral("cache.shared.url"))->isEnabled());
    redo();
    QCOMPARE(document->toText(), sharedOn);
    undo();
    undo();
    save();
    QCOMPARE(readFile(m_path), original); // byte for byte

    // Unchecking removes the whole object, settings and all, in one step.
    redo();
    redo();
    redo();
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.url"))->text(),
             QStringLiteral("redis://10.0.0.7:6379/0"));
    type(QStringLiteral("cache.shared.prefix"), QStringLiteral("mx:"));
    QCOMPARE(shared().size(), 2);
    const int steps = document->undoStack()->index();
    click(field<QCheckBox>(QStringLiteral("cache.shared")));
    QCOMPARE(document->undoStack()->index(), steps + 1);
    QCOMPARE(document->toText(), cacheOn);
}

void tst_SharedCacheEditor::fieldsWriteTheirKeys_data()
{
    QTest::addColumn<QByteArray>("before"); // cache.shared in the file
    QTest::addColumn<QString>("key");       // the field
    QTest::addColumn<QString>("action");    // typed text, or for the password source: the keys pressed
    QTest::addColumn<QByteArray>("after");  // cache.shared in the saved file

    const QByteArray url = R"({"url": "redis://a"})";
    QTest::newRow("url") << QByteArray("{}") << "cache.shared.url"
                         << "unix:/run/redis/redis-server.sock"
                         << QByteArray(R"({"url": "unix:/run/redis/redis-server.sock"})");
    QTest::newRow("url emptied") << url << "cache.shared.url" << QString() << QByteArray("{}");
    QTest::newRow("prefix") << url << "cache.shared.prefix"
                            << "mx1:" << QByteArray(R"({"url": "redis://a", "prefix": "mx1:"})");
    QTest::newRow("prefix emptied: the default")
        << QByteArray(R"({"url": "redis://a", "prefix": "x:"})") << "cache.shared.prefix" << QString() << url;
    QTest::newRow("timeout") << url << "cache.shared.timeout"
                             << "250" << QByteArray(R"({"url": "redis://a", "timeout": 250})");
    QTest::newRow("timeout largest") << url << "cache.shared.timeout"
                                     << "10000" << QByteArray(R"({"url": "redis://a", "timeout": 10000})");
    QTest::newRow("lock wait") << url << "cache.shared.lock-wait"
                               << "400" << QByteArray(R"({"url": "redis://a", "lock-wait": 400})");
    QTest::newRow("lock wait off") << url << "cache.shared.lock-wait"
                                   << "0" << QByteArray(R"({"url": "redis://a", "lock-wait": 0})");
    QTest::newRow("password file") << url << "cache.shared.password-source"
                                   << "down" << QByteArray(R"({"url": "redis://a", "password-file": ""})");
    QTest::newRow("password env") << url << "cache.shared.password-source"
                                  << "down down" << QByteArray(R"({"url": "redis://a", "password-env": ""})");
    QTest::newRow("password file name")
        << QByteArray(R"({"url": "redis://a", "password-file": ""})") << "cache.shared.password"
        << "redis.pass" << QByteArray(R"({"url": "redis://a", "password-file": "redis.pass"})");
    QTest::newRow("password variable")
        << QByteArray(R"({"url": "redis://a", "password-env": "X"})") << "cache.shared.password"
        << "PRC_REDIS" << QByteArray(R"({"url": "redis://a", "password-env": "PRC_REDIS"})");
    QTest::newRow("password file to variable starts empty")
        << QByteArray(R"({"url": "redis://a", "password-file": "redis.pass"})")
        << "cache.shared.password-source"
        << "down" << QByteArray(R"({"url": "redis://a", "password-env": ""})");
    QTest::newRow("no password") << QByteArray(R"({"url": "redis://a", "password-env": "X"})")
                                 << "cache.shared.password-source"
                                 << "home" << url;
    QTest::newRow("one of two sources")
        << QByteArray(R"({"url": "redis://a", "password-file": "f", "password-env": "E"})")
        << "cache.shared.password-source"
        << "down" << QByteArray(R"({"url": "redis://a", "password-env": "E"})");
}

void tst_SharedCacheEditor::fieldsWriteTheirKeys()
{
    QFETCH(QByteArray, before);
    QFETCH(QString, key);
    QFETCH(QString, action);
    QFETCH(QByteArray, after);
    open(configText("{\"enabled\": true, \"shared\": " + before + "}"));
    int steps = 1; // typing into one field
    if (key.endsWith(QLatin1String("-source"))) {
        auto *source = field<QComboBox>(key);
        QVERIFY(source && source->isEnabled());
        source->setFocus();
        const QStringList presses = action.split(QLatin1Char(' '));
        for (const QString &press : presses)
            QTest::keyClick(source, press == QLatin1String("home") ? Qt::Key_Home : Qt::Key_Down);
        steps = int(presses.size()); // every choice
    } else {
        type(key, action);
    }
    QCOMPARE(m_window->document()->undoStack()->count(), steps);
    save();
    QCOMPARE(sharedIn(readFile(m_path)), QJsonDocument::fromJson(after).object());
}

void tst_SharedCacheEditor::errorsAtTheFieldAsTheServiceSaysThem_data()
{
    QTest::addColumn<QByteArray>("before"); // cache.shared in the file
    QTest::addColumn<QString>("key");       // the field typed into; empty: none
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("field"); // where the error is shown
    QTest::addColumn<QString>("path");  // where --check-config reports it

    const QByteArray url = R"({"url": "redis://a"})";
    const QString urlKey = QStringLiteral("cache.shared.url");
    const QString urlPath = QStringLiteral("endpoints[0].cache.shared.url");
    QTest::newRow("url of another scheme")
        << url << urlKey << "http://cache.example:6379" << urlKey << urlPath;
    QTest::newRow("url unix relative") << url << urlKey << "unix:redis.sock" << urlKey << urlPath;
    QTest::newRow("url with a password") << url << urlKey << "redis://:pass@10.0.0.7/0" << urlKey << urlPath;
    QTest::newRow("url database not a number") << url << urlKey << "redis://10.0.0.7/x" << urlKey << urlPath;
    QTest::newRow("url missing") << QByteArray("{}") << QString() << QString() << urlKey << urlPath;
    QTest::newRow("url emptied") << url << urlKey << QString() << urlKey << urlPath;
    QTest::newRow("url not a string")
        << QByteArray(R"({"url": 6379})") << QString() << QString() << urlKey << urlPath;
    const QString prefixKey = QStringLiteral("cache.shared.prefix");
    const QString prefixPath = QStringLiteral("endpoints[0].cache.shared.prefix");
    QTest::newRow("prefix with a space") << url << prefixKey << "mx 1:" << prefixKey << prefixPath;
    QTest::newRow("prefix too long") << url << prefixKey << QString(65, QLatin1Char('p')) << prefixKey
                                     << prefixPath;
    const QString timeoutKey = QStringLiteral("cache.shared.timeout");
    const QString timeoutPath = QStringLiteral("endpoints[0].cache.shared.timeout");
    QTest::newRow("timeout above range") << QByteArray(R"({"url": "redis://a", "timeout": 20000})")
                                         << QString() << QString() << timeoutKey << timeoutPath;
    QTest::newRow("timeout zero") << QByteArray(R"({"url": "redis://a", "timeout": 0})") << QString()
                                  << QString() << timeoutKey << timeoutPath;
    QTest::newRow("timeout fraction") << QByteArray(R"({"url": "redis://a", "timeout": 2.5})") << QString()
                                      << QString() << timeoutKey << timeoutPath;
    const QString lockWaitKey = QStringLiteral("cache.shared.lock-wait");
    const QString lockWaitPath = QStringLiteral("endpoints[0].cache.shared.lock-wait");
    QTest::newRow("lock wait above range") << QByteArray(R"({"url": "redis://a", "lock-wait": 10001})")
                                           << QString() << QString() << lockWaitKey << lockWaitPath;
    QTest::newRow("lock wait negative") << QByteArray(R"({"url": "redis://a", "lock-wait": -1})") << QString()
                                        << QString() << lockWaitKey << lockWaitPath;
    const QString passwordKey = QStringLiteral("cache.shared.password");
    QTest::newRow("both password sources")
        << QByteArray(R"({"url": "redis://a", "password-file": "f", "password-env": "E"})") << QString()
        << QString() << passwordKey << "endpoints[0].cache.shared.password-file";
    QTest::newRow("password file emptied")
        << QByteArray(R"({"url": "redis://a", "password-file": "f"})") << passwordKey << QString()
        << passwordKey << "endpoints[0].cache.shared.password-file";
    QTest::newRow("password variable not a string")
        << QByteArray(R"({"url": "redis://a", "password-env": 1})") << QString() << QString() << passwordKey
        << "endpoints[0].cache.shared.password-env";
    QTest::newRow("shared not an object") << QByteArray("true") << QString() << QString() << "cache.shared"
                                          << "endpoints[0].cache.shared";
}

void tst_SharedCacheEditor::errorsAtTheFieldAsTheServiceSaysThem()
{
    QFETCH(QByteArray, before);
    QFETCH(QString, key);
    QFETCH(QString, typed);
    QFETCH(QString, field);
    QFETCH(QString, path);
    open(configText("{\"enabled\": true, \"shared\": " + before + "}"));
    if (!key.isEmpty())
        type(key, typed);
    save();

    QString output;
    const QStringList expected = serviceErrors(m_path, path, &output);
    QVERIFY2(!expected.isEmpty(), qPrintable(output));
    QCOMPARE(form()->errorText(field), expected.join(QLatin1Char('\n')));
    auto *label = form()->findChild<QLabel *>(field + QStringLiteral("-error"));
    QVERIFY(label);
    QVERIFY(label->isVisible());
    // Next to its field only, not again in the box for the endpoint as a whole.
    auto *general = form()->findChild<QLabel *>(QStringLiteral("endpoint-error"));
    QVERIFY2(!general->isVisible(), qPrintable(general->text()));
}

void tst_SharedCacheEditor::newObjectFollowsTheKeyOrder()
{
    // A file written by this tool from the template: four spaces, the documented key order.
    m_window->document()->newFromTemplate();
    QVERIFY(m_window->saveFile(m_path));
    open(readFile(m_path));
    click(field<QCheckBox>(QStringLiteral("cache.enabled")));
    click(field<QCheckBox>(QStringLiteral("cache.shared")));
    // Typed in another order than the documented one.
    type(QStringLiteral("cache.shared.timeout"), QStringLiteral("80"));
    type(QStringLiteral("cache.shared.prefix"), QStringLiteral("mx:"));
    auto *source = field<QComboBox>(QStringLiteral("cache.shared.password-source"));
    source->setFocus();
    QTest::keyClick(source, Qt::Key_Down);
    type(QStringLiteral("cache.shared.password"), QStringLiteral("redis.pass"));
    type(QStringLiteral("cache.shared.url"), QStringLiteral("redis://10.0.0.7"));
    save();
    const QByteArray text = readFile(m_path);
    const QByteArray expected = "            \"cache\": {\n"
                                "                \"enabled\": true,\n"
                                "                \"shared\": {\n"
                                "                    \"url\": \"redis://10.0.0.7\",\n"
                                "                    \"prefix\": \"mx:\",\n"
                                "                    \"timeout\": 80,\n"
                                "                    \"password-file\": \"redis.pass\"\n"
                                "                }\n"
                                "            }\n";
    QVERIFY2(text.contains(expected), text.constData());
}

void tst_SharedCacheEditor::fileValuesShownAndUnknownKeysKept()
{
    const QByteArray original = configText(R"({
        "enabled": true,
        "shared": {"timeout": 120, "x-note": "rack 4", "url": "redis://10.0.0.7/2", "password-env": "REDIS_PW"}
      })");
    open(original);
    QCOMPARE(field<QCheckBox>(QStringLiteral("cache.shared"))->isChecked(), true);
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.url"))->text(),
             QStringLiteral("redis://10.0.0.7/2"));
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.prefix"))->text(), QString());
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.prefix"))->placeholderText(),
             QStringLiteral("prc: (default)"));
    QCOMPARE(field<QSpinBox>(QStringLiteral("cache.shared.timeout"))->value(), 120);
    QCOMPARE(field<QComboBox>(QStringLiteral("cache.shared.password-source"))->currentIndex(), 2);
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.password"))->text(), QStringLiteral("REDIS_PW"));
    // The key this version does not know: named by the service's warning, kept in the file.
    auto *warnings = form()->findChild<QLabel *>(QStringLiteral("cache-warning"));
    QVERIFY2(warnings->text().contains(QStringLiteral("shared.x-note: unknown key")),
             qPrintable(warnings->text()));

    type(QStringLiteral("cache.shared.prefix"), QStringLiteral("mx:"));
    save();
    // One key added after the ones the line had; everything else as it was.
    QByteArray expected = original;
    expected.replace("\"password-env\": \"REDIS_PW\"}",
                     "\"password-env\": \"REDIS_PW\", \"prefix\": \"mx:\"}");
    QCOMPARE(readFile(m_path), expected);

    // Opened again, the form shows what was saved.
    QVERIFY(m_window->openFile(m_path));
    m_window->editor()->selectEndpoint(0);
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.prefix"))->text(), QStringLiteral("mx:"));

    // An empty prefix is a prefix of its own, and says so.
    open(configText(R"({"enabled": true, "shared": {"url": "redis://a", "prefix": ""}})"));
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.prefix"))->placeholderText(),
             QStringLiteral("empty (no prefix)"));
    QVERIFY(m_window->document()->config().has_value());
}

void tst_SharedCacheEditor::passwordIsNeverShown()
{
    // Real sources with real passwords: the editor names them and never reads them.
    const QByteArray secret = "hunter2-redis";
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("redis.pass")), secret + "\n"));
    qputenv("PRC_TEST_REDIS_PASSWORD", secret);
    const auto shown = [this] {
        QStringList texts;
        for (QLabel *label : m_window->findChildren<QLabel *>())
            texts << label->text() << label->toolTip();
        for (QLineEdit *edit : m_window->findChildren<QLineEdit *>())
            texts << edit->text() << edit->placeholderText();
        for (QAbstractButton *button : m_window->findChildren<QAbstractButton *>())
            texts << button->text();
        for (QComboBox *combo : m_window->findChildren<QComboBox *>()) {
            for (int i = 0; i < combo->count(); ++i)
                texts << combo->itemText(i);
        }
        for (QListWidget *list : m_window->findChildren<QListWidget *>()) {
            for (int i = 0; i < list->count(); ++i)
                texts << list->item(i)->text() << list->item(i)->toolTip();
        }
        return texts.join(QLatin1Char('\n'));
    };
    open(configText(R"({"enabled": true, "shared": {"url": "redis://a", "password-file": "redis.pass"}})"));
    QVERIFY(shown().contains(QStringLiteral("redis.pass")));
    QVERIFY(!shown().contains(QString::fromUtf8(secret)));
    auto *source = field<QComboBox>(QStringLiteral("cache.shared.password-source"));
    source->setFocus();
    QTest::keyClick(source, Qt::Key_Down);
    type(QStringLiteral("cache.shared.password"), QStringLiteral("PRC_TEST_REDIS_PASSWORD"));
    QCOMPARE(shared().value(QStringLiteral("password-env")),
             QJsonValue(QStringLiteral("PRC_TEST_REDIS_PASSWORD")));
    QVERIFY(!shown().contains(QString::fromUtf8(secret)));
    QVERIFY(!m_window->document()->toText().contains(secret));
    // The field holds a name, not a secret: nothing to mask.
    QCOMPARE(field<QLineEdit>(QStringLiteral("cache.shared.password"))->echoMode(), QLineEdit::Normal);
    qunsetenv("PRC_TEST_REDIS_PASSWORD");
}

QTEST_MAIN(tst_SharedCacheEditor)
#include "tst_sharedcacheeditor.moc"
