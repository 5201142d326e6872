// SPDX-License-Identifier: GPL-3.0-or-later
// End to end with Postfix's own client: postmap -q KEY tcp:... / socketmap:inet:... → the built service →
// HTTP.
#include "fakebackend.h"
#include "postmap.h"
#include "serviceprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace prc::test;

class TestPostmap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void tcpLookup_data();
    void tcpLookup();
    void socketmapLookup_data();
    void socketmapLookup();
    void oversizedTcpReplyCostsOneBackendCall();

private:
    Postmap::Result postmap(const QByteArray &key, const QString &table) const
    {
        return m_postmap.query(key, table);
    }
    void answer(int status, const QByteArray &body);

    Postmap m_postmap;
    FakeBackend *m_backend = nullptr;
    ServiceProcess *m_service = nullptr;
    quint16 m_tcpPort = 0;
    quint16 m_socketmapPort = 0;
};

void TestPostmap::initTestCase()
{
    if (!m_postmap.init())
        QSKIP(Postmap::skipReason());

    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
    m_tcpPort = reservedPort();
    m_socketmapPort = reservedPort();
    const auto endpoint = [this](const QString &name, const QString &mode, quint16 port) {
        return endpointObject(name, mode, port, m_backend->url(QLatin1Char('/') + name),
                              {{QStringLiteral("auth-token"), QStringLiteral("e2e-token")},
                               {QStringLiteral("request-timeout"), 1000}});
    };
    m_service = new ServiceProcess(this);
    m_service->start({m_service->writeConfig(configObject(
        {endpoint(QStringLiteral("tcp"), QStringLiteral("tcp-lookup"), m_tcpPort),
         endpoint(QStringLiteral("socketmap"), QStringLiteral("socketmap-lookup"), m_socketmapPort)}))});
    QTRY_VERIFY_WITH_TIMEOUT(m_service->isStarted(), 10000);
}

void TestPostmap::cleanupTestCase()
{
    delete m_service;
    m_service = nullptr;
}

void TestPostmap::init()
{
    answer(200, R"(["default"])");
}

void TestPostmap::answer(int status, const QByteArray &body)
{
    m_backend->respond(FakeBackend::Response::withBody(body, status));
}

void TestPostmap::tcpLookup_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("expectedOut");
    QTest::addColumn<QByteArray>("expectedErrPart");

    QTest::newRow("found") << QByteArray("example.com") << 200 << QByteArray(R"(["OK"])") << 0
                           << QByteArray("OK\n") << QByteArray();
    QTest::newRow("list joined") << QByteArray("postmaster@example.com") << 200
                                 << QByteArray(R"(["a@example.com","b@example.com"])") << 0
                                 << QByteArray("a@example.com,b@example.com\n") << QByteArray();
    QTest::newRow("key with space") << QByteArray("John Doe") << 200 << QByteArray(R"(["x"])") << 0
                                    << QByteArray("x\n") << QByteArray();
    QTest::newRow("utf-8 key and value")
        << QByteArray("m\xc3\xbcller@example.com") << 200 << QByteArray("[\"M\xc3\xbcller\"]") << 0
        << QByteArray("M\xc3\xbcller\n") << QByteArray();
    QTest::newRow("value with space and percent")
        << QByteArray("k") << 200 << QByteArray(R"(["smtp:[mx 1]:25 100%"])") << 0
        << QByteArray("smtp:[mx 1]:25 100%\n") << QByteArray();
    QTest::newRow("not found 404") << QByteArray("nobody@example.com") << 404 << QByteArray() << 1
                                   << QByteArray() << QByteArray();
    QTest::newRow("not found []") << QByteArray("nobody@example.com") << 200 << QByteArray("[]") << 1
                                  << QByteArray() << QByteArray();
    QTest::newRow("backend error") << QByteArray("k") << 500 << QByteArray() << 1 << QByteArray()
                                   << QByteArray("query error");
    QTest::newRow("backend bad json")
        << QByteArray("k") << 200 << QByteArray("<html>") << 1 << QByteArray() << QByteArray("query error");
}

void TestPostmap::tcpLookup()
{
    QFETCH(QByteArray, key);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, expectedOut);
    QFETCH(QByteArray, expectedErrPart);

    answer(status, body);
    const int before = m_backend->requests().size();
    const Postmap::Result result = postmap(key, QStringLiteral("tcp:127.0.0.1:%1").arg(m_tcpPort));
    QCOMPARE(result.exitCode, exitCode);
    QCOMPARE(result.out, expectedOut);
    if (expectedErrPart.isEmpty())
        QVERIFY2(result.err.isEmpty(), result.err.constData());
    else
        QVERIFY2(result.err.contains(expectedErrPart), result.err.constData());
    QCOMPARE(m_backend->requests().size(), before + 1);
    const auto &request = m_backend->requests().constLast();
    QCOMPARE(request.path, QByteArray("/tcp"));
    QCOMPARE(request.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded).toUtf8(), key);
    QCOMPARE(request.header("x-auth-token"), QByteArray("e2e-token"));
}

void TestPostmap::socketmapLookup_data()
{
    QTest::addColumn<QByteArray>("map");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("expectedOut");
    QTest::addColumn<QByteArray>("expectedErrPart");

    QTest::newRow("found") << QByteArray("domains") << QByteArray("example.com") << 200
                           << QByteArray(R"(["OK"])") << 0 << QByteArray("OK\n") << QByteArray();
    QTest::newRow("other map, list") << QByteArray("aliases") << QByteArray("postmaster@example.com") << 200
                                     << QByteArray(R"(["a@example.com","b@example.com"])") << 0
                                     << QByteArray("a@example.com,b@example.com\n") << QByteArray();
    QTest::newRow("key with space") << QByteArray("m") << QByteArray("John Doe") << 200
                                    << QByteArray(R"(["y"])") << 0 << QByteArray("y\n") << QByteArray();
    QTest::newRow("large value") << QByteArray("m") << QByteArray("big") << 200
                                 << QByteArray("[\"" + QByteArray(50000, 'v') + "\"]") << 0
                                 << QByteArray(50000, 'v') + '\n'
                                 << QByteArray();
    QTest::newRow("not found") << QByteArray("m") << QByteArray("nobody") << 404 << QByteArray() << 1
                               << QByteArray() << QByteArray();
    QTest::newRow("temporary error") << QByteArray("m") << QByteArray("k") << 503 << QByteArray() << 1
                                     << QByteArray() << QByteArray("temporary error");
    QTest::newRow("permanent error") << QByteArray("m") << QByteArray("k") << 401 << QByteArray() << 1
                                     << QByteArray() << QByteArray("permanent error");
}

void TestPostmap::socketmapLookup()
{
    QFETCH(QByteArray, map);
    QFETCH(QByteArray, key);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, expectedOut);
    QFETCH(QByteArray, expectedErrPart);

    answer(status, body);
    const Postmap::Result result = postmap(
        key,
        QStringLiteral("socketmap:inet:127.0.0.1:%1:%2").arg(m_socketmapPort).arg(QString::fromUtf8(map)));
    QCOMPARE(result.exitCode, exitCode);
    QCOMPARE(result.out, expectedOut);
    if (expectedErrPart.isEmpty())
        QVERIFY2(result.err.isEmpty(), result.err.constData());
    else
        QVERIFY2(result.err.contains(expectedErrPart), result.err.constData());
    const auto &request = m_backend->requests().constLast();
    QCOMPARE(request.path, QByteArray("/socketmap"));
    QCOMPARE(request.query.queryItemValue(QStringLiteral("name")).toUtf8(), map);
    QCOMPARE(request.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded).toUtf8(), key);
}

void TestPostmap::oversizedTcpReplyCostsOneBackendCall()
{
    // Over 4096 bytes Postfix would drop the line and retry ten times; the connector answers 400 instead.
    answer(200, "[\"" + QByteArray(5000, 'v') + "\"]");
    const int before = m_backend->requests().size();
    const Postmap::Result result = postmap("big", QStringLiteral("tcp:127.0.0.1:%1").arg(m_tcpPort));
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains("query error"), result.err.constData());
    QCOMPARE(m_backend->requests().size(), before + 1);
}

QTEST_GUILESS_MAIN(TestPostmap)
#include "tst_postmap.moc"
