// SPDX-License-Identifier: GPL-3.0-or-later
// The backend client keys of an endpoint: backend-client, backend-http2 with each client, backend-unix-socket
// and the tls-* files (checked against real PEM files made for the run).
#include "config/configloader.h"
#include "configerrortext.h"
#include "tlsfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace prc;
using prc::test::render;

namespace {

QJsonObject endpoint()
{
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("e")},
                       {QStringLiteral("mode"), QStringLiteral("tcp-lookup")},
                       {QStringLiteral("target"), QStringLiteral("http://127.0.0.1:9000/lookup")},
                       {QStringLiteral("bind-address"), QStringLiteral("127.0.0.1")},
                       {QStringLiteral("bind-port"), 9001},
                       {QStringLiteral("auth-token"), QStringLiteral("t0ken")}};
}

QByteArray config(const QJsonObject &keys)
{
    QJsonObject e = endpoint();
    for (auto it = keys.begin(); it != keys.end(); ++it)
        e.insert(it.key(), it.value());
    return QJsonDocument(QJsonObject{{QStringLiteral("endpoints"), QJsonArray{e}}}).toJson();
}

} // namespace

class TestConfigLoaderBackend : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaults();
    void validValues_data();
    void validValues();
    void errors_data();
    void errors();
    void tlsVerifyOffWarns();
    void tlsPathsRelativeToConfig();
    void secretsUnresolvedSkipFileChecks();
    void keysTakePartInEquality();

private:
    prc::test::TlsFixture m_tls;
    QTemporaryDir m_dir;
    QString m_configFile;
};

void TestConfigLoaderBackend::initTestCase()
{
    QVERIFY2(m_tls.create(), qPrintable(m_tls.error()));
    QVERIFY(m_dir.isValid());
    m_configFile = m_dir.filePath(QStringLiteral("config.json"));
    QFile notPem(m_dir.filePath(QStringLiteral("not.pem")));
    QVERIFY(notPem.open(QIODevice::WriteOnly));
    notPem.write("this is not PEM\n");
}

void TestConfigLoaderBackend::defaults()
{
    const ConfigLoadResult result = ConfigLoader::parse(config({}), m_configFile);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(u'\n')));
    QVERIFY(result.warnings.isEmpty());
    const EndpointConfig &e = result.config->endpoints.constFirst();
    QCOMPARE(int(e.backendClient), int(BackendClientKind::Curl));
    QCOMPARE(e.backendConnections, 6);
    QVERIFY(!e.backendHttp2);
    QVERIFY(e.backendUnixSocket.isEmpty());
    QVERIFY(e.tls.caFile.isEmpty());
    QVERIFY(e.tls.clientCert.isEmpty());
    QVERIFY(e.tls.clientKey.isEmpty());
    QVERIFY(e.tls.verify);
}

void TestConfigLoaderBackend::validValues_data()
{
    QTest::addColumn<QJsonObject>("keys");
    QTest::addColumn<int>("client");
    QTest::newRow("curl") << QJsonObject{{QStringLiteral("backend-client"), QStringLiteral("curl")}}
                          << int(BackendClientKind::Curl);
    QTest::newRow("qt") << QJsonObject{{QStringLiteral("backend-client"), QStringLiteral("qt")}}
                        << int(BackendClientKind::Qt);
    QTest::newRow("qt h2c") << QJsonObject{{QStringLiteral("backend-client"), QStringLiteral("qt")},
                                           {QStringLiteral("backend-http2"), true}}
                            << int(BackendClientKind::Qt);
    QTest::newRow("curl http2 over TLS")
        << QJsonObject{{QStringLiteral("target"), QStringLiteral("https://backend.example/x")},
                       {QStringLiteral("backend-http2"), true}}
        << int(BackendClientKind::Curl);
    QTest::newRow("unix socket") << QJsonObject{{QStringLiteral("backend-unix-socket"),
                                                 QStringLiteral("/run/php/php-fpm.sock")}}
                                 << int(BackendClientKind::Curl);
}

void TestConfigLoaderBackend::validValues()
{
    QFETCH(QJsonObject, keys);
    QFETCH(int, client);
    const ConfigLoadResult result = ConfigLoader::parse(config(keys), m_configFile);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(u'\n')));
    QCOMPARE(int(result.config->endpoints.constFirst().backendClient), client);
}

void TestConfigLoaderBackend::errors_data()
{
    QTest::addColumn<QJsonObject>("keys");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("messagePart");
    const QString missing = m_dir.filePath(QStringLiteral("missing.pem"));
    const QString notPem = m_dir.filePath(QStringLiteral("not.pem"));

    QTest::newRow("unknown client") << QJsonObject{{QStringLiteral("backend-client"), QStringLiteral("wget")}}
                                    << QStringLiteral("endpoints[0].backend-client")
                                    << QStringLiteral("unknown client \"wget\"; expected \"curl\" or \"qt\"");
    QTest::newRow("client not a string")
        << QJsonObject{{QStringLiteral("backend-client"), 1}} << QStringLiteral("endpoints[0].backend-client")
        << QStringLiteral("must be a string");
    QTest::newRow("h2c with curl") << QJsonObject{{QStringLiteral("backend-http2"), true}}
                                   << QStringLiteral("endpoints[0].backend-http2")
                                   << QStringLiteral("\"backend-client\": \"qt\"");
    QTest::newRow("unix socket with qt")
        << QJsonObject{{QStringLiteral("backend-client"), QStringLiteral("qt")},
                       {QStringLiteral("backend-unix-socket"), QStringLiteral("/run/b.sock")}}
        << QStringLiteral("endpoints[0].backend-unix-socket") << QStringLiteral("needs the curl client");
    QTest::newRow("relative unix socket")
        << QJsonObject{{QStringLiteral("backend-unix-socket"), QStringLiteral("run/b.sock")}}
        << QStringLiteral("endpoints[0].backend-unix-socket") << QStringLiteral("must be an absolute path");
    QTest::newRow("unix socket too long")
        << QJsonObject{{QStringLiteral("backend-unix-socket"),
                        QString(QLatin1Char('/') + QString(120, u'a'))}}
        << QStringLiteral("endpoints[0].backend-unix-socket") << QStringLiteral("longer than 107 bytes");
    QTest::newRow("empty unix socket")
        << QJsonObject{{QStringLiteral("backend-unix-socket"), QString()}}
        << QStringLiteral("endpoints[0].backend-unix-socket") << QStringLiteral("must not be empty");
    QTest::newRow("ca file missing") << QJsonObject{{QStringLiteral("tls-ca-file"), missing}}
                                     << QStringLiteral("endpoints[0].tls-ca-file")
                                     << QStringLiteral("cannot read ") + missing;
    QTest::newRow("ca file not PEM") << QJsonObject{{QStringLiteral("tls-ca-file"), notPem}}
                                     << QStringLiteral("endpoints[0].tls-ca-file")
                                     << QStringLiteral("holds no PEM certificate");
    QTest::newRow("client cert not PEM")
        << QJsonObject{{QStringLiteral("tls-client-cert"), notPem},
                       {QStringLiteral("tls-client-key"), m_tls.clientKeyFile()}}
        << QStringLiteral("endpoints[0].tls-client-cert") << QStringLiteral("holds no PEM certificate");
    QTest::newRow("client key is a certificate")
        << QJsonObject{{QStringLiteral("tls-client-cert"), m_tls.clientCertFile()},
                       {QStringLiteral("tls-client-key"), m_tls.caFile()}}
        << QStringLiteral("endpoints[0].tls-client-key")
        << QStringLiteral("holds no unencrypted PEM private key");
    QTest::newRow("client cert without key")
        << QJsonObject{{QStringLiteral("tls-client-cert"), m_tls.clientCertFile()}}
        << QStringLiteral("endpoints[0].tls-client-cert") << QStringLiteral("holds no private key");
    QTest::newRow("key without cert")
        << QJsonObject{{QStringLiteral("tls-client-key"), m_tls.clientKeyFile()}}
        << QStringLiteral("endpoints[0].tls-client-key") << QStringLiteral("given without tls-client-cert");
    QTest::newRow("verify not a boolean") << QJsonObject{{QStringLiteral("tls-verify"), QStringLiteral("no")}}
                                          << QStringLiteral("endpoints[0].tls-verify")
                                          << QStringLiteral("must be true or false, found a string");
}

void TestConfigLoaderBackend::errors()
{
    QFETCH(QJsonObject, keys);
    QFETCH(QString, path);
    QFETCH(QString, messagePart);
    const ConfigLoadResult result = ConfigLoader::parse(config(keys), m_configFile);
    QVERIFY(!result.ok());
    const QStringList rendered = render(result.errors);
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.constFirst().path, path);
    QVERIFY2(result.errors.constFirst().message.contains(messagePart), qPrintable(rendered.join(u'\n')));
    QCOMPARE(result.errors.constFirst().file, m_configFile);
}

void TestConfigLoaderBackend::tlsVerifyOffWarns()
{
    const ConfigLoadResult result =
        ConfigLoader::parse(config({{QStringLiteral("tls-verify"), false}}), m_configFile);
    QVERIFY(result.ok());
    QVERIFY(!result.config->endpoints.constFirst().tls.verify);
    QCOMPARE(result.warnings.size(), 1);
    QCOMPARE(result.warnings.constFirst().path, QStringLiteral("endpoints[0].tls-verify"));
    QVERIFY(result.warnings.constFirst().message.contains(QStringLiteral("not checked")));
}

void TestConfigLoaderBackend::tlsPathsRelativeToConfig()
{
    // Copies of the fixture's files next to the config file, named relatively.
    for (const auto &[from, to] : {std::pair{m_tls.caFile(), QStringLiteral("ca.pem")},
                                   {m_tls.clientCertFile(), QStringLiteral("client.pem")},
                                   {m_tls.clientKeyFile(), QStringLiteral("client.key")}}) {
        QFile::remove(m_dir.filePath(to));
        QVERIFY(QFile::copy(from, m_dir.filePath(to)));
    }
    const ConfigLoadResult result =
        ConfigLoader::parse(config({{QStringLiteral("target"), QStringLiteral("https://b.example/x")},
                                    {QStringLiteral("tls-ca-file"), QStringLiteral("ca.pem")},
                                    {QStringLiteral("tls-client-cert"), QStringLiteral("client.pem")},
                                    {QStringLiteral("tls-client-key"), QStringLiteral("client.key")}}),
                            m_configFile);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(u'\n')));
    const TlsConfig &tls = result.config->endpoints.constFirst().tls;
    QCOMPARE(tls.caFile, m_dir.filePath(QStringLiteral("ca.pem")));
    QCOMPARE(tls.clientCert, m_dir.filePath(QStringLiteral("client.pem")));
    QCOMPARE(tls.clientKey, m_dir.filePath(QStringLiteral("client.key")));
}

void TestConfigLoaderBackend::secretsUnresolvedSkipFileChecks()
{
    // The admin tool edits a config that may name files of another machine: it checks the shape only.
    ConfigLoader::Options options;
    options.resolveSecrets = false;
    const ConfigLoadResult result = ConfigLoader::parse(
        config({{QStringLiteral("tls-ca-file"), QStringLiteral("/nowhere/ca.pem")}}), m_configFile, options);
    QVERIFY2(result.ok(), qPrintable(render(result.errors).join(u'\n')));
    QCOMPARE(result.config->endpoints.constFirst().tls.caFile, QStringLiteral("/nowhere/ca.pem"));
}

void TestConfigLoaderBackend::keysTakePartInEquality()
{
    EndpointConfig a;
    EndpointConfig b;
    QVERIFY(a == b);
    b.backendClient = BackendClientKind::Qt;
    QVERIFY(a != b);
    b = a;
    b.backendUnixSocket = QStringLiteral("/run/b.sock");
    QVERIFY(a != b);
    for (auto change : {+[](TlsConfig &t) { t.caFile = QStringLiteral("x"); },
                        +[](TlsConfig &t) { t.clientCert = QStringLiteral("x"); },
                        +[](TlsConfig &t) { t.clientKey = QStringLiteral("x"); },
                        +[](TlsConfig &t) {
                            t.verify = false;
                        }}) {
        b = a;
        change(b.tls);
        QVERIFY(a != b);
    }
}

QTEST_GUILESS_MAIN(TestConfigLoaderBackend)
#include "tst_configloader_backend.moc"
