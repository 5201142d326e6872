// SPDX-License-Identifier: GPL-3.0-or-later
// The config loader on arbitrary bytes: it must never crash, and whatever it accepts must be a usable config.
#include "config/configloader.h"
#include "fuzzcheck.h"

#include <QByteArray>
#include <QSet>
#include <QString>

#include <cstddef>
#include <cstdint>

using prc::ConfigLoader;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QString fileName = QStringLiteral("fuzz.json");

    // Secrets are not resolved: a generated "auth-token-file": "/dev/stdin" would block the run, and reading
    // files is not parsing. Both settings share the validation code.
    ConfigLoader::Options options;
    options.resolveSecrets = false;
    const auto result = ConfigLoader::parse(json, fileName, options);

    PRC_FUZZ_CHECK(result.ok() == result.errors.isEmpty());
    for (const auto &problem : result.errors + result.warnings) {
        PRC_FUZZ_CHECK(problem.file == fileName);
        PRC_FUZZ_CHECK(!problem.message.isEmpty());
        PRC_FUZZ_CHECK(problem.toString().contains(problem.message));
    }
    if (result.ok()) {
        const auto &config = *result.config;
        PRC_FUZZ_CHECK(!config.endpoints.isEmpty());
        QSet<QString> names;
        for (const auto &endpoint : config.endpoints) {
            PRC_FUZZ_CHECK(!endpoint.name.trimmed().isEmpty());
            PRC_FUZZ_CHECK(!names.contains(endpoint.name));
            names.insert(endpoint.name);
            // Exactly one listening form: a TCP port, or a Unix socket path (never for tcp-lookup).
            PRC_FUZZ_CHECK((endpoint.bindPort >= 1) != !endpoint.bindPath.isEmpty());
            PRC_FUZZ_CHECK(endpoint.bindPath.isEmpty()
                           || (endpoint.bindPath.startsWith(QLatin1Char('/'))
                               && endpoint.mode != prc::EndpointMode::TcpLookup));
            PRC_FUZZ_CHECK(endpoint.target.isValid() && !endpoint.target.host().isEmpty());
            PRC_FUZZ_CHECK(endpoint.target.scheme() == QLatin1String("http")
                           || endpoint.target.scheme() == QLatin1String("https"));
            PRC_FUZZ_CHECK(endpoint.requestTimeoutMs >= 1 && endpoint.requestTimeoutMs <= 600000);
            PRC_FUZZ_CHECK(endpoint.maxConnections >= 1 && endpoint.maxInFlight >= 1);
            PRC_FUZZ_CHECK(endpoint.effectiveIdleTimeoutMs() > 0 && endpoint.effectiveMaxRequestSize() > 0);
            PRC_FUZZ_CHECK(!endpoint.authToken.contains(QLatin1Char('\n')));
        }
    }

    // Loading is deterministic: the same bytes give the same verdict and the same endpoints.
    const auto again = ConfigLoader::parse(json, fileName, options);
    PRC_FUZZ_CHECK(again.ok() == result.ok() && again.errors.size() == result.errors.size()
                   && again.warnings.size() == result.warnings.size());
    if (result.ok())
        PRC_FUZZ_CHECK(again.config->endpoints == result.config->endpoints);
    return 0;
}
