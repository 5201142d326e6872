// SPDX-License-Identifier: GPL-3.0-or-later
// Failover end to end with Postfix's own client: postmap -q KEY tcp:... → the built service → two HTTP
// backends, the first of them killed and restarted between lookups.
#include "fakebackend.h"
#include "postmap.h"
#include "serviceprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace prc::test;

namespace {

constexpr int OpenForMs = 500;

} // namespace

class TestPostmapFailover : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void failoverAcrossKillAndRestart();
    void valuePathAndNotFoundStatuses_data();
    void valuePathAndNotFoundStatuses();

private:
    Postmap::Result postmap(const QByteArray &key, const QString &table) const
    {
        return m_postmap.query(key, table);
    }

    Postmap m_postmap;
    FakeBackend *m_a = nullptr;
    FakeBackend *m_b = nullptr;
    ServiceProcess *m_service = nullptr;
    quint16 m_tcpPort = 0;
    quint16 m_socketmapPort = 0;
};

void TestPostmapFailover::initTestCase()
{
    if (!m_postmap.init())
        QSKIP(Postmap::skipReason());

    m_a = new FakeBackend(this);
    m_b = new FakeBackend(this);
    QVERIFY(m_a->listen());
    QVERIFY(m_b->listen());
    m_a->respond(FakeBackend::Response::withBody(R"(["from-a"])"));
    m_b->respond(FakeBackend::Response::withBody(R"(["from-b"])"));
    m_tcpPort = reservedPort();
    m_socketmapPort = reservedPort();
    const QJsonObject tcp = endpointObject(
        QStringLiteral("tcp"), QStringLiteral("tcp-lookup"), m_tcpPort, m_a->url(QStringLiteral("/tcp")),
        {{QStringLiteral("target"), QJsonArray{m_a->url(QStringLiteral("/tcp")).toString(),
                                               m_b->url(QStringLiteral("/tcp")).toString()}},
         {QStringLiteral("auth-token"), QStringLiteral("e2e-token")},
         {QStringLiteral("request-timeout"), 2000},
         {QStringLiteral("circuit-breaker"),
          QJsonObject{{QStringLiteral("failures"), 1}, {QStringLiteral("open-for"), OpenForMs}}}});
    const QJsonObject socketmap =
        endpointObject(QStringLiteral("socketmap"), QStringLiteral("socketmap-lookup"), m_socketmapPort,
                       m_b->url(QStringLiteral("/shaped")),
                       {{QStringLiteral("auth-token"), QStringLiteral("e2e-token")},
                        {QStringLiteral("value-path"), QStringLiteral("/data/aliases")},
                        {QStringLiteral("not-found-statuses"), QJsonArray{404, 410}}});
    m_service = new ServiceProcess(this);
    m_service->start({m_service->writeConfig(configObject({tcp, socketmap}))});
    QTRY_VERIFY_WITH_TIMEOUT(m_service->isStarted(), 10000);
}

void TestPostmapFailover::cleanupTestCase()
{
    delete m_service;
    m_service = nullptr;
}

void TestPostmapFailover::failoverAcrossKillAndRestart()
{
    const QString table = QStringLiteral("tcp:127.0.0.1:%1").arg(m_tcpPort);
    Postmap::Result result = postmap("user@example.com", table);
    QCOMPARE(result.out, QByteArray("from-a\n"));
    QCOMPARE(m_b->requests().size(), 0);

    // The first backend dies: Postfix still gets its answer, from the second.
    const quint16 portA = m_a->port();
    m_a->close();
    result = postmap("user@example.com", table);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, QByteArray("from-b\n"));
    QCOMPARE(m_b->requests().size(), 1);
    QCOMPARE(m_b->requests().constLast().query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded),
             QStringLiteral("user@example.com"));
    QCOMPARE(m_b->requests().constLast().header("x-auth-token"), QByteArray("e2e-token"));

    // It comes back; after open-for a trial call finds it, and lookups return to it.
    QVERIFY(m_a->listen(portA));
    m_a->respond(FakeBackend::Response::withBody(R"(["from-a"])"));
    QTRY_COMPARE_WITH_TIMEOUT(postmap("user@example.com", table).out, QByteArray("from-a\n"), 10000);
    QCOMPARE(postmap("other@example.com", table).out, QByteArray("from-a\n"));
}

void TestPostmapFailover::valuePathAndNotFoundStatuses_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("expectedOut");
    QTest::newRow("wrapped list") << 200
                                  << QByteArray(R"({"data":{"aliases":["x@example.com","y@example.com"]}})")
                                  << 0 << QByteArray("x@example.com,y@example.com\n");
    QTest::newRow("single string") << 200 << QByteArray(R"({"data":{"aliases":"z@example.com"}})") << 0
                                   << QByteArray("z@example.com\n");
    QTest::newRow("missing path") << 200 << QByteArray(R"({"data":{}})") << 1 << QByteArray();
    QTest::newRow("410 listed") << 410 << QByteArray() << 1 << QByteArray();
}

void TestPostmapFailover::valuePathAndNotFoundStatuses()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, expectedOut);
    m_b->setHandler([status, body](const FakeBackend::Request &request) {
        if (request.path != "/shaped")
            return FakeBackend::Response::withBody(R"(["from-b"])");
        return FakeBackend::Response::withBody(body, status);
    });
    const Postmap::Result result = postmap(
        "postmaster@example.com", QStringLiteral("socketmap:inet:127.0.0.1:%1:aliases").arg(m_socketmapPort));
    QCOMPARE(result.exitCode, exitCode);
    QCOMPARE(result.out, expectedOut);
    // Not found is an answer, not an error: postmap says nothing on stderr.
    QVERIFY2(result.err.isEmpty(), result.err.constData());
}

QTEST_GUILESS_MAIN(TestPostmapFailover)
#include "tst_postmapfailover.moc"
