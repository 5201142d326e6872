// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"
#include "fakebackend.h"
#include "postfixtestclient.h"

#include <QByteArray>
#include <QMetaType>

Q_DECLARE_METATYPE(prc::EndpointMode)

/// The same lookup in each Postfix protocol, for tests that run one scenario against every mode.
namespace prc::test {

PostfixTestClient::Framing framingFor(EndpointMode mode);

/// One request for KEY (tcp "get", socketmap map "virtual", policy RCPT with recipient=KEY).
QByteArray requestFor(EndpointMode mode, const QByteArray &key);

/// The key the backend saw: the `key` query parameter, or the `recipient` form field of a policy POST.
QByteArray keyOf(const FakeBackend::Request &request);

/// A found answer: a JSON array with VALUE for lookups, the action VALUE for policy.
FakeBackend::Response found(EndpointMode mode, const QByteArray &value, const QByteArray &cacheControl = {});

/// The reply that found VALUE gives, as PostfixTestClient::replies() shows it.
QByteArray foundReply(EndpointMode mode, const QByteArray &value);

/// What every temporary-error reply of the mode starts with.
QByteArray temporaryPrefix(EndpointMode mode);

/// An endpoint on 127.0.0.1 (port 0: any free one) with token "t" and every other setting at its default.
EndpointConfig localEndpoint(const QString &name, EndpointMode mode, const QUrl &target, quint16 port = 0);

/// A "mode" column with one row per mode.
void addModeRows();

} // namespace prc::test
