// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsfixture.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>

namespace prc::test {

TlsFixture::TlsFixture(QObject *parent)
    : QObject(parent)
{
}

TlsFixture::~TlsFixture() = default;

bool TlsFixture::run(const QStringList &arguments)
{
    QProcess openssl;
    openssl.setWorkingDirectory(m_dir.path());
    openssl.start(QStringLiteral("openssl"), arguments);
    if (!openssl.waitForFinished(30000) || openssl.exitStatus() != QProcess::NormalExit
        || openssl.exitCode() != 0) {
        m_error = QStringLiteral("openssl %1: %2%3")
                      .arg(arguments.join(QLatin1Char(' ')), openssl.errorString(),
                           QString::fromLocal8Bit(openssl.readAllStandardError()));
        return false;
    }
    return true;
}

bool TlsFixture::create()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    QFile extensions(path(QStringLiteral("server.ext")));
    if (!extensions.open(QIODevice::WriteOnly))
        return false;
    extensions.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    extensions.close();

    const auto ca = [this](const QString &name, const QString &subject) {
        return run({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                    QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
                    QStringLiteral("2"), QStringLiteral("-subj"), subject, QStringLiteral("-keyout"),
                    name + QStringLiteral(".key"), QStringLiteral("-out"), name + QStringLiteral(".pem")});
    };
    const auto leaf = [this](const QString &name, const QString &subject, const QString &caName,
                             const QStringList &extra) {
        return run({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                    QStringLiteral("-nodes"), QStringLiteral("-subj"), subject, QStringLiteral("-keyout"),
                    name + QStringLiteral(".key"), QStringLiteral("-out"), name + QStringLiteral(".csr")})
               && run(QStringList{QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                                  name + QStringLiteral(".csr"), QStringLiteral("-CA"),
                                  caName + QStringLiteral(".pem"), QStringLiteral("-CAkey"),
                                  caName + QStringLiteral(".key"), QStringLiteral("-CAcreateserial"),
                                  QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-out"),
                                  name + QStringLiteral(".pem")}
                      + extra);
    };
    return ca(QStringLiteral("ca"), QStringLiteral("/CN=prc test CA"))
           && ca(QStringLiteral("client-ca"), QStringLiteral("/CN=prc test client CA"))
           && leaf(QStringLiteral("server"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("ca"),
                   {QStringLiteral("-extfile"), QStringLiteral("server.ext")})
           && leaf(QStringLiteral("client"), QStringLiteral("/CN=prc test client"),
                   QStringLiteral("client-ca"), {});
}

bool TlsFixture::listen(bool requireClientCert)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(QSslCertificate::fromPath(path(QStringLiteral("server.pem"))));
    QFile keyFile(serverKeyFile());
    if (!keyFile.open(QIODevice::ReadOnly))
        return false;
    tls.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
    if (requireClientCert) {
        tls.setCaCertificates(QSslCertificate::fromPath(otherCaFile()));
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    }

    delete m_server;
    m_server = new QSslServer(this);
    m_server->setSslConfiguration(tls);
    connect(m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *tcp = m_server->nextPendingConnection()) {
            auto *socket = static_cast<QSslSocket *>(tcp);
            socket->setParent(this);
            ++m_handshakes;
            connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QSslSocket::readyRead, socket, [socket] {
                QByteArray head = socket->property("head").toByteArray() + socket->readAll();
                socket->setProperty("head", head);
                if (!head.contains("\r\n\r\n"))
                    return;
                socket->setProperty("head", QByteArray());
                socket->write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n"
                    "[\"tls-ok\"]");
            });
        }
    });
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QUrl TlsFixture::url(const QString &urlPath) const
{
    return QUrl(
        QStringLiteral("https://127.0.0.1:%1%2").arg(m_server ? m_server->serverPort() : 0).arg(urlPath));
}

} // namespace prc::test
