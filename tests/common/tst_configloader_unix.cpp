// SPDX-License-Identifier: GPL-3.0-or-later
// bind-path, socket-mode and socket-group: a Unix socket instead of a TCP address and port.
#include "config/configloader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace prc;

namespace {

const QString FileName = QStringLiteral("/etc/prc/config.json");

QJsonObject unixEndpoint(const QString &name, const QString &mode, const QString &path)
{
    return QJsonObject{{QStringLiteral("name"), name},
                       {QStringLiteral("mode"), mode},
                       {QStringLiteral("target"), QStringLiteral("http://127.0.0.1:9000/x")},
                       {QStringLiteral("bind-path"), path},
                       {QStringLiteral("auth-token"), QStringLiteral("t")}};
}

QByteArray document(const QJsonArray &endpoints)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("endpoints"), endpoints}}).toJson();
}

QJsonObject changed(QJsonObject object, const QJsonObject &set, const QStringList &remove = {})
{
    for (auto it = set.begin(); it != set.end(); ++it)
        object.insert(it.key(), it.value());
    for (const QString &key : remove)
        object.remove(key);
    return object;
}

} // namespace

class TestConfigLoaderUnix : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void samePathTwice();
    void listenerIdentity();
};

void TestConfigLoaderUnix::valid_data()
{
    QTest::addColumn<QJsonObject>("endpoint");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("group");

    const QJsonObject policy = unixEndpoint(QStringLiteral("p"), QStringLiteral("policy"),
                                            QStringLiteral("/var/spool/postfix/private/prc-policy"));
    QTest::newRow("defaults") << policy << 0660 << QString();
    QTest::newRow("mode 0600") << changed(policy, {{QStringLiteral("socket-mode"), QStringLiteral("0600")}})
                               << 0600 << QString();
    QTest::newRow("mode without leading zero")
        << changed(policy, {{QStringLiteral("socket-mode"), QStringLiteral("666")}}) << 0666 << QString();
    QTest::newRow("group") << changed(policy, {{QStringLiteral("socket-group"), QStringLiteral("postfix")}})
                           << 0660 << QStringLiteral("postfix");
    QTest::newRow("socketmap") << unixEndpoint(QStringLiteral("m"), QStringLiteral("socketmap-lookup"),
                                               QStringLiteral("/run/prc/maps"))
                               << 0660 << QString();
    QTest::newRow("longest path") << changed(
        policy, {{QStringLiteral("bind-path"), QString(QLatin1Char('/') + QString(106, QLatin1Char('a')))}})
                                  << 0660 << QString();
}

void TestConfigLoaderUnix::valid()
{
    QFETCH(QJsonObject, endpoint);
    QFETCH(int, mode);
    QFETCH(QString, group);
    const ConfigLoadResult result = ConfigLoader::parse(document({endpoint}), FileName);
    QVERIFY2(result.ok(), result.errors.isEmpty() ? "" : qPrintable(result.errors.first().toString()));
    QVERIFY(result.warnings.isEmpty());
    const EndpointConfig &config = result.config->endpoints.constFirst();
    QCOMPARE(config.bindPath, endpoint.value(QStringLiteral("bind-path")).toString());
    QCOMPARE(config.socketMode, mode);
    QCOMPARE(config.socketGroup, group);
    QVERIFY(config.listenAddress().isUnix());
    QCOMPARE(config.listenAddress().toString(), QStringLiteral("unix:") + config.bindPath);
}

void TestConfigLoaderUnix::invalid_data()
{
    QTest::addColumn<QJsonObject>("endpoint");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    const QJsonObject policy =
        unixEndpoint(QStringLiteral("p"), QStringLiteral("policy"), QStringLiteral("/run/prc/policy"));
    const QString p = QStringLiteral("endpoints[0].");

    QTest::newRow("neither form") << changed(policy, {}, {QStringLiteral("bind-path")})
                                  << p + QStringLiteral("bind-address")
                                  << QStringLiteral("missing (required), or bind-path for a Unix socket");
    QTest::newRow("both forms") << changed(
        policy,
        {{QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")}, {QStringLiteral("bind-port"), 9001}})
                                << p + QStringLiteral("bind-path")
                                << QStringLiteral("give either bind-path (a Unix socket) or bind-address and "
                                                  "bind-port (TCP), not both");
    QTest::newRow("path and port") << changed(policy, {{QStringLiteral("bind-port"), 9001}})
                                   << p + QStringLiteral("bind-path") << QStringLiteral("not both");
    QTest::newRow("tcp-lookup") << changed(policy, {{QStringLiteral("mode"), QStringLiteral("tcp-lookup")}})
                                << p + QStringLiteral("bind-path")
                                << QStringLiteral("tcp-lookup cannot listen on a Unix socket: Postfix's "
                                                  "tcp_table speaks TCP only (use socketmap-lookup for "
                                                  "socketmap:unix:...)");
    QTest::newRow("relative") << changed(policy, {{QStringLiteral("bind-path"), QStringLiteral("private/p")}})
                              << p + QStringLiteral("bind-path")
                              << QStringLiteral("\"private/p\" must be an absolute path");
    QTest::newRow("empty") << changed(policy, {{QStringLiteral("bind-path"), QString()}})
                           << p + QStringLiteral("bind-path") << QStringLiteral("must not be empty");
    QTest::newRow("number") << changed(policy, {{QStringLiteral("bind-path"), 5}})
                            << p + QStringLiteral("bind-path")
                            << QStringLiteral("must be a string, found a number");
    QTest::newRow("too long") << changed(
        policy, {{QStringLiteral("bind-path"), QString(QLatin1Char('/') + QString(107, QLatin1Char('a')))}})
                              << p + QStringLiteral("bind-path")
                              << QStringLiteral("is 108 bytes long; a Unix socket path has at most 107");
    QTest::newRow("mode a number") << changed(policy, {{QStringLiteral("socket-mode"), 660}})
                                   << p + QStringLiteral("socket-mode")
                                   << QStringLiteral(
                                          "must be an octal string such as \"0660\", found a number");
    QTest::newRow("mode not octal") << changed(policy,
                                               {{QStringLiteral("socket-mode"), QStringLiteral("0680")}})
                                    << p + QStringLiteral("socket-mode")
                                    << QStringLiteral(
                                           "\"0680\" is not a file mode; expected three octal digits "
                                           "such as \"0660\"");
    QTest::newRow("mode with setuid")
        << changed(policy, {{QStringLiteral("socket-mode"), QStringLiteral("4660")}})
        << p + QStringLiteral("socket-mode") << QStringLiteral("is not a file mode");
    QTest::newRow("mode locks out the owner")
        << changed(policy, {{QStringLiteral("socket-mode"), QStringLiteral("0060")}})
        << p + QStringLiteral("socket-mode") << QStringLiteral("keep at least 0600");
    QTest::newRow("group empty") << changed(policy, {{QStringLiteral("socket-group"), QString()}})
                                 << p + QStringLiteral("socket-group") << QStringLiteral("must not be empty");
    QTest::newRow("group with a colon")
        << changed(policy, {{QStringLiteral("socket-group"), QStringLiteral("post:fix")}})
        << p + QStringLiteral("socket-group") << QStringLiteral("\"post:fix\" is not a group name");
    const QJsonObject tcp = changed(
        policy,
        {{QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")}, {QStringLiteral("bind-port"), 9001}},
        {QStringLiteral("bind-path")});
    QTest::newRow("mode on tcp") << changed(tcp, {{QStringLiteral("socket-mode"), QStringLiteral("0600")}})
                                 << p + QStringLiteral("socket-mode")
                                 << QStringLiteral("applies to a Unix socket only; give bind-path instead of "
                                                   "bind-address and bind-port");
    QTest::newRow("group on tcp") << changed(tcp,
                                             {{QStringLiteral("socket-group"), QStringLiteral("postfix")}})
                                  << p + QStringLiteral("socket-group")
                                  << QStringLiteral("applies to a Unix socket only");
}

void TestConfigLoaderUnix::invalid()
{
    QFETCH(QJsonObject, endpoint);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const ConfigLoadResult result = ConfigLoader::parse(document({endpoint}), FileName);
    QVERIFY(!result.ok());
    // Without either form, bind-port is reported missing as well.
    QCOMPARE(result.errors.size(), QTest::currentDataTag() == QByteArray("neither form") ? 2 : 1);
    QCOMPARE(result.errors.at(0).file, FileName);
    QCOMPARE(result.errors.at(0).path, path);
    QVERIFY2(result.errors.at(0).message.contains(message), qPrintable(result.errors.at(0).message));
}

void TestConfigLoaderUnix::samePathTwice()
{
    const QString path = QStringLiteral("/run/prc/shared");
    const ConfigLoadResult result = ConfigLoader::parse(
        document({unixEndpoint(QStringLiteral("a"), QStringLiteral("policy"), path),
                  unixEndpoint(QStringLiteral("b"), QStringLiteral("socketmap-lookup"), path)}),
        FileName);
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.at(0).path, QStringLiteral("endpoints[1].bind-path"));
    QCOMPARE(result.errors.at(0).message,
             QStringLiteral("/run/prc/shared is already used by endpoints[0] (a)"));
}

void TestConfigLoaderUnix::listenerIdentity()
{
    EndpointConfig base;
    base.bindPath = QStringLiteral("/run/prc/a");
    EndpointConfig copy = base;
    copy.socketMode = 0600;
    QVERIFY(copy != base);
    QVERIFY(copy.sameListener(base)); // applied to the file in place on a reload
    copy = base;
    copy.socketGroup = QStringLiteral("postfix");
    QVERIFY(copy != base);
    QVERIFY(copy.sameListener(base));
    copy = base;
    copy.bindPath = QStringLiteral("/run/prc/b");
    QVERIFY(copy != base);
    QVERIFY(!copy.sameListener(base));
    copy = base;
    copy.bindPath.clear();
    copy.bindAddress = QStringLiteral("127.0.0.1");
    QVERIFY(!copy.sameListener(base));
}

QTEST_GUILESS_MAIN(TestConfigLoaderUnix)
#include "tst_configloader_unix.moc"
