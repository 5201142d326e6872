// SPDX-License-Identifier: GPL-3.0-or-later
// Per-endpoint settings pinned where they take effect, over real sockets and a real HTTP backend: the list
// separator in every lookup reply, the idle timer with requests in flight, max-response-size and the
// netstring length limit at their exact boundaries.
#include "fakebackend.h"
#include "listen/endpointserver.h"
#include "modeprotocol.h"
#include "postfixtestclient.h"
#include "protocol/netstring.h"
#include "protocol/tcptablecodec.h"

#include <QElapsedTimer>
#include <QTest>

using namespace prc;
using namespace prc::test;

class TestEndpointSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listSeparator_data();
    void listSeparator();
    void busyConnectionIsNotIdle_data() { addModeRows(); }
    void busyConnectionIsNotIdle();
    void maxResponseSizeBoundary_data();
    void maxResponseSizeBoundary();
    void netstringLengthBoundary_data();
    void netstringLengthBoundary();

private:
    void start(EndpointMode mode, const std::function<void(EndpointConfig &)> &adjust = {});

    FakeBackend *m_backend = nullptr;
    EndpointServer *m_server = nullptr;
};

void TestEndpointSettings::init()
{
    m_backend = new FakeBackend(this);
    QVERIFY(m_backend->listen());
}

void TestEndpointSettings::cleanup()
{
    delete m_server;
    m_server = nullptr;
    delete m_backend;
    m_backend = nullptr;
}

void TestEndpointSettings::start(EndpointMode mode, const std::function<void(EndpointConfig &)> &adjust)
{
    EndpointConfig config = localEndpoint(QStringLiteral("settings-") + modeName(mode), mode,
                                          m_backend->url(QStringLiteral("/lookup")));
    if (adjust)
        adjust(config);
    delete m_server;
    m_server = new EndpointServer(config, QStringLiteral("TestAgent/1.0"));
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
}

void TestEndpointSettings::listSeparator_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<QString>("separator");
    QTest::addColumn<QByteArray>("expected");    // the reply, tcp text %-decoded
    QTest::addColumn<QByteArray>("expectedRaw"); // the bytes on the wire, framing included

    const auto tcp = EndpointMode::TcpLookup;
    const auto sm = EndpointMode::SocketmapLookup;
    QTest::newRow("tcp default") << tcp << QStringLiteral(",")
                                 << QByteArray("200 a@example.com,b@example.com,c")
                                 << QByteArray("200 a@example.com,b@example.com,c\n");
    QTest::newRow("tcp semicolon") << tcp << QStringLiteral(";")
                                   << QByteArray("200 a@example.com;b@example.com;c")
                                   << QByteArray("200 a@example.com;b@example.com;c\n");
    QTest::newRow("tcp multi-character")
        << tcp << QStringLiteral("::") << QByteArray("200 a@example.com::b@example.com::c")
        << QByteArray("200 a@example.com::b@example.com::c\n");
    // Whitespace in a tcp_table reply is %-encoded like everything else Postfix decodes.
    QTest::newRow("tcp with spaces") << tcp << QStringLiteral(" | ")
                                     << QByteArray("200 a@example.com | b@example.com | c")
                                     << QByteArray("200 a@example.com%20|%20b@example.com%20|%20c\n");
    QTest::newRow("tcp empty") << tcp << QString() << QByteArray("200 a@example.comb@example.comc")
                               << QByteArray("200 a@example.comb@example.comc\n");
    QTest::newRow("socketmap default")
        << sm << QStringLiteral(",") << QByteArray("OK a@example.com,b@example.com,c")
        << Netstring::encode("OK a@example.com,b@example.com,c");
    QTest::newRow("socketmap semicolon")
        << sm << QStringLiteral(";") << QByteArray("OK a@example.com;b@example.com;c")
        << Netstring::encode("OK a@example.com;b@example.com;c");
    QTest::newRow("socketmap multi-character")
        << sm << QStringLiteral(" :: ") << QByteArray("OK a@example.com :: b@example.com :: c")
        << Netstring::encode("OK a@example.com :: b@example.com :: c");
    QTest::newRow("socketmap non-ascii") << sm << QStringLiteral("\u00a7")
                                         << QByteArray("OK a@example.com\xc2\xa7"
                                                       "b@example.com\xc2\xa7"
                                                       "c")
                                         << Netstring::encode("OK a@example.com\xc2\xa7"
                                                              "b@example.com\xc2\xa7"
                                                              "c");
}

void TestEndpointSettings::listSeparator()
{
    QFETCH(EndpointMode, mode);
    QFETCH(QString, separator);
    QFETCH(QByteArray, expected);
    QFETCH(QByteArray, expectedRaw);

    m_backend->respond(FakeBackend::Response::withBody(R"(["a@example.com","b@example.com","c"])"));
    start(mode, [separator](EndpointConfig &config) { config.listSeparator = separator; });
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, "k"));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().constFirst(), expected);
    QCOMPARE(client.raw(), expectedRaw);
}

void TestEndpointSettings::busyConnectionIsNotIdle()
{
    QFETCH(EndpointMode, mode);
    // The backend takes longer than the idle timeout, well within the request timeout: the connection is
    // working for its peer, not idle, and must be there when the answer comes.
    FakeBackend::Response slow = found(mode, "late");
    slow.delayMs = 1500;
    m_backend->respond(slow);
    start(mode, [](EndpointConfig &config) {
        config.idleTimeoutMs = 1000;
        config.requestTimeoutMs = 3000;
    });
    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, "k"));
    QTRY_COMPARE_WITH_TIMEOUT(client.replies().size(), 1, 5000);
    QCOMPARE(client.replies().constFirst(), foundReply(mode, "late"));
    QVERIFY(!client.isClosed());
    QElapsedTimer idle;
    idle.start();

    // Idle from here on: the timer still reaps it, a full idle timeout after the answer.
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), 5000);
    QVERIFY2(idle.elapsed() >= 900, QByteArray::number(idle.elapsed()).constData());
    QCOMPARE(m_backend->requests().size(), 1);
}

void TestEndpointSettings::maxResponseSizeBoundary_data()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::addColumn<int>("bodySize");
    QTest::addColumn<bool>("accepted");

    constexpr int Limit = 1000;
    for (const auto mode : {EndpointMode::TcpLookup, EndpointMode::SocketmapLookup, EndpointMode::Policy}) {
        const QByteArray name = modeName(mode).toUtf8();
        QTest::addRow("%s, limit - 1", name.constData()) << mode << Limit - 1 << true;
        QTest::addRow("%s, exactly the limit", name.constData()) << mode << Limit << true;
        QTest::addRow("%s, limit + 1", name.constData()) << mode << Limit + 1 << false;
    }
}

void TestEndpointSettings::maxResponseSizeBoundary()
{
    QFETCH(EndpointMode, mode);
    QFETCH(int, bodySize);
    QFETCH(bool, accepted);

    // A body of exactly bodySize bytes: a JSON array with one long string, or a long policy action.
    QByteArray value;
    QByteArray body;
    if (mode == EndpointMode::Policy) {
        value = "REJECT " + QByteArray(bodySize - 7, 'x');
        body = value;
    } else {
        value = QByteArray(bodySize - 4, 'x');
        body = "[\"" + value + "\"]";
    }
    QCOMPARE(body.size(), bodySize);
    m_backend->respond(FakeBackend::Response::withBody(body));
    start(mode, [](EndpointConfig &config) { config.maxResponseSize = 1000; });

    PostfixTestClient client(framingFor(mode));
    client.connectTo(m_server->serverPort());
    client.write(requestFor(mode, "k"));
    QTRY_COMPARE(client.replies().size(), 1);
    const QByteArray reply = client.replies().constFirst();
    if (accepted) {
        QCOMPARE(reply, foundReply(mode, value));
    } else {
        QVERIFY2(reply.startsWith(temporaryPrefix(mode)), reply.constData());
        QVERIFY2(reply.contains("larger than 1000 bytes"), reply.constData());
    }
    QVERIFY(!client.isClosed());
}

void TestEndpointSettings::netstringLengthBoundary_data()
{
    QTest::addColumn<qint64>("maxRequestSize"); // 0: the socketmap default, Postfix's own 100000
    QTest::addColumn<int>("length");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("default, 100001") << qint64(0) << 100001 << false;
    QTest::newRow("default, 1000000") << qint64(0) << 1000000 << false;
    QTest::newRow("default, exactly 100000") << qint64(0) << 100000 << true;
    QTest::newRow("1000, 1001") << qint64(1000) << 1001 << false;
    QTest::newRow("1000, exactly 1000") << qint64(1000) << 1000 << true;
}

void TestEndpointSettings::netstringLengthBoundary()
{
    QFETCH(qint64, maxRequestSize);
    QFETCH(int, length);
    QFETCH(bool, accepted);

    m_backend->respond(found(EndpointMode::SocketmapLookup, "v"));
    start(EndpointMode::SocketmapLookup,
          [maxRequestSize](EndpointConfig &config) { config.maxRequestSize = maxRequestSize; });
    PostfixTestClient client(PostfixTestClient::Framing::Netstring);
    client.connectTo(m_server->serverPort());
    if (!accepted) {
        // The length alone must be refused, before a byte of the payload is waited for or buffered.
        client.write(QByteArray::number(length) + ':');
        QTRY_COMPARE(client.replies().size(), 1);
        QVERIFY2(client.replies().constFirst().startsWith("PERM "),
                 client.replies().constFirst().constData());
        QTRY_VERIFY(client.isClosed());
        QCOMPARE(m_backend->requests().size(), 0);
        return;
    }
    const QByteArray key(length - 8, 'k');
    client.write(Netstring::encode(QByteArray("virtual " + key)));
    QTRY_COMPARE_WITH_TIMEOUT(client.replies().size(), 1, 10000);
    QCOMPARE(client.replies().constFirst(), QByteArray("OK v"));
    QVERIFY(!client.isClosed());
    QCOMPARE(m_backend->requests().size(), 1);
    QCOMPARE(keyOf(m_backend->requests().constFirst()).size(), key.size());
}

QTEST_GUILESS_MAIN(TestEndpointSettings)
#include "tst_endpointsettings.moc"
