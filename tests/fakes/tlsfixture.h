// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

class QSslServer;

namespace prc::test {

/// Certificates made for one test run with the openssl tool (a CA, a server certificate for 127.0.0.1 and
/// localhost, a second CA for clients and a client certificate), and a real TLS HTTP server using them.
class TlsFixture : public QObject
{
    Q_OBJECT

public:
    explicit TlsFixture(QObject *parent = nullptr);
    ~TlsFixture() override;

    /// Makes the certificates; false (with error()) when openssl is missing or fails.
    bool create();
    QString error() const { return m_error; }

    QString caFile() const { return path(QStringLiteral("ca.pem")); }
    QString otherCaFile() const { return path(QStringLiteral("client-ca.pem")); }
    QString clientCertFile() const { return path(QStringLiteral("client.pem")); }
    QString clientKeyFile() const { return path(QStringLiteral("client.key")); }
    QString serverKeyFile() const { return path(QStringLiteral("server.key")); }

    /// Serves HTTPS on 127.0.0.1: every request gets 200 with body ["tls-ok"]. With requireClientCert,
    /// the handshake fails unless the client presents a certificate of the client CA.
    bool listen(bool requireClientCert);
    QUrl url(const QString &path = QStringLiteral("/lookup")) const;
    int handshakes() const { return m_handshakes; }

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    bool run(const QStringList &arguments);

    QTemporaryDir m_dir;
    QString m_error;
    QSslServer *m_server = nullptr;
    int m_handshakes = 0;
};

} // namespace prc::test
