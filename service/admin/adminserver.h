// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/serviceconfig.h"

#include <QObject>

class QTcpServer;
class QTcpSocket;

namespace prc {

class ServiceApplication;

/// The optional admin HTTP listener: GET /metrics (Prometheus text format) and GET /healthz (optionally with
/// a backend probe). A deliberately small HTTP/1.1 responder on QTcpServer: GET and HEAD only, one request
/// per connection, bounded request size, a deadline per connection and a cap on concurrent connections. It
/// has no authentication: keep it on loopback.
class AdminServer : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxConnections = 32;
    static constexpr qsizetype MaxRequestSize = 8 * 1024;
    static constexpr int DefaultConnectionTimeoutMs = 10000;

    AdminServer(const AdminConfig &config, const ServiceApplication *service, QObject *parent = nullptr);
    ~AdminServer() override;

    bool listen(QString *error);
    quint16 serverPort() const;
    const AdminConfig &config() const { return m_config; }
    /// How long one connection may take from accept to answer (tests shorten it).
    void setConnectionTimeout(int ms) { m_connectionTimeoutMs = ms; }

private:
    void acceptConnections();
    void readRequest(QTcpSocket *socket);
    void handle(QTcpSocket *socket, const QByteArray &method, const QByteArray &target);
    void health(QTcpSocket *socket, bool headOnly, bool probe);
    static void respond(QTcpSocket *socket, int status, const QByteArray &body, bool headOnly,
                        const QByteArray &contentType = QByteArrayLiteral("text/plain; charset=utf-8"),
                        const QByteArray &extraHeaders = {});

    AdminConfig m_config;
    const ServiceApplication *m_service;
    QTcpServer *m_server;
    int m_connections = 0;
    int m_connectionTimeoutMs = DefaultConnectionTimeoutMs;
};

} // namespace prc
