// SPDX-License-Identifier: GPL-3.0-or-later
#include "examplebackend.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QMetaEnum>
#include <QUrl>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcExampleBackend, "prc.example.backend", QtInfoMsg)

namespace prc {

namespace {

using Status = QHttpServerResponder::StatusCode;

QHttpServerResponse textResponse(const QString &text, Status status)
{
    return QHttpServerResponse(QByteArrayLiteral("text/plain; charset=utf-8"),
                               (text + QLatin1Char('\n')).toUtf8(), status);
}

QHttpServerResponse methodNotAllowed(const QByteArray &allowed)
{
    QHttpServerResponse response =
        textResponse(QLatin1String("use ") + QLatin1String(allowed), Status::MethodNotAllowed);
    response.setHeader(QByteArrayLiteral("Allow"), allowed);
    return response;
}

/// Request data ends up in the log: escape control characters so that one request stays one log line.
QString printable(const QString &text)
{
    QString result;
    for (const QChar c : text) {
        if (c.isPrint())
            result += c;
        else
            result += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
    }
    return result;
}

/// Decodes an application/x-www-form-urlencoded body, keeping the order. Unlike a URL query, '+' means space.
BackendData::Attributes decodeForm(const QByteArray &body)
{
    BackendData::Attributes attributes;
    const QList<QByteArray> pairs = body.split('&');
    for (QByteArray pair : pairs) {
        if (pair.isEmpty())
            continue;
        pair.replace('+', ' ');
        const qsizetype equals = pair.indexOf('=');
        const QByteArray name = equals < 0 ? pair : pair.left(equals);
        const QByteArray value = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        attributes.append({QUrl::fromPercentEncoding(name), QUrl::fromPercentEncoding(value)});
    }
    return attributes;
}

QString attribute(const BackendData::Attributes &attributes, const QString &name)
{
    for (const auto &[key, value] : attributes) {
        if (key == name)
            return value;
    }
    return QString();
}

} // namespace

ExampleBackend::ExampleBackend(BackendData data, QByteArray authToken, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_data(std::move(data))
    , m_authToken(std::move(authToken))
{
}

// Every answer is computed and written right here, before returning: there is no deferred responder that
// could outlive its socket, so no QPointer guard is needed.
bool ExampleBackend::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QString detail;
    const QHttpServerResponse response = route(request, &detail);

    const char *method = QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(request.method()));
    const QString requestId = QString::fromUtf8(request.value(QByteArrayLiteral("X-Request-Id")));
    qCInfo(lcExampleBackend).noquote().nospace()
        << QByteArray(method ? method : "?").toUpper() << ' ' << printable(request.url().path()) << detail
        << " request-id=" << (requestId.isEmpty() ? QStringLiteral("-") : printable(requestId)) << " -> "
        << int(response.statusCode());

    response.write(makeResponder(request, socket));
    return true;
}

void ExampleBackend::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Not reached: handleRequest() answers every request itself.
    textResponse(QStringLiteral("no handler"), Status::InternalServerError)
        .write(makeResponder(request, socket));
}

QHttpServerResponse ExampleBackend::route(const QHttpServerRequest &request, QString *logDetail) const
{
    const QString path = request.url().path();
    const QUrlQuery query = request.query();
    for (const QString &name : {QStringLiteral("name"), QStringLiteral("key")}) {
        if (query.hasQueryItem(name))
            *logDetail += QLatin1Char(' ') + name + QLatin1String("=\"")
                          + printable(query.queryItemValue(name, QUrl::FullyDecoded)) + QLatin1Char('"');
    }

    if (!isAuthorised(request))
        return textResponse(QStringLiteral("missing or wrong X-Auth-Token"), Status::Unauthorized);

    if (path == QLatin1String("/policy")) {
        if (request.method() != QHttpServerRequest::Method::Post)
            return methodNotAllowed(QByteArrayLiteral("POST"));
        return policy(request.body(), logDetail);
    }

    const QLatin1String lookupPrefix("/lookup/");
    QString table;
    if (path == QLatin1String("/domain") || path == QLatin1String("/mailbox")
        || path == QLatin1String("/alias")) {
        table = path.mid(1);
    } else if (path.startsWith(lookupPrefix)) {
        table = path.mid(lookupPrefix.size());
    } else if (path == QLatin1String("/socketmap")) {
        if (!query.hasQueryItem(QStringLiteral("name")))
            return textResponse(QStringLiteral("missing query parameter \"name\""), Status::BadRequest);
        table = query.queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded);
    } else {
        // Not 404: to the connector a 404 means "key not found", and a mistyped target URL must show up as
        // an error, not as an empty table.
        return textResponse(QStringLiteral("unknown path %1").arg(path), Status::BadRequest);
    }

    if (request.method() != QHttpServerRequest::Method::Get)
        return methodNotAllowed(QByteArrayLiteral("GET"));
    return lookup(table, query);
}

QHttpServerResponse ExampleBackend::lookup(const QString &table, const QUrlQuery &query) const
{
    // An unknown table is a configuration error, not a missing key (see route()).
    if (!m_data.hasTable(table)) {
        return textResponse(QStringLiteral("unknown table \"%1\"; known tables: %2")
                                .arg(table, m_data.tableNames().join(QLatin1String(", "))),
                            Status::BadRequest);
    }
    if (!query.hasQueryItem(QStringLiteral("key")))
        return textResponse(QStringLiteral("missing query parameter \"key\""), Status::BadRequest);

    const auto values = m_data.lookup(table, query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded));
    if (!values)
        return textResponse(QStringLiteral("not found"), Status::NotFound);
    return QHttpServerResponse(QJsonArray::fromStringList(*values));
}

QHttpServerResponse ExampleBackend::policy(const QByteArray &body, QString *logDetail) const
{
    const BackendData::Attributes attributes = decodeForm(body);
    for (const QString &name : {QStringLiteral("sender"), QStringLiteral("recipient")})
        *logDetail += QLatin1Char(' ') + name + QLatin1String("=\"") + printable(attribute(attributes, name))
                      + QLatin1Char('"');
    const QString action = m_data.policyAction(attributes);
    *logDetail += QLatin1String(" action=\"") + action + QLatin1Char('"');
    return QHttpServerResponse(QByteArrayLiteral("text/plain; charset=utf-8"), action.toUtf8());
}

bool ExampleBackend::isAuthorised(const QHttpServerRequest &request) const
{
    const QByteArray token = request.value(QByteArrayLiteral("X-Auth-Token"));
    // Compare every byte, so that the time taken does not tell how much of a guessed token was right.
    if (token.size() != m_authToken.size())
        return false;
    char difference = 0;
    for (qsizetype i = 0; i < token.size(); ++i)
        difference |= token.at(i) ^ m_authToken.at(i);
    return difference == 0;
}

} // namespace prc
