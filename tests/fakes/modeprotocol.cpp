// SPDX-License-Identifier: GPL-3.0-or-later
#include "modeprotocol.h"

#include "protocol/policycodec.h"
#include "protocol/socketmapcodec.h"
#include "protocol/tcptablecodec.h"

#include <QTest>
#include <QUrlQuery>

namespace prc::test {

PostfixTestClient::Framing framingFor(EndpointMode mode)
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        return PostfixTestClient::Framing::Line;
    case EndpointMode::SocketmapLookup:
        return PostfixTestClient::Framing::Netstring;
    case EndpointMode::Policy:
        return PostfixTestClient::Framing::Policy;
    }
    return PostfixTestClient::Framing::Line;
}

QByteArray requestFor(EndpointMode mode, const QByteArray &key)
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        return TcpTableCodec::requestLine(key);
    case EndpointMode::SocketmapLookup:
        return SocketmapCodec::request("virtual", key);
    case EndpointMode::Policy:
        return PolicyCodec::request(
            {{"request", "smtpd_access_policy"}, {"protocol_state", "RCPT"}, {"recipient", key}});
    }
    return {};
}

QByteArray keyOf(const FakeBackend::Request &request)
{
    if (request.method == "POST") {
        const QUrlQuery form(QString::fromUtf8(request.body));
        return form.queryItemValue(QStringLiteral("recipient"), QUrl::FullyDecoded).toUtf8();
    }
    return request.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded).toUtf8();
}

FakeBackend::Response found(EndpointMode mode, const QByteArray &value, const QByteArray &cacheControl)
{
    FakeBackend::Response response;
    response.body = mode == EndpointMode::Policy ? value : QByteArray("[\"" + value + "\"]");
    if (!cacheControl.isEmpty())
        response.headers.append({"Cache-Control", cacheControl});
    return response;
}

QByteArray foundReply(EndpointMode mode, const QByteArray &value)
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        return "200 " + value;
    case EndpointMode::SocketmapLookup:
        return "OK " + value;
    case EndpointMode::Policy:
        return "action=" + value;
    }
    return {};
}

QByteArray temporaryPrefix(EndpointMode mode)
{
    switch (mode) {
    case EndpointMode::TcpLookup:
        return "400 ";
    case EndpointMode::SocketmapLookup:
        return "TEMP ";
    case EndpointMode::Policy:
        return "action=451 4.3.0 ";
    }
    return {};
}

EndpointConfig localEndpoint(const QString &name, EndpointMode mode, const QUrl &target, quint16 port)
{
    EndpointConfig config;
    config.name = name;
    config.mode = mode;
    config.target = target;
    config.bindAddress = QStringLiteral("127.0.0.1");
    config.bindPort = port;
    config.authToken = QStringLiteral("t");
    // The suites that run once per backend client set this (see tests/CMakeLists.txt).
    if (auto client = backendClientFromName(qEnvironmentVariable("PRC_TEST_BACKEND_CLIENT")))
        config.backendClient = *client;
    return config;
}

void addModeRows()
{
    QTest::addColumn<EndpointMode>("mode");
    QTest::newRow("tcp-lookup") << EndpointMode::TcpLookup;
    QTest::newRow("socketmap-lookup") << EndpointMode::SocketmapLookup;
    QTest::newRow("policy") << EndpointMode::Policy;
}

} // namespace prc::test
