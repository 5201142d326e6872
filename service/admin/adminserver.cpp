// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminserver.h"

#include "app/serviceapplication.h"
#include "backend/backendclient.h"
#include "backend/backendrequest.h"
#include "cache/sharedcache.h"
#include "listen/endpointcontext.h"
#include "listen/endpointserver.h"
#include "metrics/servicemetrics.h"
#include "servicelogging.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>

#include <memory>

namespace prc {
namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    }
    return QByteArrayLiteral("Unknown");
}

/// The state of one /healthz?probe=1: a backend call per endpoint, answered once all have ended.
struct Probe
{
    QByteArray lines;
    bool healthy = true;
    int pending = 0;
    // Keeps each endpoint's backend client alive while its call runs, even if a reload replaces it.
    QList<std::shared_ptr<const EndpointContext>> contexts;
};

} // namespace

AdminServer::AdminServer(const AdminConfig &config, const ServiceApplication *service, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_service(service)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &AdminServer::acceptConnections);
}

AdminServer::~AdminServer() = default;

bool AdminServer::listen(QString *error)
{
    if (!m_server->listen(bindAddressFor(m_config.bindAddress), m_config.bindPort)) {
        *error = QStringLiteral("admin: cannot listen on %1:%2: %3")
                     .arg(m_config.bindAddress)
                     .arg(m_config.bindPort)
                     .arg(m_server->errorString());
        return false;
    }
    qCInfo(lcService).noquote() << "admin listener (/metrics, /healthz) on"
                                << QStringLiteral("%1:%2").arg(m_config.bindAddress).arg(serverPort());
    return true;
}

quint16 AdminServer::serverPort() const
{
    return m_server->serverPort();
}

void AdminServer::acceptConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections >= MaxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_connections;
        socket->setParent(this);
        // One deadline for the whole exchange: a client that never finishes its request is dropped.
        auto *deadline = new QTimer(socket);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, socket, &QTcpSocket::abort);
        deadline->start(m_connectionTimeoutMs);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            --m_connections;
            socket->deleteLater();
        });
    }
}

void AdminServer::readRequest(QTcpSocket *socket)
{
    if (socket->property("prc_answered").toBool()) {
        socket->readAll(); // one request per connection; anything after it is ignored
        return;
    }
    QByteArray buffer = socket->property("prc_buffer").toByteArray();
    buffer += socket->read(MaxRequestSize + 1 - buffer.size());
    qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        end = buffer.indexOf("\n\n");
    if (end < 0) {
        if (buffer.size() > MaxRequestSize) {
            socket->setProperty("prc_answered", true);
            respond(socket, 431, "request too large\n", false);
        } else {
            socket->setProperty("prc_buffer", buffer);
        }
        return;
    }
    socket->setProperty("prc_answered", true);
    socket->setProperty("prc_buffer", QVariant());
    const QByteArray requestLine = buffer.left(buffer.indexOf('\n')).trimmed();
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1.")) {
        respond(socket, 400, "bad request\n", false);
        return;
    }
    handle(socket, parts.at(0), parts.at(1));
}

void AdminServer::handle(QTcpSocket *socket, const QByteArray &method, const QByteArray &target)
{
    const bool headOnly = method == "HEAD";
    if (method != "GET" && !headOnly) {
        respond(socket, 405, "only GET and HEAD\n", false, QByteArrayLiteral("text/plain; charset=utf-8"),
                QByteArrayLiteral("Allow: GET, HEAD\r\n"));
        return;
    }
    const qsizetype question = target.indexOf('?');
    const QByteArray path = question < 0 ? target : target.left(question);
    const QUrlQuery query(QString::fromLatin1(question < 0 ? QByteArray() : target.mid(question + 1)));

    if (path == "/metrics") {
        respond(socket, 200, renderMetrics(*m_service), headOnly,
                QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"));
        return;
    }
    if (path == "/healthz") {
        const QString probe = query.queryItemValue(QStringLiteral("probe"));
        health(socket, headOnly, !probe.isEmpty() && probe != QLatin1String("0"));
        return;
    }
    respond(socket, 404, "not found; try /metrics or /healthz\n", headOnly);
}

void AdminServer::health(QTcpSocket *socket, bool headOnly, bool probe)
{
    QByteArray lines;
    bool listening = true;
    const QList<EndpointServer *> endpoints = m_service->endpoints();
    for (const EndpointServer *server : endpoints) {
        const bool up = server->isListening();
        listening = listening && up;
        lines += server->config().name.toUtf8() + (up ? ": listening\n" : ": not listening\n");
        // Reported, never unhealthy: without Redis the connector still answers, from the backend.
        if (const SharedCache *shared = server->context()->sharedCache())
            lines += server->config().name.toUtf8() + ": " + shared->status().toUtf8() + '\n';
    }
    if (m_service->isShuttingDown()) {
        respond(socket, 503, "shutting down\n" + lines, headOnly);
        return;
    }
    if (!listening || !probe) {
        respond(socket, listening ? 200 : 503, (listening ? "ok\n" : "unhealthy\n") + lines, headOnly);
        return;
    }

    // The probe asks every backend once, in parallel, with the endpoint's own headers and request-timeout.
    auto state = std::make_shared<Probe>();
    state->pending = int(endpoints.size());
    QPointer<QTcpSocket> guard(socket);
    auto *owner = new QObject(socket); // a vanished client aborts its probe calls
    const auto done = [guard, state, headOnly] {
        if (--state->pending > 0 || !guard)
            return;
        respond(guard, state->healthy ? 200 : 503, (state->healthy ? "ok\n" : "unhealthy\n") + state->lines,
                headOnly);
    };
    if (endpoints.isEmpty()) {
        ++state->pending;
        done();
        return;
    }
    for (const EndpointServer *server : endpoints) {
        std::shared_ptr<const EndpointContext> context = server->context();
        state->contexts.append(context);
        const QByteArray name = context->config().name.toUtf8();
        const QByteArray id = "healthz-" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        BackendRequest *request = context->client().start(
            BackendCall{BackendCall::Method::Get, context->config().target, {}, {}}, id, owner);
        connect(request, &BackendRequest::finished, owner,
                [state, done, name, request](const BackendResult &result) {
                    // Any HTTP answer below 500 proves the backend is up and reachable (a lookup without a
                    // key may well get 400 or 404); a timeout, a network error or a 5xx does not.
                    const bool ok = result.outcome == BackendResult::Outcome::Response && result.status < 500;
                    state->healthy = state->healthy && ok;
                    state->lines += name + ": backend "
                                    + (ok ? QByteArrayLiteral("ok") : QByteArrayLiteral("FAILED")) + " ("
                                    + (result.outcome == BackendResult::Outcome::Response
                                           ? "HTTP " + QByteArray::number(result.status)
                                           : result.error.toUtf8())
                                    + ", " + QByteArray::number(result.elapsedMs) + " ms)\n";
                    request->deleteLater();
                    done();
                });
    }
}

void AdminServer::respond(QTcpSocket *socket, int status, const QByteArray &body, bool headOnly,
                          const QByteArray &contentType, const QByteArray &extraHeaders)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    response += "Content-Type: " + contentType + "\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    response += "Cache-Control: no-store\r\n";
    response += "Connection: close\r\n";
    response += extraHeaders;
    response += "\r\n";
    if (!headOnly)
        response += body;
    socket->write(response);
    socket->disconnectFromHost();
}

} // namespace prc
