// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <QList>
#include <QString>

namespace prc {

/// The whole configuration file: one user agent and the endpoints.
struct ServiceConfig
{
    static QString defaultUserAgent() { return QStringLiteral("Postfix REST Connector"); }

    QString userAgent = defaultUserAgent();
    QList<EndpointConfig> endpoints;
};

} // namespace prc
