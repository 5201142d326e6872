// SPDX-License-Identifier: GPL-3.0-or-later
// End to end over a Unix socket with Postfix's own client: postmap -q KEY socketmap:unix:PATH:NAME → the
// built service → HTTP.
#include "fakebackend.h"
#include "postmap.h"
#include "serviceprocess.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace prc::test;

class TestPostmapUnix : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void socketmapLookup_data();
    void socketmapLookup();

private:
    Postmap m_postmap;
    QTemporaryDir *m_socketDir = nullptr;
    QString m_socket;
    FakeBackend *m_backend = nullptr;
    ServiceProcess *m_service = nullptr;
};

void TestPostmapUnix::initTestCase()
{
    if (!m_postmap.init())
        QSKIP(Postmap::skipReason());

    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
    // A short path: a Unix socket path has at most 107 bytes.
    m_socketDir = new QTemporaryDir(QStringLiteral("/tmp/prc-e2e-XXXXXX"));
    QVERIFY(m_socketDir->isValid());
    m_socket = m_socketDir->filePath(QStringLiteral("maps"));
    QJsonObject endpoint =
        endpointObject(QStringLiteral("maps"), QStringLiteral("socketmap-lookup"), 0,
                       m_backend->url(QStringLiteral("/maps")), {{QStringLiteral("request-timeout"), 1000}});
    endpoint.remove(QStringLiteral("bind-address"));
    endpoint.remove(QStringLiteral("bind-port"));
    endpoint.insert(QStringLiteral("bind-path"), m_socket);
    m_service = new ServiceProcess(this);
    m_service->start({m_service->writeConfig(configObject({endpoint}))});
    QTRY_VERIFY_WITH_TIMEOUT(m_service->isStarted() || m_service->hasExited(), 10000);
    QVERIFY2(m_service->isStarted(), m_service->output().constData());
}

void TestPostmapUnix::cleanupTestCase()
{
    if (m_service) {
        m_service->sendSignal(SIGTERM);
        QTRY_VERIFY_WITH_TIMEOUT(m_service->hasExited(), 15000);
        QVERIFY(!QFile::exists(m_socket));
    }
    delete m_service;
    delete m_socketDir;
}

void TestPostmapUnix::socketmapLookup_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("map");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("expectedOut");
    QTest::addColumn<QByteArray>("expectedErrPart");

    QTest::newRow("found") << QByteArray("postmaster@example.com") << QByteArray("aliases") << 200
                           << QByteArray(R"(["a@example.com","b@example.com"])") << 0
                           << QByteArray("a@example.com,b@example.com\n") << QByteArray();
    QTest::newRow("other map name") << QByteArray("example.com") << QByteArray("domains") << 200
                                    << QByteArray(R"(["OK"])") << 0 << QByteArray("OK\n") << QByteArray();
    QTest::newRow("not found") << QByteArray("nobody@example.com") << QByteArray("aliases") << 404
                               << QByteArray() << 1 << QByteArray() << QByteArray();
    QTest::newRow("backend error") << QByteArray("k") << QByteArray("aliases") << 500 << QByteArray() << 1
                                   << QByteArray() << QByteArray("temporary error");
}

void TestPostmapUnix::socketmapLookup()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, map);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, expectedOut);
    QFETCH(QByteArray, expectedErrPart);
    m_backend->respond(FakeBackend::Response::withBody(body, status));
    const int before = int(m_backend->requests().size());

    const QString table = QStringLiteral("socketmap:unix:%1:%2").arg(m_socket, QString::fromUtf8(map));
    const Postmap::Result result = m_postmap.query(key, table);
    QCOMPARE(result.out, expectedOut);
    QVERIFY2(result.exitCode == exitCode, result.err.constData());
    if (!expectedErrPart.isEmpty())
        QVERIFY2(result.err.contains(expectedErrPart), result.err.constData());

    QCOMPARE(int(m_backend->requests().size()), before + 1);
    const FakeBackend::Request &request = m_backend->requests().constLast();
    QCOMPARE(request.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded).toUtf8(), key);
    QCOMPARE(request.query.queryItemValue(QStringLiteral("name")).toUtf8(), map);
}

QTEST_GUILESS_MAIN(TestPostmapUnix)
#include "tst_postmapunix.moc"
