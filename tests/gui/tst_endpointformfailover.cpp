// SPDX-License-Identifier: GPL-3.0-or-later
// The form's failover and answer fields, driven the way a user drives them: typing and clicking. The
// document is then checked with the service's own loader.
#include "configdocument.h"
#include "endpointform.h"

#include <QCheckBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTest>

using namespace prc;

class TestEndpointFormFailover : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void typedValuesReachTheDocument_data();
    void typedValuesReachTheDocument();
    void targetList();
    void circuitBreaker();
    void loaderErrorsShowAtTheField_data();
    void loaderErrorsShowAtTheField();
    void fileValuesAreShown();

private:
    void type(const QString &key, const QString &text);
    QJsonObject endpoint() const { return m_document->endpoint(0); }

    ConfigDocument *m_document = nullptr;
    EndpointForm *m_form = nullptr;
};

void TestEndpointFormFailover::init()
{
    m_document = new ConfigDocument(this);
    m_document->newFromTemplate();
    QVERIFY(m_document->endpointCount() > 0);
    m_form = new EndpointForm(m_document);
    m_form->setEndpointIndex(0);
    m_form->show();
}

void TestEndpointFormFailover::cleanup()
{
    delete m_form;
    delete m_document;
}

void TestEndpointFormFailover::type(const QString &key, const QString &text)
{
    auto *edit = m_form->findChild<QLineEdit *>(key);
    QVERIFY2(edit, qPrintable(key));
    edit->setFocus();
    edit->selectAll();
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Delete);
    else
        QTest::keyClicks(edit, text);
}

void TestEndpointFormFailover::typedValuesReachTheDocument_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QJsonValue>("stored");
    QTest::newRow("value-path") << QStringLiteral("value-path") << QStringLiteral("/data/aliases")
                                << QJsonValue(QStringLiteral("/data/aliases"));
    QTest::newRow("not-found-statuses") << QStringLiteral("not-found-statuses") << QStringLiteral("404, 410")
                                        << QJsonValue(QJsonArray{404, 410});
    QTest::newRow("not-found-statuses empty list")
        << QStringLiteral("not-found-statuses") << QStringLiteral("[]") << QJsonValue(QJsonArray());
    QTest::newRow("failure-action") << QStringLiteral("failure-action") << QStringLiteral("DEFER_IF_PERMIT")
                                    << QJsonValue(QStringLiteral("DEFER_IF_PERMIT"));
    QTest::newRow("cleared value-path")
        << QStringLiteral("value-path") << QStringLiteral("") << QJsonValue(QJsonValue::Undefined);
}

void TestEndpointFormFailover::typedValuesReachTheDocument()
{
    QFETCH(QString, key);
    QFETCH(QString, typed);
    QFETCH(QJsonValue, stored);
    type(key, typed);
    QCOMPARE(endpoint().value(key), stored);
}

void TestEndpointFormFailover::targetList()
{
    type(QStringLiteral("target"), QStringLiteral("http://a.test/x http://b.test/x"));
    QCOMPARE(endpoint().value(QStringLiteral("target")),
             QJsonValue(QJsonArray{QStringLiteral("http://a.test/x"), QStringLiteral("http://b.test/x")}));
    QVERIFY(m_document->config().has_value());
    QCOMPARE(m_document->config()->endpoints.at(0).failoverTargets.size(), 1);
    // One URL is a plain string again.
    type(QStringLiteral("target"), QStringLiteral("http://a.test/x"));
    QCOMPARE(endpoint().value(QStringLiteral("target")), QJsonValue(QStringLiteral("http://a.test/x")));
}

void TestEndpointFormFailover::circuitBreaker()
{
    auto *breaker = m_form->findChild<QCheckBox *>(QStringLiteral("circuit-breaker"));
    QVERIFY(breaker);
    QTest::mouseClick(breaker, Qt::LeftButton, {}, QPoint(4, breaker->height() / 2));
    QCOMPARE(endpoint().value(QStringLiteral("circuit-breaker")), QJsonValue(QJsonObject()));
    QVERIFY(m_document->config()->endpoints.at(0).circuitBreaker.enabled);

    auto *failures = m_form->findChild<QSpinBox *>(QStringLiteral("circuit-breaker.failures"));
    QVERIFY(failures);
    failures->setFocus();
    // The lowest position is "default"; two steps up is 2.
    QTest::keyClick(failures, Qt::Key_Up);
    QTest::keyClick(failures, Qt::Key_Up);
    QCOMPARE(endpoint().value(QStringLiteral("circuit-breaker")).toObject().value(QStringLiteral("failures")),
             QJsonValue(2));
    // Back to the default: the key goes, the breaker stays on.
    QTest::keyClick(failures, Qt::Key_Down);
    QTest::keyClick(failures, Qt::Key_Down);
    QCOMPARE(endpoint().value(QStringLiteral("circuit-breaker")), QJsonValue(QJsonObject()));

    QTest::mouseClick(breaker, Qt::LeftButton, {}, QPoint(4, breaker->height() / 2));
    QVERIFY(!endpoint().contains(QStringLiteral("circuit-breaker")));
}

void TestEndpointFormFailover::loaderErrorsShowAtTheField_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("message");
    QTest::newRow("value-path")
        << QStringLiteral("value-path") << QStringLiteral("data")
        << QStringLiteral("\"data\" is not a JSON pointer: it must be empty or start with \"/\" (RFC 6901)");
    QTest::newRow("failure-action")
        << QStringLiteral("failure-action") << QStringLiteral("ACCEPT")
        << QStringLiteral("\"ACCEPT\" is not a Postfix access(5) action; use e.g. \"451 4.3.0\", "
                          "\"DEFER\", \"DEFER_IF_PERMIT\", \"REJECT\" or \"DUNNO\"");
    // An item of a list is shown at the list's field, as the service names it.
    QTest::newRow("second target") << QStringLiteral("target")
                                   << QStringLiteral("http://a.test/x ftp://b.test/x")
                                   << QStringLiteral(
                                          "[1]: \"ftp://b.test/x\" must be an http:// or https:// URL");
    QTest::newRow("second status") << QStringLiteral("not-found-statuses") << QStringLiteral("404, 99")
                                   << QStringLiteral("[1]: 99 is not an HTTP status (100..599)");
}

void TestEndpointFormFailover::loaderErrorsShowAtTheField()
{
    QFETCH(QString, key);
    QFETCH(QString, typed);
    QFETCH(QString, message);
    type(key, typed);
    QCOMPARE(m_form->errorText(key), message);
    QVERIFY(m_form->findChild<QLabel *>(key + QStringLiteral("-error"))->isVisible());
    // Not repeated among the endpoint's general problems.
    QVERIFY(!m_form->findChild<QLabel *>(QStringLiteral("endpoint-error"))->isVisible());
}

void TestEndpointFormFailover::fileValuesAreShown()
{
    QJsonObject changed = endpoint();
    changed.insert(QStringLiteral("target"),
                   QJsonArray{QStringLiteral("http://a.test/"), QStringLiteral("http://b.test/")});
    changed.insert(QStringLiteral("not-found-statuses"), QJsonArray{404, 410});
    changed.insert(QStringLiteral("max-queued-calls"), 7);
    m_document->replaceEndpoint(0, changed, QStringLiteral("test"));
    QCOMPARE(m_form->findChild<QLineEdit *>(QStringLiteral("target"))->text(),
             QStringLiteral("http://a.test/ http://b.test/"));
    QCOMPARE(m_form->findChild<QLineEdit *>(QStringLiteral("not-found-statuses"))->text(),
             QStringLiteral("404, 410"));
    QCOMPARE(m_form->findChild<QSpinBox *>(QStringLiteral("max-queued-calls"))->value(), 7);
}

QTEST_MAIN(TestEndpointFormFailover)
#include "tst_endpointformfailover.moc"
