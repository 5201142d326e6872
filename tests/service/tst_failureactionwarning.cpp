// SPDX-License-Identifier: GPL-3.0-or-later
// A failure-action that lets mail through is a choice the log keeps naming: at start and at every reload.
// The built executable, real signals, a real backend.
#include "fakebackend.h"
#include "postfixtestclient.h"
#include "protocol/policycodec.h"
#include "serviceprocess.h"

#include <QJsonObject>
#include <QTest>

#include <csignal>

using namespace prc;
using namespace prc::test;

class TestFailureActionWarning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void failOpenWarnsAtStartAndReload();
};

void TestFailureActionWarning::failOpenWarnsAtStartAndReload()
{
    FakeBackend backend;
    QVERIFY(backend.listen());
    backend.respond(FakeBackend::Response::withBody({}, 503));
    const quint16 port = reservedPort();
    const auto config = [&](const QString &action) {
        return configObject({endpointObject(QStringLiteral("policy"), QStringLiteral("policy"), port,
                                            backend.url(QStringLiteral("/policy")),
                                            {{QStringLiteral("failure-action"), action}})});
    };
    const QByteArray warning = "failure-action: \"DUNNO\" fails open: while the backend fails, mail passes "
                               "without the policy check";

    ServiceProcess service;
    const QString path = service.writeConfig(config(QStringLiteral("DUNNO")));
    service.start({path});
    QTRY_VERIFY_WITH_TIMEOUT(service.isStarted(), 10000);
    QCOMPARE(service.output().count(warning), 1);

    // The configured action is what Postfix hears while the backend fails.
    PostfixTestClient client(PostfixTestClient::Framing::Policy);
    client.connectTo(port);
    client.write(PolicyCodec::request({{"request", "smtpd_access_policy"}, {"recipient", "a@example.com"}}));
    QTRY_COMPARE(client.replies().size(), 1);
    QCOMPARE(client.replies().constFirst(), QByteArray("action=DUNNO"));

    service.sendSignal(SIGHUP);
    QTRY_COMPARE_WITH_TIMEOUT(service.output().count(warning), 2, 10000);

    // A deferring action warns no more.
    service.writeConfig(config(QStringLiteral("DEFER_IF_PERMIT")));
    service.sendSignal(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(service.output().contains("configuration reloaded"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(service.output().count("configuration reloaded") >= 2, 10000);
    QCOMPARE(service.output().count(warning), 2);
    PostfixTestClient after(PostfixTestClient::Framing::Policy);
    after.connectTo(port);
    after.write(PolicyCodec::request({{"request", "smtpd_access_policy"}, {"recipient", "a@example.com"}}));
    QTRY_COMPARE(after.replies().size(), 1);
    QVERIFY2(after.replies().constFirst().startsWith("action=DEFER_IF_PERMIT "),
             after.replies().constFirst().constData());
}

QTEST_GUILESS_MAIN(TestFailureActionWarning)
#include "tst_failureactionwarning.moc"
