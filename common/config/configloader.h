// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/configerror.h"
#include "config/serviceconfig.h"

#include <QJsonObject>

#include <optional>

namespace prc {

struct ConfigLoadResult
{
    std::optional<ServiceConfig> config; ///< set only when there are no errors
    ConfigErrors errors;
    ConfigErrors warnings; ///< e.g. unknown keys, a world-readable file holding a token

    bool ok() const { return config.has_value(); }
};

/// Reads and validates configuration files. Every problem is reported with the file name and the JSON path;
/// validation does not stop at the first error, so an administrator sees everything at once.
class ConfigLoader
{
public:
    static constexpr qint64 MaxFileSize = 1024 * 1024;

    struct Options
    {
        /// Read auth-token-file / auth-token-env. The admin tool turns this off when it edits a config
        /// that belongs to another machine.
        bool resolveSecrets = true;
    };

    static ConfigLoadResult loadFile(const QString &path);
    static ConfigLoadResult loadFile(const QString &path, const Options &options);
    static ConfigLoadResult parse(const QByteArray &json, const QString &fileName);
    static ConfigLoadResult parse(const QByteArray &json, const QString &fileName, const Options &options);
    static ConfigLoadResult fromJson(const QJsonObject &root, const QString &fileName,
                                     const Options &options);

    /// Every key the loader understands in an endpoint object, in documentation order.
    static QStringList endpointKeys();
    /// Endpoint keys whose value is an object of its own ("cache", "circuit-breaker"); endpointKeys() lists
    /// the plain settings.
    static QStringList endpointSectionKeys();
    /// Every key of an endpoint's "cache" object, in documentation order.
    static QStringList cacheKeys();
    /// Every key of an endpoint's "circuit-breaker" object.
    static QStringList circuitBreakerKeys();
    /// Every key of the "cache.shared" object, in documentation order.
    static QStringList sharedCacheKeys();
};

} // namespace prc
