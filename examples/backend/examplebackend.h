// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backenddata.h"

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QLoggingCategory>

QT_BEGIN_NAMESPACE
class QHttpServerResponse;
class QUrlQuery;
QT_END_NAMESPACE

Q_DECLARE_LOGGING_CATEGORY(lcExampleBackend)

namespace prc {

/// A REST backend for postfix-rest-connector that answers from a BackendData file. It implements the whole
/// backend contract on a handful of routes:
///   GET  /domain?key=K, /mailbox?key=K, /alias?key=K, /lookup/<table>?key=K   (tcp-lookup endpoints)
///   GET  /socketmap?name=<table>&key=K                                       (socketmap-lookup endpoints)
///   POST /policy  (x-www-form-urlencoded Postfix attributes)                   (policy endpoints)
/// Lookups answer 200 with a JSON array of strings, or 404 when the key is unknown.
class ExampleBackend : public QAbstractHttpServer
{
    Q_OBJECT

public:
    ExampleBackend(BackendData data, QByteArray authToken, QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    QHttpServerResponse route(const QHttpServerRequest &request, QString *logDetail) const;
    QHttpServerResponse lookup(const QString &table, const QUrlQuery &query) const;
    QHttpServerResponse policy(const QByteArray &body, QString *logDetail) const;
    bool isAuthorised(const QHttpServerRequest &request) const;

    BackendData m_data;
    QByteArray m_authToken;
};

} // namespace prc
