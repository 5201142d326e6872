// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/postfixclient.h"
#include "protocol/netstring.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace prc;

Q_DECLARE_METATYPE(prc::LookupRequest)
Q_DECLARE_METATYPE(prc::LookupResult::Meaning)

namespace {

/// Answers every connection with canned bytes once it has read the expected request: one chunk per
/// event-loop turn (with a short timer between chunks, so the client sees them separately), then optionally
/// closes. With no chunks and no close, it stays silent.
class CannedServer : public QObject
{
public:
    CannedServer(QByteArray expectedRequest, QByteArrayList chunks, bool closeAfter)
        : m_expected(std::move(expectedRequest))
        , m_chunks(std::move(chunks))
        , m_closeAfter(closeAfter)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray received;

private:
    void onReadyRead(QTcpSocket *socket)
    {
        received += socket->readAll();
        if (received.size() >= m_expected.size() && !m_started) {
            m_started = true;
            writeNext(socket, 0);
        }
    }

    void writeNext(QTcpSocket *socket, int index)
    {
        if (index >= m_chunks.size()) {
            if (m_closeAfter)
                socket->disconnectFromHost();
            return;
        }
        socket->write(m_chunks.at(index));
        socket->flush();
        QTimer::singleShot(20, socket, [this, socket, index] { writeNext(socket, index + 1); });
    }

    QTcpServer m_server;
    QByteArray m_expected;
    QByteArrayList m_chunks;
    bool m_closeAfter = false;
    bool m_started = false;
};

const PolicyCodec::Attributes policyAttributes = {
    {"request", "smtpd_access_policy"}, {"protocol_state", "RCPT"}, {"recipient", "bob@example.com"}};

} // namespace

class tst_PostfixClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lookup_data();
    void lookup();
    void connectionRefused();
    void newLookupCancelsRunningOne();
    void escaped_data();
    void escaped();
};

void tst_PostfixClient::lookup_data()
{
    QTest::addColumn<LookupRequest>("request");
    QTest::addColumn<QByteArray>("expectedSent");
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<LookupResult::Meaning>("meaning");
    QTest::addColumn<QByteArray>("status");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("errorContains");

    using M = LookupResult::Meaning;
    const auto tcp = LookupRequest::tcp("user name@example.com");
    const QByteArray tcpSent = "get user%20name@example.com\n";
    const auto sm = LookupRequest::socketmap("aliases", "alice@example.com");
    const QByteArray smSent = "25:aliases alice@example.com,";
    const auto policy = LookupRequest::policy(policyAttributes);
    const QByteArray policySent =
        "request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=bob@example.com\n\n";

    // clang-format off
    QTest::newRow("tcp found") << tcp << tcpSent << QByteArrayList{"200 a%20b,c\n"} << false << 2000
        << M::Found << QByteArray("200") << QByteArray("a b,c") << QString();
    QTest::newRow("tcp not found") << tcp << tcpSent << QByteArrayList{"500 id%20-%20key%20not%20found\n"} << false
        << 2000 << M::NotFound << QByteArray("500") << QByteArray("id - key not found") << QString();
    QTest::newRow("tcp temporary") << tcp << tcpSent << QByteArrayList{"400 backend%20down\r\n"} << false << 2000
        << M::TemporaryError << QByteArray("400") << QByteArray("backend down") << QString();
    QTest::newRow("tcp fragmented") << tcp << tcpSent << QByteArrayList{"2", "00 val", "ue\n"} << false << 2000
        << M::Found << QByteArray("200") << QByteArray("value") << QString();
    QTest::newRow("tcp malformed") << tcp << tcpSent << QByteArrayList{"hello\n"} << false << 2000
        << M::ProtocolError << QByteArray() << QByteArray() << QStringLiteral("malformed reply");
    QTest::newRow("tcp unknown code") << tcp << tcpSent << QByteArrayList{"300 what\n"} << false << 2000
        << M::ProtocolError << QByteArray("300") << QByteArray("what") << QStringLiteral("not 2xx");
    QTest::newRow("tcp closes early") << tcp << tcpSent << QByteArrayList{"200 val"} << true << 2000
        << M::NoAnswer << QByteArray() << QByteArray() << QStringLiteral("after 7 bytes");
    QTest::newRow("tcp closes silently") << tcp << tcpSent << QByteArrayList{} << true << 2000
        << M::NoAnswer << QByteArray() << QByteArray() << QStringLiteral("without replying");
    QTest::newRow("tcp timeout") << tcp << tcpSent << QByteArrayList{} << false << 300
        << M::NoAnswer << QByteArray() << QByteArray() << QStringLiteral("timed out after 300 ms");

    QTest::newRow("socketmap OK") << sm << smSent << QByteArrayList{Netstring::encode("OK bob@example.com")} << false
        << 2000 << M::Found << QByteArray("OK") << QByteArray("bob@example.com") << QString();
    QTest::newRow("socketmap NOTFOUND") << sm << smSent << QByteArrayList{"9:NOTFOUND ,"} << false << 2000
        << M::NotFound << QByteArray("NOTFOUND") << QByteArray() << QString();
    QTest::newRow("socketmap TEMP") << sm << smSent << QByteArrayList{Netstring::encode("TEMP id - 503")} << false
        << 2000 << M::TemporaryError << QByteArray("TEMP") << QByteArray("id - 503") << QString();
    QTest::newRow("socketmap TIMEOUT") << sm << smSent << QByteArrayList{Netstring::encode("TIMEOUT slow")} << false
        << 2000 << M::TemporaryError << QByteArray("TIMEOUT") << QByteArray("slow") << QString();
    QTest::newRow("socketmap PERM") << sm << smSent << QByteArrayList{Netstring::encode("PERM id - 403")} << false
        << 2000 << M::PermanentError << QByteArray("PERM") << QByteArray("id - 403") << QString();
    QTest::newRow("socketmap unknown word") << sm << smSent << QByteArrayList{Netstring::encode("MAYBE x")} << false
        << 2000 << M::TemporaryError << QByteArray("MAYBE") << QByteArray("x") << QString();
    QTest::newRow("socketmap fragmented") << sm << smSent << QByteArrayList{"1", "4:OK hel", "lo worl", "d", ","}
        << false << 2000 << M::Found << QByteArray("OK") << QByteArray("hello world") << QString();
    QTest::newRow("socketmap malformed") << sm << smSent << QByteArrayList{"x4:OK a,"} << false << 2000
        << M::ProtocolError << QByteArray() << QByteArray() << QStringLiteral("malformed netstring");
    QTest::newRow("socketmap closes early") << sm << smSent << QByteArrayList{"14:OK hel"} << true << 2000
        << M::NoAnswer << QByteArray() << QByteArray() << QStringLiteral("before a complete reply");
    QTest::newRow("socketmap timeout") << sm << smSent << QByteArrayList{"14:OK"} << false << 300
        << M::NoAnswer << QByteArray() << QByteArray() << QStringLiteral("timed out");

    QTest::newRow("policy DUNNO") << policy << policySent << QByteArrayList{"action=DUNNO\n\n"} << false << 2000
        << M::PolicyAction << QByteArray("action") << QByteArray("DUNNO") << QString();
    QTest::newRow("policy fragmented") << policy << policySent
        << QByteArrayList{"action=REJ", "ECT no such user\n", "\n"} << false << 2000
        << M::PolicyAction << QByteArray("action") << QByteArray("REJECT no such user") << QString();
    QTest::newRow("policy malformed") << policy << policySent << QByteArrayList{"result=OK\n\n"} << false << 2000
        << M::ProtocolError << QByteArray() << QByteArray() << QStringLiteral("action=");
    QTest::newRow("policy closes early") << policy << policySent << QByteArrayList{"action=DUNNO\n"} << true << 2000
        << M::NoAnswer << QByteArray() << QByteArray() << QStringLiteral("before a complete reply");
    QTest::newRow("policy timeout") << policy << policySent << QByteArrayList{"action=DUNNO\n"} << false << 300
        << M::NoAnswer << QByteArray() << QByteArray() << QStringLiteral("timed out");
    // clang-format on
}

void tst_PostfixClient::lookup()
{
    QFETCH(LookupRequest, request);
    QFETCH(QByteArray, expectedSent);
    QFETCH(QByteArrayList, chunks);
    QFETCH(bool, closeAfter);
    QFETCH(int, timeoutMs);
    QFETCH(LookupResult::Meaning, meaning);
    QFETCH(QByteArray, status);
    QFETCH(QByteArray, value);
    QFETCH(QString, errorContains);

    CannedServer server(expectedSent, chunks, closeAfter);
    QVERIFY(server.listen());

    PostfixClient client;
    client.setTimeout(timeoutMs);
    QSignalSpy spy(&client, &PostfixClient::finished);
    client.send(QStringLiteral("127.0.0.1"), server.port(), request);
    QVERIFY(client.isBusy());
    QCOMPARE(spy.count(), 0); // never synchronously
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 1);
    QVERIFY(!client.isBusy());

    const auto result = spy.at(0).at(0).value<LookupResult>();
    QCOMPARE(server.received, expectedSent);
    QCOMPARE(result.sent, expectedSent);
    QCOMPARE(result.received, chunks.join().left(result.received.size()));
    if (!closeAfter && timeoutMs >= 2000)
        QCOMPARE(result.received, chunks.join());
    QCOMPARE(result.meaning, meaning);
    QCOMPARE(result.status, status);
    QCOMPARE(result.value, value);
    if (errorContains.isEmpty())
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    else
        QVERIFY2(result.error.contains(errorContains), qPrintable(result.error));
    if (result.meaning == LookupResult::Meaning::NoAnswer)
        QCOMPARE(result.roundTripMs, -1.0);
    else
        QVERIFY(result.roundTripMs >= 0);
    QVERIFY(!result.explanation().isEmpty());
}

void tst_PostfixClient::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        port = closed.serverPort();
    }
    PostfixClient client;
    QSignalSpy spy(&client, &PostfixClient::finished);
    client.send(QStringLiteral("127.0.0.1"), port, LookupRequest::tcp("x"));
    QVERIFY(spy.wait(5000));
    const auto result = spy.at(0).at(0).value<LookupResult>();
    QCOMPARE(result.meaning, LookupResult::Meaning::NoAnswer);
    QVERIFY2(result.error.contains(QStringLiteral("refused")), qPrintable(result.error));
    QVERIFY(result.received.isEmpty());
}

void tst_PostfixClient::newLookupCancelsRunningOne()
{
    CannedServer silent("get a\n", {}, false);
    QVERIFY(silent.listen());
    CannedServer answering("get b\n", {"200 yes\n"}, false);
    QVERIFY(answering.listen());

    PostfixClient client;
    QSignalSpy spy(&client, &PostfixClient::finished);
    client.send(QStringLiteral("127.0.0.1"), silent.port(), LookupRequest::tcp("a"));
    client.send(QStringLiteral("127.0.0.1"), answering.port(), LookupRequest::tcp("b"));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<LookupResult>().error, QStringLiteral("cancelled"));
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 2);
    const auto result = spy.at(1).at(0).value<LookupResult>();
    QCOMPARE(result.meaning, LookupResult::Meaning::Found);
    QCOMPARE(result.value, QByteArray("yes"));
}

void tst_PostfixClient::escaped_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("plain") << QByteArray("get a@b\n") << QStringLiteral("get a@b\\n\n");
    QTest::newRow("controls") << QByteArray("a\r\t\x01\\") << QStringLiteral("a\\r\\t\\x01\\\\");
    QTest::newRow("utf-8") << QByteArray("\xc3\xa4") << QStringLiteral("\\xc3\\xa4");
}

void tst_PostfixClient::escaped()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);
    QCOMPARE(LookupResult::escaped(bytes), text);
}

QTEST_GUILESS_MAIN(tst_PostfixClient)
#include "tst_postfixclient.moc"
