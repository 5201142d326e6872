// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/requestdeadlines.h"

#include <QElapsedTimer>
#include <QTest>

#include <array>
#include <memory>

using namespace prc;

class tst_RequestDeadlines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expireInDeadlineOrder_data();
    void expireInDeadlineOrder();
    void neverBeforeTheDeadline();
    void earlierDeadlineArmsTheTimer();
    void callbackRemovesAnotherDueDeadline();
    void callbackAddsADeadline();
    void handleClearedBeforeCallback();
};

void tst_RequestDeadlines::expireInDeadlineOrder_data()
{
    QTest::addColumn<QList<int>>("timeouts");
    QTest::addColumn<QList<int>>("removed");
    QTest::addColumn<QList<int>>("expected"); // indices, in the order they expire

    QTest::newRow("in order") << QList<int>{10, 20, 30} << QList<int>{} << QList<int>{0, 1, 2};
    QTest::newRow("reverse") << QList<int>{60, 40, 20} << QList<int>{} << QList<int>{2, 1, 0};
    QTest::newRow("equal keep their order") << QList<int>{20, 20, 20} << QList<int>{} << QList<int>{0, 1, 2};
    QTest::newRow("first removed") << QList<int>{10, 20, 30} << QList<int>{0} << QList<int>{1, 2};
    QTest::newRow("middle removed") << QList<int>{30, 10, 20} << QList<int>{2} << QList<int>{1, 0};
    QTest::newRow("all removed") << QList<int>{10, 20} << QList<int>{0, 1} << QList<int>{};
    QTest::newRow("zero timeout") << QList<int>{0, 15} << QList<int>{} << QList<int>{0, 1};
}

void tst_RequestDeadlines::expireInDeadlineOrder()
{
    QFETCH(QList<int>, timeouts);
    QFETCH(QList<int>, removed);
    QFETCH(QList<int>, expected);

    RequestDeadlines deadlines;
    std::vector<std::unique_ptr<RequestDeadlines::Handle>> handles;
    QList<int> fired;
    for (int i = 0; i < timeouts.size(); ++i) {
        handles.push_back(std::make_unique<RequestDeadlines::Handle>());
        deadlines.add(*handles.back(), timeouts.at(i), [&fired, i] { fired.append(i); });
    }
    for (int index : removed) {
        deadlines.remove(*handles.at(index));
        QVERIFY(!handles.at(index)->isSet());
    }
    QCOMPARE(deadlines.size(), timeouts.size() - removed.size());

    QTRY_COMPARE_WITH_TIMEOUT(deadlines.size(), 0, 5000);
    QTest::qWait(100); // nothing removed may fire late either
    QCOMPARE(fired, expected);
}

void tst_RequestDeadlines::neverBeforeTheDeadline()
{
    RequestDeadlines deadlines;
    RequestDeadlines::Handle handle;
    QElapsedTimer clock;
    qint64 firedAfter = -1;
    clock.start();
    deadlines.add(handle, 150, [&] { firedAfter = clock.elapsed(); });
    QTRY_VERIFY_WITH_TIMEOUT(firedAfter >= 0, 5000);
    QVERIFY2(firedAfter >= 150, qPrintable(QString::number(firedAfter)));
}

void tst_RequestDeadlines::earlierDeadlineArmsTheTimer()
{
    // The timer waits for the first deadline; a later, earlier one must not wait behind it.
    RequestDeadlines deadlines;
    RequestDeadlines::Handle late;
    RequestDeadlines::Handle early;
    bool lateFired = false;
    bool earlyFired = false;
    deadlines.add(late, 60000, [&] { lateFired = true; });
    deadlines.add(early, 20, [&] { earlyFired = true; });
    QTRY_VERIFY_WITH_TIMEOUT(earlyFired, 5000);
    QVERIFY(!lateFired);
    QVERIFY(late.isSet());
    deadlines.remove(late);
    QCOMPARE(deadlines.size(), 0);
}

void tst_RequestDeadlines::callbackRemovesAnotherDueDeadline()
{
    RequestDeadlines deadlines;
    RequestDeadlines::Handle first;
    RequestDeadlines::Handle second;
    int secondFired = 0;
    deadlines.add(first, 10, [&] { deadlines.remove(second); });
    deadlines.add(second, 10, [&] { ++secondFired; });
    QTRY_COMPARE_WITH_TIMEOUT(deadlines.size(), 0, 5000);
    QTest::qWait(50);
    QCOMPARE(secondFired, 0);
    QVERIFY(!first.isSet());
    QVERIFY(!second.isSet());
}

void tst_RequestDeadlines::callbackAddsADeadline()
{
    RequestDeadlines deadlines;
    RequestDeadlines::Handle first;
    RequestDeadlines::Handle added;
    int addedFired = 0;
    deadlines.add(first, 10, [&] { deadlines.add(added, 0, [&] { ++addedFired; }); });
    QTRY_COMPARE_WITH_TIMEOUT(addedFired, 1, 5000);
    QTest::qWait(50);
    QCOMPARE(addedFired, 1);
    QCOMPARE(deadlines.size(), 0);
}

void tst_RequestDeadlines::handleClearedBeforeCallback()
{
    // A callback may remove its own deadline again (a request that fails and cleans up): harmless.
    RequestDeadlines deadlines;
    RequestDeadlines::Handle handle;
    bool wasSet = true;
    deadlines.add(handle, 5, [&] {
        wasSet = handle.isSet();
        deadlines.remove(handle);
    });
    QTRY_COMPARE_WITH_TIMEOUT(deadlines.size(), 0, 5000);
    QVERIFY(!wasSet);
}

QTEST_GUILESS_MAIN(tst_RequestDeadlines)
#include "tst_requestdeadlines.moc"
