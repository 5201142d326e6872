// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backendcall.h"

#include <QByteArray>
#include <QObject>

class QNetworkAccessManager;

namespace prc {

class BackendRequest;

/// The HTTP side of one endpoint: one QNetworkAccessManager and the headers every call carries.
class BackendClient : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        QString userAgent;
        QString authToken;
        int timeoutMs = 2000;
        qint64 maxResponseSize = 1024 * 1024;
    };

    explicit BackendClient(Settings settings, QObject *parent = nullptr);
    ~BackendClient() override;

    /// Starts a call. The returned request is owned by `owner`; it emits finished() exactly once, at the latest
    /// when the timeout elapses. Deleting it aborts the call.
    BackendRequest *start(const BackendCall &call, const QByteArray &requestId, QObject *owner);

private:
    Settings m_settings;
    QByteArray m_userAgent;
    QByteArray m_authToken;
    QNetworkAccessManager *m_network;
};

} // namespace prc
