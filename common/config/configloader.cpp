// SPDX-License-Identifier: GPL-3.0-or-later
#include "configloader.h"

#include "config/policyfailureaction.h"
#include "config/tlsfiles.h"
#include "jsontypename.h"
#include "logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <vector>

#ifdef Q_OS_UNIX
#include <sys/un.h>
#endif

namespace prc {
namespace {

namespace Key {
const QString UserAgent = QStringLiteral("user-agent");
const QString Endpoints = QStringLiteral("endpoints");
const QString Name = QStringLiteral("name");
const QString Mode = QStringLiteral("mode");
const QString Target = QStringLiteral("target");
const QString BindAddress = QStringLiteral("bind-address");
const QString BindPort = QStringLiteral("bind-port");
const QString BindPath = QStringLiteral("bind-path");
const QString SocketMode = QStringLiteral("socket-mode");
const QString SocketGroup = QStringLiteral("socket-group");
const QString AuthToken = QStringLiteral("auth-token");
const QString AuthTokenFile = QStringLiteral("auth-token-file");
const QString AuthTokenEnv = QStringLiteral("auth-token-env");
const QString RequestTimeout = QStringLiteral("request-timeout");
const QString ListSeparator = QStringLiteral("list-separator");
const QString MaxConnections = QStringLiteral("max-connections");
const QString IdleTimeout = QStringLiteral("idle-timeout");
const QString MaxRequestSize = QStringLiteral("max-request-size");
const QString MaxInFlight = QStringLiteral("max-in-flight");
const QString MaxResponseSize = QStringLiteral("max-response-size");
const QString BackendConnections = QStringLiteral("backend-connections");
const QString BackendHttp2 = QStringLiteral("backend-http2");
const QString BackendClient = QStringLiteral("backend-client");
const QString TlsCaFile = QStringLiteral("tls-ca-file");
const QString TlsClientCert = QStringLiteral("tls-client-cert");
const QString TlsClientKey = QStringLiteral("tls-client-key");
const QString TlsVerify = QStringLiteral("tls-verify");
const QString BackendUnixSocket = QStringLiteral("backend-unix-socket");
const QString Cache = QStringLiteral("cache");
const QString CircuitBreaker = QStringLiteral("circuit-breaker");
const QString ValuePath = QStringLiteral("value-path");
const QString NotFoundStatuses = QStringLiteral("not-found-statuses");
const QString FailureAction = QStringLiteral("failure-action");
const QString MaxQueuedCalls = QStringLiteral("max-queued-calls");
const QString Admin = QStringLiteral("admin");
} // namespace Key

namespace CacheKey {
const QString Enabled = QStringLiteral("enabled");
const QString MaxEntries = QStringLiteral("max-entries");
const QString MaxBytes = QStringLiteral("max-bytes");
const QString PositiveTtl = QStringLiteral("positive-ttl");
const QString NegativeTtl = QStringLiteral("negative-ttl");
const QString MaxTtl = QStringLiteral("max-ttl");
const QString StaleIfError = QStringLiteral("stale-if-error");
const QString HonorCacheControl = QStringLiteral("honor-cache-control");
const QString Shared = QStringLiteral("shared");
const QString KeyAttributes = QStringLiteral("key-attributes");
} // namespace CacheKey

namespace SharedKey {
const QString Url = QStringLiteral("url");
const QString Prefix = QStringLiteral("prefix");
const QString Timeout = QStringLiteral("timeout");
const QString LockWait = QStringLiteral("lock-wait");
const QString PasswordFile = QStringLiteral("password-file");
const QString PasswordEnv = QStringLiteral("password-env");
} // namespace SharedKey

#ifdef Q_OS_UNIX
constexpr int MaxSocketPathBytes = int(sizeof(sockaddr_un::sun_path)) - 1; // room for the final NUL
#else
constexpr int MaxSocketPathBytes = 107;
#endif

namespace BreakerKey {
const QString Failures = QStringLiteral("failures");
const QString OpenFor = QStringLiteral("open-for");
} // namespace BreakerKey

// More targets than this is a list of every backend there is, not a failover chain.
constexpr int MaxTargets = 16;

// Secrets read from a file are trimmed of the trailing newline editors add; a token file is tiny.
constexpr qint64 MaxTokenFileSize = 64 * 1024;

/// Turns a byte offset into "line L, column C" for JSON syntax errors.
QString position(const QByteArray &text, int offset)
{
    // QJsonParseError::offset usually points just past the character the parser stopped at; name that
    // character.
    const int at = offset > 0 ? offset - 1 : 0;
    int line = 1;
    int column = 1;
    for (int i = 0; i < at && i < text.size(); ++i) {
        if (text.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2 (offset %3)").arg(line).arg(column).arg(offset);
}

class Validator
{
public:
    Validator(QString fileName, const ConfigLoader::Options &options)
        : m_file(std::move(fileName))
        , m_options(options)
    {
    }

    ConfigLoadResult run(const QJsonObject &root)
    {
        ServiceConfig config;
        warnUnknownKeys(root, {Key::UserAgent, Key::Endpoints, Key::Admin}, QString());

        if (root.contains(Key::UserAgent))
            config.userAgent = string(root, Key::UserAgent, QString(), /*allowEmpty=*/false);

        const QJsonValue endpoints = root.value(Key::Endpoints);
        if (endpoints.isUndefined()) {
            error(Key::Endpoints, QStringLiteral("missing; expected an array of endpoint objects"));
        } else if (!endpoints.isArray()) {
            error(Key::Endpoints, QStringLiteral("must be an array, found %1").arg(jsonTypeName(endpoints)));
        } else if (endpoints.toArray().isEmpty()) {
            error(Key::Endpoints, QStringLiteral("is empty; configure at least one endpoint"));
        } else {
            const QJsonArray array = endpoints.toArray();
            for (int i = 0; i < array.size(); ++i) {
                const QString path = QStringLiteral("endpoints[%1]").arg(i);
                if (!array.at(i).isObject()) {
                    error(path, QStringLiteral("must be an object, found %1").arg(jsonTypeName(array.at(i))));
                    continue;
                }
                config.endpoints.append(endpoint(array.at(i).toObject(), path));
            }
            checkUnique(config.endpoints);
        }
        if (root.contains(Key::Admin))
            config.admin = admin(root.value(Key::Admin), config.endpoints);

        ConfigLoadResult result;
        result.errors = m_errors;
        result.warnings = m_warnings;
        if (m_errors.isEmpty())
            result.config = config;
        return result;
    }

    void error(const QString &path, const QString &message) { m_errors.append({m_file, path, message}); }
    void warning(const QString &path, const QString &message) { m_warnings.append({m_file, path, message}); }

private:
    static QString join(const QString &path, const QString &key)
    {
        return path.isEmpty() ? key : path + QLatin1Char('.') + key;
    }

    void warnUnknownKeys(const QJsonObject &object, const QStringList &known, const QString &path)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (known.contains(it.key()))
                continue;
            const QString guess = closestKey(it.key(), known);
            warning(join(path, it.key()),
                    guess.isEmpty()
                        ? QStringLiteral("unknown key, ignored (misspelt?)")
                        : QStringLiteral("unknown key, ignored; did you mean \"%1\"?").arg(guess));
        }
    }

    /// The known key a misspelt one was most likely meant to be: at most two edits away (one for short
    /// keys), and the only one that close; empty otherwise, so an unrelated key gets no odd suggestion.
    static QString closestKey(const QString &key, const QStringList &known)
    {
        const int limit = key.size() <= 4 ? 1 : 2;
        QString best;
        int bestDistance = limit + 1;
        bool tie = false;
        for (const QString &candidate : known) {
            const int distance = editDistance(key.toLower(), candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
                tie = false;
            } else if (distance == bestDistance) {
                tie = true;
            }
        }
        return bestDistance <= limit && !tie ? best : QString();
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit ("timout", "tiemout").
    static int editDistance(const QString &a, const QString &b)
    {
        const qsizetype n = a.size();
        const qsizetype m = b.size();
        if (qAbs(n - m) > 2)
            return 3; // beyond any limit closestKey() uses; keys are short, but this bounds the work
        std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
        for (qsizetype i = 0; i <= n; ++i)
            d[i][0] = int(i);
        for (qsizetype j = 0; j <= m; ++j)
            d[0][j] = int(j);
        for (qsizetype i = 1; i <= n; ++i) {
            for (qsizetype j = 1; j <= m; ++j) {
                const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
                if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[n][m];
    }

    QString string(const QJsonObject &object, const QString &key, const QString &path, bool allowEmpty)
    {
        const QJsonValue value = object.value(key);
        if (!value.isString()) {
            error(join(path, key), QStringLiteral("must be a string, found %1").arg(jsonTypeName(value)));
            return {};
        }
        if (!allowEmpty && value.toString().trimmed().isEmpty())
            error(join(path, key), QStringLiteral("must not be empty"));
        return value.toString();
    }

    QString requiredString(const QJsonObject &object, const QString &key, const QString &path,
                           bool allowEmpty)
    {
        if (!object.contains(key)) {
            error(join(path, key), QStringLiteral("missing (required)"));
            return {};
        }
        return string(object, key, path, allowEmpty);
    }

    std::optional<qint64> integer(const QJsonObject &object, const QString &key, const QString &path,
                                  qint64 min, qint64 max)
    {
        const QJsonValue value = object.value(key);
        const QString where = join(path, key);
        if (!value.isDouble()) {
            error(where, QStringLiteral("must be an integer, found %1").arg(jsonTypeName(value)));
            return std::nullopt;
        }
        const double number = value.toDouble();
        if (std::floor(number) != number) {
            error(where, QStringLiteral("must be an integer, found %1").arg(number));
            return std::nullopt;
        }
        if (number < double(min) || number > double(max)) {
            error(where,
                  QStringLiteral("%1 is out of range (%2..%3)").arg(number, 0, 'f', 0).arg(min).arg(max));
            return std::nullopt;
        }
        return qint64(number);
    }

    void optionalBool(const QJsonObject &object, const QString &key, const QString &path, bool &target)
    {
        if (!object.contains(key))
            return;
        const QJsonValue value = object.value(key);
        if (!value.isBool()) {
            error(join(path, key),
                  QStringLiteral("must be true or false, found %1").arg(jsonTypeName(value)));
            return;
        }
        target = value.toBool();
    }

    /// Checks an IP address to listen on ("localhost" included); a missing or empty value is reported
    /// elsewhere.
    void checkBindAddress(const QString &address, const QString &where)
    {
        // QHostAddress also takes inet_aton shorthands ("127.1"); an administrator who wrote one made a typo.
        const bool shorthandIpv4 =
            !address.contains(QLatin1Char(':')) && address.count(QLatin1Char('.')) != 3;
        if (!address.isEmpty() && address != QLatin1String("localhost")
            && (QHostAddress(address).isNull() || shorthandIpv4)) {
            error(where, QStringLiteral("\"%1\" is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or ::1)")
                             .arg(address));
        }
    }

    template<typename T>
    void optionalInteger(const QJsonObject &object, const QString &key, const QString &path, qint64 min,
                         qint64 max, T &target)
    {
        if (!object.contains(key))
            return;
        if (auto value = integer(object, key, path, min, max))
            target = T(*value);
    }

    EndpointConfig endpoint(const QJsonObject &object, const QString &path)
    {
        EndpointConfig endpoint;
        warnUnknownKeys(object, ConfigLoader::endpointKeys() + ConfigLoader::endpointSectionKeys(), path);

        endpoint.name = requiredString(object, Key::Name, path, false);

        const QString mode = requiredString(object, Key::Mode, path, false);
        if (!mode.isEmpty()) {
            if (auto parsed = modeFromName(mode))
                endpoint.mode = *parsed;
            else
                error(join(path, Key::Mode),
                      QStringLiteral("unknown mode \"%1\"; expected tcp-lookup, socketmap-lookup or policy")
                          .arg(mode));
        }

        targets(object, path, endpoint);

        listenAddress(object, path, endpoint);

        authToken(object, path, endpoint);

        optionalInteger(object, Key::RequestTimeout, path, 1, 600000, endpoint.requestTimeoutMs);
        if (object.contains(Key::ListSeparator))
            endpoint.listSeparator = string(object, Key::ListSeparator, path, /*allowEmpty=*/true);
        optionalInteger(object, Key::MaxConnections, path, 1, 1000000, endpoint.maxConnections);
        optionalInteger(object, Key::IdleTimeout, path, 1000, 86400000, endpoint.idleTimeoutMs);
        optionalInteger(object, Key::MaxRequestSize, path, 512, 16 * 1024 * 1024, endpoint.maxRequestSize);
        optionalInteger(object, Key::MaxInFlight, path, 1, 10000, endpoint.maxInFlight);
        optionalInteger(object, Key::MaxResponseSize, path, 1024, 256 * 1024 * 1024,
                        endpoint.maxResponseSize);
        optionalInteger(object, Key::BackendConnections, path, 1, 600, endpoint.backendConnections);
        if (object.contains(Key::BackendHttp2)) {
            const QJsonValue value = object.value(Key::BackendHttp2);
            if (value.isBool())
                endpoint.backendHttp2 = value.toBool();
            else
                error(join(path, Key::BackendHttp2),
                      QStringLiteral("must be true or false, found %1").arg(jsonTypeName(value)));
        }
        backendClient(object, path, endpoint);
        if (object.contains(Key::Cache)) {
            endpoint.cache = cache(object.value(Key::Cache), join(path, Key::Cache), endpoint.mode);
            lockWaitWithinRequestTimeout(object.value(Key::Cache).toObject(), path, endpoint);
        }
        failover(object, path, endpoint);
        return endpoint;
    }

    /// "target": one URL, or an array of them tried in order.
    void targets(const QJsonObject &object, const QString &path, EndpointConfig &endpoint)
    {
        const QString where = join(path, Key::Target);
        const QJsonValue value = object.value(Key::Target);
        if (!value.isArray() && !value.isString() && !value.isUndefined()) {
            error(where, QStringLiteral("must be a URL string or an array of URLs, found %1")
                             .arg(jsonTypeName(value)));
            return;
        }
        if (!value.isArray()) {
            const QString text = requiredString(object, Key::Target, path, false);
            if (!text.isEmpty())
                endpoint.target = targetUrl(text, where);
            return;
        }
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            error(where, QStringLiteral("is an empty array; give at least one URL"));
            return;
        }
        if (array.size() > MaxTargets) {
            error(where,
                  QStringLiteral("lists %1 URLs; at most %2 are allowed").arg(array.size()).arg(MaxTargets));
            return;
        }
        QList<QUrl> urls;
        for (int i = 0; i < array.size(); ++i) {
            const QString item = QStringLiteral("%1[%2]").arg(where).arg(i);
            const QJsonValue url = array.at(i);
            if (!url.isString()) {
                error(item, QStringLiteral("must be a URL string, found %1").arg(jsonTypeName(url)));
                continue;
            }
            if (url.toString().trimmed().isEmpty()) {
                error(item, QStringLiteral("must not be empty"));
                continue;
            }
            const QUrl parsed = targetUrl(url.toString(), item);
            // The same backend twice would send one policy request to it twice.
            const qsizetype earlier = urls.indexOf(parsed);
            if (earlier >= 0)
                error(item, QStringLiteral("\"%1\" is already listed at %2[%3]")
                                .arg(url.toString(), where)
                                .arg(earlier));
            urls.append(parsed);
        }
        if (!urls.isEmpty()) {
            endpoint.target = urls.takeFirst();
            endpoint.failoverTargets = urls;
        }
    }

    QUrl targetUrl(const QString &target, const QString &where)
    {
        const QUrl url(target, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (!url.isValid())
            error(where, QStringLiteral("\"%1\" is not a valid URL: %2").arg(target, url.errorString()));
        else if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
            error(where, QStringLiteral("\"%1\" must be an http:// or https:// URL").arg(target));
        else if (url.host().isEmpty())
            error(where, QStringLiteral("\"%1\" has no host").arg(target));
        return url;
    }

    /// The keys that shape answers and decide what a failing backend costs.
    void failover(const QJsonObject &object, const QString &path, EndpointConfig &endpoint)
    {
        const bool policy = endpoint.mode == EndpointMode::Policy;
        if (object.contains(Key::CircuitBreaker))
            endpoint.circuitBreaker =
                circuitBreaker(object.value(Key::CircuitBreaker), join(path, Key::CircuitBreaker));
        if (object.contains(Key::ValuePath)) {
            endpoint.valuePath = string(object, Key::ValuePath, path, /*allowEmpty=*/true);
            const QString problem = jsonPointerProblem(endpoint.valuePath);
            if (!problem.isEmpty())
                error(join(path, Key::ValuePath), problem);
            else if (policy)
                ignoredFor(path, Key::ValuePath, QStringLiteral("lookup"));
        }
        if (object.contains(Key::NotFoundStatuses)) {
            notFoundStatuses(object.value(Key::NotFoundStatuses), join(path, Key::NotFoundStatuses),
                             endpoint);
            if (policy)
                ignoredFor(path, Key::NotFoundStatuses, QStringLiteral("lookup"));
        }
        if (object.contains(Key::FailureAction)) {
            const QString where = join(path, Key::FailureAction);
            const QJsonValue value = object.value(Key::FailureAction);
            if (!value.isString()) {
                error(where, QStringLiteral("must be a string, found %1").arg(jsonTypeName(value)));
            } else if (const QString problem = PolicyFailureAction::problem(value.toString());
                       !problem.isEmpty()) {
                error(where, problem);
            } else {
                endpoint.failureAction = value.toString();
                if (!policy)
                    ignoredFor(path, Key::FailureAction, QStringLiteral("policy"));
                else if (const QString risk = PolicyFailureAction::riskWarning(endpoint.failureAction);
                         !risk.isEmpty())
                    warning(where, risk);
            }
        }
        optionalInteger(object, Key::MaxQueuedCalls, path, 0, 1000000, endpoint.maxQueuedCalls);
    }

    void ignoredFor(const QString &path, const QString &key, const QString &modes)
    {
        warning(join(path, key), QStringLiteral("only %1 endpoints use this key; ignored").arg(modes));
    }

    /// RFC 6901 syntax: empty (the whole document) or "/"-separated tokens where "~" is followed by 0 or 1.
    static QString jsonPointerProblem(const QString &pointer)
    {
        if (pointer.isEmpty())
            return {};
        if (!pointer.startsWith(QLatin1Char('/')))
            return QStringLiteral(
                       "\"%1\" is not a JSON pointer: it must be empty or start with \"/\" (RFC 6901)")
                .arg(pointer);
        for (qsizetype i = 0; i < pointer.size(); ++i) {
            if (pointer.at(i) != QLatin1Char('~'))
                continue;
            if (i + 1 >= pointer.size()
                || (pointer.at(i + 1) != QLatin1Char('0') && pointer.at(i + 1) != QLatin1Char('1')))
                return QStringLiteral(
                           "\"%1\" is not a JSON pointer: \"~\" at offset %2 must be followed by 0 or 1 "
                           "(\"~0\" is ~, \"~1\" is /)")
                    .arg(pointer)
                    .arg(i);
        }
        return {};
    }

    void notFoundStatuses(const QJsonValue &value, const QString &where, EndpointConfig &endpoint)
    {
        if (!value.isArray()) {
            error(where,
                  QStringLiteral("must be an array of HTTP statuses, found %1").arg(jsonTypeName(value)));
            return;
        }
        const QJsonArray array = value.toArray();
        QList<int> statuses;
        bool ok = true;
        for (int i = 0; i < array.size(); ++i) {
            const QString item = QStringLiteral("%1[%2]").arg(where).arg(i);
            const QJsonValue status = array.at(i);
            const double number = status.toDouble();
            if (!status.isDouble() || std::floor(number) != number) {
                error(item, QStringLiteral("must be an integer HTTP status, found %1")
                                .arg(status.isDouble() ? QString::number(number) : jsonTypeName(status)));
                ok = false;
            } else if (number < 100 || number > 599) {
                error(item, QStringLiteral("%1 is not an HTTP status (100..599)").arg(number, 0, 'f', 0));
                ok = false;
            } else if (number == 200) {
                error(item, QStringLiteral("200 is the status of an answer; list other statuses only"));
                ok = false;
            } else if (statuses.contains(int(number))) {
                error(item, QStringLiteral("%1 is listed twice").arg(number, 0, 'f', 0));
                ok = false;
            } else {
                statuses.append(int(number));
            }
        }
        if (ok)
            endpoint.notFoundStatuses = statuses;
    }

    CircuitBreakerConfig circuitBreaker(const QJsonValue &value, const QString &path)
    {
        CircuitBreakerConfig breaker;
        if (!value.isObject()) {
            error(path, QStringLiteral("must be an object, found %1").arg(jsonTypeName(value)));
            return breaker;
        }
        const QJsonObject object = value.toObject();
        warnUnknownKeys(object, ConfigLoader::circuitBreakerKeys(), path);
        breaker.enabled = true;
        optionalInteger(object, BreakerKey::Failures, path, 1, 1000, breaker.failures);
        optionalInteger(object, BreakerKey::OpenFor, path, 100, 3600000, breaker.openForMs);
        return breaker;
    }

    CacheConfig cache(const QJsonValue &value, const QString &path, EndpointMode mode)
    {
        CacheConfig cache;
        if (!value.isObject()) {
            error(path, QStringLiteral("must be an object, found %1").arg(jsonTypeName(value)));
            return cache;
        }
        const QJsonObject object = value.toObject();
        warnUnknownKeys(object, ConfigLoader::cacheKeys(), path);
        optionalBool(object, CacheKey::Enabled, path, cache.enabled);
        optionalInteger(object, CacheKey::MaxEntries, path, 1, 10000000, cache.maxEntries);
        optionalInteger(object, CacheKey::MaxBytes, path, 4096, qint64(64) * 1024 * 1024 * 1024,
                        cache.maxBytes);
        constexpr qint64 Day = 24 * 60 * 60 * 1000;
        optionalInteger(object, CacheKey::PositiveTtl, path, 0, Day, cache.positiveTtlMs);
        optionalInteger(object, CacheKey::NegativeTtl, path, 0, Day, cache.negativeTtlMs);
        optionalInteger(object, CacheKey::MaxTtl, path, 1000, 7 * Day, cache.maxTtlMs);
        optionalInteger(object, CacheKey::StaleIfError, path, 0, 7 * Day, cache.staleIfErrorMs);
        optionalBool(object, CacheKey::HonorCacheControl, path, cache.honorCacheControl);
        if (object.contains(CacheKey::Shared))
            cache.shared = shared(object.value(CacheKey::Shared), join(path, CacheKey::Shared));
        if (object.contains(CacheKey::KeyAttributes))
            cache.keyAttributes = keyAttributes(object.value(CacheKey::KeyAttributes),
                                                join(path, CacheKey::KeyAttributes), mode);

        if (!cache.enabled && object.size() > int(object.contains(CacheKey::Enabled))) {
            warning(join(path, CacheKey::Enabled),
                    QStringLiteral(
                        "cache settings are given but the cache is off; set \"enabled\": true to use them"));
        }
        if (cache.enabled && mode == EndpointMode::Policy && !cache.keyAttributes.isEmpty()) {
            warning(
                join(path, CacheKey::KeyAttributes),
                QStringLiteral("one policy answer is shared by every request with the same %1; the backend "
                               "must decide on these attributes alone")
                    .arg(cache.keyAttributes.join(QLatin1String(", "))));
        } else if (cache.enabled && mode == EndpointMode::Policy) {
            // Allowed on purpose (a backend that looks at the sender only, say), but rarely what one wants.
            warning(
                join(path, CacheKey::Enabled),
                QStringLiteral("caching a policy endpoint: an answer is keyed by the whole request (client "
                               "address, queue id, ...) and reused only for an identical request"));
        }
        return cache;
    }

    SharedCacheConfig shared(const QJsonValue &value, const QString &path)
    {
        SharedCacheConfig shared;
        if (!value.isObject()) {
            error(path, QStringLiteral("must be an object, found %1").arg(jsonTypeName(value)));
            return shared;
        }
        const QJsonObject object = value.toObject();
        warnUnknownKeys(object, ConfigLoader::sharedCacheKeys(), path);
        shared.enabled = true;
        shared.url = requiredString(object, SharedKey::Url, path, false);
        if (!shared.url.isEmpty())
            sharedUrl(join(path, SharedKey::Url), shared);
        if (object.contains(SharedKey::Prefix)) {
            shared.prefix = string(object, SharedKey::Prefix, path, /*allowEmpty=*/true);
            // Redis keys may hold any byte, but a prefix is typed into redis-cli and shell scripts.
            for (const QChar c : std::as_const(shared.prefix)) {
                if (c.unicode() <= 0x20 || c.unicode() >= 0x7f) {
                    error(join(path, SharedKey::Prefix),
                          QStringLiteral("only printable ASCII without spaces is allowed"));
                    break;
                }
            }
            if (shared.prefix.size() > 64)
                error(join(path, SharedKey::Prefix), QStringLiteral("longer than 64 characters"));
        }
        optionalInteger(object, SharedKey::Timeout, path, 1, 10000, shared.timeoutMs);
        optionalInteger(object, SharedKey::LockWait, path, 0, 10000, shared.lockWaitMs);

        if (object.contains(SharedKey::PasswordFile) && object.contains(SharedKey::PasswordEnv)) {
            error(join(path, SharedKey::PasswordFile),
                  QStringLiteral("give only one of password-file and password-env"));
        } else if (object.contains(SharedKey::PasswordFile)) {
            shared.passwordSource = TokenSource::File;
            shared.passwordReference = string(object, SharedKey::PasswordFile, path, false);
            if (m_options.resolveSecrets && !shared.passwordReference.isEmpty())
                shared.password =
                    readTokenFile(shared.passwordReference, join(path, SharedKey::PasswordFile));
        } else if (object.contains(SharedKey::PasswordEnv)) {
            shared.passwordSource = TokenSource::Environment;
            shared.passwordReference = string(object, SharedKey::PasswordEnv, path, false);
            if (m_options.resolveSecrets && !shared.passwordReference.isEmpty()) {
                const auto env = QProcessEnvironment::systemEnvironment();
                if (env.value(shared.passwordReference).isEmpty())
                    error(join(path, SharedKey::PasswordEnv),
                          QStringLiteral("environment variable %1 is not set or empty")
                              .arg(shared.passwordReference));
                else
                    shared.password = env.value(shared.passwordReference);
            }
        }
        if (shared.password.contains(QLatin1Char('\n')) || shared.password.contains(QLatin1Char('\r')))
            error(join(path, shared.passwordSource == TokenSource::File ? SharedKey::PasswordFile
                                                                        : SharedKey::PasswordEnv),
                  QStringLiteral("the password must not contain a line break"));
        return shared;
    }

    /// A fleet lookup waits for another connector's answer at most half its request-timeout, so the backend
    /// call it may still have to make keeps the other half: a lock-wait set above that is cut, and said so.
    void lockWaitWithinRequestTimeout(const QJsonObject &cache, const QString &path,
                                      const EndpointConfig &endpoint)
    {
        const SharedCacheConfig &shared = endpoint.cache.shared;
        if (!shared.enabled || !cache.value(CacheKey::Shared).toObject().contains(SharedKey::LockWait)
            || shared.lockWaitMs <= endpoint.requestTimeoutMs / 2)
            return;
        warning(join(join(join(path, Key::Cache), CacheKey::Shared), SharedKey::LockWait),
                QStringLiteral("%1 ms is more than half of request-timeout (%2 ms): waits end after %3 ms")
                    .arg(shared.lockWaitMs)
                    .arg(endpoint.requestTimeoutMs)
                    .arg(endpoint.requestTimeoutMs / 2));
    }

    /// redis://host[:port][/db] or unix:/absolute/path.
    void sharedUrl(const QString &where, SharedCacheConfig &shared)
    {
        const QString &text = shared.url;
        if (text.startsWith(QLatin1String("unix:"))) {
            shared.unixPath = text.mid(5);
            if (!shared.unixPath.startsWith(QLatin1Char('/')))
                error(where, QStringLiteral("\"%1\": a Unix socket needs an absolute path (unix:/run/redis/"
                                            "redis-server.sock)")
                                 .arg(text));
            return;
        }
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("redis")) {
            error(where, QStringLiteral("\"%1\" is not a redis://host:port/db or unix:/path URL").arg(text));
            return;
        }
        if (!url.userInfo().isEmpty()) {
            // A password in the URL would end up in logs and in the GUI; it has its own keys.
            error(where, QStringLiteral("must not contain a user or password; use password-file or "
                                        "password-env"));
            return;
        }
        if (url.host().isEmpty()) {
            error(where, QStringLiteral("\"%1\" has no host").arg(text));
            return;
        }
        if (url.hasQuery() || url.hasFragment()) {
            error(where, QStringLiteral("\"%1\" must not have a query or fragment").arg(text));
            return;
        }
        shared.host = url.host();
        shared.port = quint16(url.port(SharedCacheConfig::DefaultPort));
        const QString db = url.path().mid(1);
        if (!url.path().isEmpty() && url.path() != QLatin1String("/")) {
            bool ok = false;
            const int number = db.toInt(&ok);
            if (!url.path().startsWith(QLatin1Char('/')) || !ok || number < 0 || number > 1000000
                || db.startsWith(QLatin1Char('+'))) {
                error(where,
                      QStringLiteral("\"%1\": the path must be a database number (/0, /1, ...)").arg(text));
                return;
            }
            shared.database = number;
        }
    }

    QStringList keyAttributes(const QJsonValue &value, const QString &where, EndpointMode mode)
    {
        if (!value.isArray()) {
            error(where, QStringLiteral("must be an array of policy attribute names, found %1")
                             .arg(jsonTypeName(value)));
            return {};
        }
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            // An empty key would give every request the first answer that was stored.
            error(where, QStringLiteral("is empty; list the attributes the answer depends on"));
            return {};
        }
        QStringList names;
        for (int i = 0; i < array.size(); ++i) {
            const QString item = QStringLiteral("%1[%2]").arg(where).arg(i);
            const QJsonValue name = array.at(i);
            if (!name.isString()) {
                error(item, QStringLiteral("must be a string, found %1").arg(jsonTypeName(name)));
                continue;
            }
            const QString text = name.toString();
            const bool plain = !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) {
                return (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
                       || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_');
            });
            if (!plain)
                error(item,
                      QStringLiteral("\"%1\" is not a policy attribute name (lower-case letters, digits, _)")
                          .arg(text));
            else if (names.contains(text))
                error(item, QStringLiteral("\"%1\" is listed twice").arg(text));
            else
                names.append(text);
        }
        if (mode != EndpointMode::Policy)
            ignoredFor(where.section(QLatin1Char('.'), 0, -2), CacheKey::KeyAttributes,
                       QStringLiteral("policy"));
        return names;
    }

    std::optional<AdminConfig> admin(const QJsonValue &value, const QList<EndpointConfig> &endpoints)
    {
        const QString path = Key::Admin;
        if (!value.isObject()) {
            error(path, QStringLiteral("must be an object, found %1").arg(jsonTypeName(value)));
            return std::nullopt;
        }
        const QJsonObject object = value.toObject();
        warnUnknownKeys(object, {Key::BindAddress, Key::BindPort}, path);
        AdminConfig admin;
        if (object.contains(Key::BindAddress)) {
            admin.bindAddress = string(object, Key::BindAddress, path, false);
            checkBindAddress(admin.bindAddress, join(path, Key::BindAddress));
        }
        if (!object.contains(Key::BindPort))
            error(join(path, Key::BindPort), QStringLiteral("missing (required)"));
        else if (auto port = integer(object, Key::BindPort, path, 1, 65535))
            admin.bindPort = quint16(*port);

        const QHostAddress address = admin.bindAddress == QLatin1String("localhost")
                                         ? QHostAddress(QHostAddress::LocalHost)
                                         : QHostAddress(admin.bindAddress);
        if (!address.isNull() && !address.isLoopback()) {
            warning(join(path, Key::BindAddress),
                    QStringLiteral(
                        "\"%1\" is not a loopback address; /metrics and /healthz have no authentication")
                        .arg(admin.bindAddress));
        }
        for (int i = 0; i < endpoints.size(); ++i) {
            const EndpointConfig &endpoint = endpoints.at(i);
            if (admin.bindPort != 0 && endpoint.bindPort == admin.bindPort
                && overlaps(admin.bindAddress, endpoint.bindAddress)) {
                error(join(path, Key::BindPort), QStringLiteral("%1:%2 is already used by endpoints[%3] (%4)")
                                                     .arg(admin.bindAddress)
                                                     .arg(admin.bindPort)
                                                     .arg(i)
                                                     .arg(endpoint.name));
            }
        }
        return admin;
    }

    void backendClient(const QJsonObject &object, const QString &path, EndpointConfig &endpoint)
    {
        if (object.contains(Key::BackendClient)) {
            const QString name = string(object, Key::BackendClient, path, false);
            if (auto kind = backendClientFromName(name))
                endpoint.backendClient = *kind;
            else if (!name.isEmpty())
                error(join(path, Key::BackendClient),
                      QStringLiteral("unknown client \"%1\"; expected \"curl\" or \"qt\"").arg(name));
        }
        const bool curl = endpoint.backendClient == BackendClientKind::Curl;
        if (curl && endpoint.backendHttp2 && endpoint.target.scheme() == QLatin1String("http"))
            error(join(path, Key::BackendHttp2),
                  QStringLiteral(
                      "HTTP/2 to an http:// target (prior knowledge, h2c) is not reliable with this "
                      "system's libcurl; use an https:// target, or set \"backend-client\": \"qt\""));

        if (object.contains(Key::BackendUnixSocket)) {
            endpoint.backendUnixSocket = string(object, Key::BackendUnixSocket, path, false);
            const QString where = join(path, Key::BackendUnixSocket);
            if (!curl)
                error(where, QStringLiteral("needs the curl client; remove \"backend-client\": \"qt\""));
            else if (!endpoint.backendUnixSocket.isEmpty()
                     && QFileInfo(endpoint.backendUnixSocket).isRelative())
                error(where,
                      QStringLiteral("\"%1\" must be an absolute path").arg(endpoint.backendUnixSocket));
            else if (endpoint.backendUnixSocket.toLocal8Bit().size() > MaxSocketPathBytes)
                error(where, QStringLiteral("is longer than %1 bytes").arg(MaxSocketPathBytes));
        }

        TlsConfig &tls = endpoint.tls;
        tls.caFile = tlsFile(object, Key::TlsCaFile, path, TlsFileKind::Certificates);
        tls.clientCert = tlsFile(object, Key::TlsClientCert, path, TlsFileKind::Certificates);
        tls.clientKey = tlsFile(object, Key::TlsClientKey, path, TlsFileKind::PrivateKey);
        if (!tls.clientKey.isEmpty() && tls.clientCert.isEmpty())
            error(join(path, Key::TlsClientKey), QStringLiteral("given without tls-client-cert"));
        if (m_options.resolveSecrets && !tls.clientCert.isEmpty() && tls.clientKey.isEmpty()
            && QFileInfo(tls.clientCert).isReadable() && TlsFiles::privateKey(tls.clientCert).isNull())
            error(join(path, Key::TlsClientCert),
                  QStringLiteral("%1 holds no private key; give tls-client-key").arg(tls.clientCert));
        if (object.contains(Key::TlsVerify)) {
            if (auto verify = boolean(object, Key::TlsVerify, path))
                tls.verify = *verify;
        }
        if (!tls.verify)
            warning(join(path, Key::TlsVerify),
                    QStringLiteral("false: the backend's certificate is not checked; anyone on the path can "
                                   "answer in its place"));
    }

    enum class TlsFileKind { Certificates, PrivateKey };

    /// A tls-* path: must name a readable PEM file of the expected kind (checked when the service loads the
    /// file, not when the admin tool edits it on another machine). Relative paths are relative to the config.
    QString tlsFile(const QJsonObject &object, const QString &key, const QString &path, TlsFileKind kind)
    {
        if (!object.contains(key))
            return {};
        const QString reference = string(object, key, path, false);
        if (reference.isEmpty() || !m_options.resolveSecrets)
            return reference;
        QString file = reference;
        if (QFileInfo(file).isRelative() && !m_file.isEmpty())
            file = QFileInfo(m_file).absoluteDir().filePath(reference);
        const QString where = join(path, key);
        QFile pem(file);
        if (!pem.open(QIODevice::ReadOnly)) {
            error(where, QStringLiteral("cannot read %1: %2").arg(file, pem.errorString()));
            return file;
        }
        pem.close();
        if (kind == TlsFileKind::Certificates && TlsFiles::certificates(file).isEmpty())
            error(where, QStringLiteral("%1 holds no PEM certificate").arg(file));
        if (kind == TlsFileKind::PrivateKey && TlsFiles::privateKey(file).isNull())
            error(where, QStringLiteral("%1 holds no unencrypted PEM private key").arg(file));
        return file;
    }

    std::optional<bool> boolean(const QJsonObject &object, const QString &key, const QString &path)
    {
        const QJsonValue value = object.value(key);
        if (value.isBool())
            return value.toBool();
        error(join(path, key), QStringLiteral("must be true or false, found %1").arg(jsonTypeName(value)));
        return std::nullopt;
    }

    /// Exactly one of two forms: bind-address and bind-port (TCP), or bind-path (a Unix socket).
    void listenAddress(const QJsonObject &object, const QString &path, EndpointConfig &endpoint)
    {
        const bool tcp = object.contains(Key::BindAddress) || object.contains(Key::BindPort);
        if (!object.contains(Key::BindPath)) {
            if (!object.contains(Key::BindAddress))
                error(join(path, Key::BindAddress),
                      QStringLiteral("missing (required), or bind-path for a Unix socket"));
            else
                endpoint.bindAddress = string(object, Key::BindAddress, path, false);
            checkBindAddress(endpoint.bindAddress, join(path, Key::BindAddress));
            if (!object.contains(Key::BindPort))
                error(join(path, Key::BindPort), QStringLiteral("missing (required)"));
            else if (auto port = integer(object, Key::BindPort, path, 1, 65535))
                endpoint.bindPort = quint16(*port);
            for (const QString &key : {Key::SocketMode, Key::SocketGroup}) {
                if (object.contains(key))
                    error(join(path, key), QStringLiteral("applies to a Unix socket only; give bind-path "
                                                          "instead of bind-address and bind-port"));
            }
            return;
        }

        const QString where = join(path, Key::BindPath);
        if (tcp) {
            error(where, QStringLiteral("give either bind-path (a Unix socket) or bind-address and bind-port "
                                        "(TCP), not both"));
        }
        endpoint.bindPath = string(object, Key::BindPath, path, false);
        const QByteArray encoded = endpoint.bindPath.toLocal8Bit();
        if (endpoint.bindPath.trimmed().isEmpty()) {
            // reported by string()
        } else if (!endpoint.bindPath.startsWith(QLatin1Char('/'))) {
            error(where, QStringLiteral("\"%1\" must be an absolute path").arg(endpoint.bindPath));
        } else if (encoded.contains('\0')) {
            error(where, QStringLiteral("must not contain a NUL character"));
        } else if (encoded.size() > MaxSocketPathBytes) {
            error(where, QStringLiteral("is %1 bytes long; a Unix socket path has at most %2")
                             .arg(encoded.size())
                             .arg(MaxSocketPathBytes));
        }
        if (object.contains(Key::Mode) && endpoint.mode == EndpointMode::TcpLookup) {
            error(where,
                  QStringLiteral("tcp-lookup cannot listen on a Unix socket: Postfix's tcp_table speaks "
                                 "TCP only (use socketmap-lookup for socketmap:unix:...)"));
        }

        if (object.contains(Key::SocketMode)) {
            const QJsonValue value = object.value(Key::SocketMode);
            const QString text = value.toString();
            bool ok = false;
            const int mode = text.toInt(&ok, 8);
            static const QRegularExpression octal(QStringLiteral("^0?[0-7]{3}$"));
            if (!value.isString())
                error(join(path, Key::SocketMode),
                      QStringLiteral("must be an octal string such as \"0660\", found %1")
                          .arg(jsonTypeName(value)));
            else if (!octal.match(text).hasMatch() || !ok)
                error(
                    join(path, Key::SocketMode),
                    QStringLiteral("\"%1\" is not a file mode; expected three octal digits such as \"0660\"")
                        .arg(text));
            else if ((mode & 0600) != 0600)
                error(join(path, Key::SocketMode),
                      QStringLiteral("\"%1\" takes read and write access from the service's own user; keep "
                                     "at least 0600")
                          .arg(text));
            else
                endpoint.socketMode = mode;
        }
        if (object.contains(Key::SocketGroup)) {
            endpoint.socketGroup = string(object, Key::SocketGroup, path, false);
            static const QRegularExpression group(QStringLiteral("^[A-Za-z0-9_.][A-Za-z0-9_.-]*\\$?$"));
            if (!endpoint.socketGroup.trimmed().isEmpty() && !group.match(endpoint.socketGroup).hasMatch())
                error(join(path, Key::SocketGroup),
                      QStringLiteral("\"%1\" is not a group name").arg(endpoint.socketGroup));
        }
    }

    void authToken(const QJsonObject &object, const QString &path, EndpointConfig &endpoint)
    {
        const int sources = int(object.contains(Key::AuthToken)) + int(object.contains(Key::AuthTokenFile))
                            + int(object.contains(Key::AuthTokenEnv));
        if (sources == 0) {
            error(join(path, Key::AuthToken),
                  QStringLiteral("missing (required; or give auth-token-file or auth-token-env instead)"));
            return;
        }
        if (sources > 1) {
            error(join(path, Key::AuthToken),
                  QStringLiteral("give only one of auth-token, auth-token-file and auth-token-env"));
            return;
        }
        if (object.contains(Key::AuthToken)) {
            endpoint.tokenSource = TokenSource::Inline;
            endpoint.authToken = string(object, Key::AuthToken, path, /*allowEmpty=*/true);
        } else if (object.contains(Key::AuthTokenFile)) {
            endpoint.tokenSource = TokenSource::File;
            endpoint.tokenReference = string(object, Key::AuthTokenFile, path, false);
            if (m_options.resolveSecrets && !endpoint.tokenReference.isEmpty())
                endpoint.authToken = readTokenFile(endpoint.tokenReference, join(path, Key::AuthTokenFile));
        } else {
            endpoint.tokenSource = TokenSource::Environment;
            endpoint.tokenReference = string(object, Key::AuthTokenEnv, path, false);
            if (m_options.resolveSecrets && !endpoint.tokenReference.isEmpty()) {
                const auto env = QProcessEnvironment::systemEnvironment();
                if (!env.contains(endpoint.tokenReference))
                    error(join(path, Key::AuthTokenEnv),
                          QStringLiteral("environment variable %1 is not set").arg(endpoint.tokenReference));
                // An empty secret is a deployment mistake ("TOKEN=" in an EnvironmentFile), like an empty
                // token file.
                else if (env.value(endpoint.tokenReference).isEmpty())
                    error(join(path, Key::AuthTokenEnv),
                          QStringLiteral("environment variable %1 is empty").arg(endpoint.tokenReference));
                else
                    endpoint.authToken = env.value(endpoint.tokenReference);
            }
        }
        if (endpoint.authToken.contains(QLatin1Char('\n')) || endpoint.authToken.contains(QLatin1Char('\r')))
            error(join(path, Key::AuthToken), QStringLiteral("the token must not contain a line break"));
    }

    QString readTokenFile(const QString &reference, const QString &where)
    {
        QString path = reference;
        if (QFileInfo(path).isRelative() && !m_file.isEmpty())
            path = QFileInfo(m_file).absoluteDir().filePath(reference);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            error(where, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
            return {};
        }
        const QByteArray content = file.read(MaxTokenFileSize + 1);
        if (content.size() > MaxTokenFileSize) {
            error(where, QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(MaxTokenFileSize));
            return {};
        }
        const QString token = QString::fromUtf8(content).trimmed();
        if (token.isEmpty())
            error(where, QStringLiteral("%1 is empty").arg(path));
        return token;
    }

    void checkUnique(const QList<EndpointConfig> &endpoints)
    {
        for (int i = 0; i < endpoints.size(); ++i) {
            for (int j = 0; j < i; ++j) {
                const EndpointConfig &a = endpoints.at(i);
                const EndpointConfig &b = endpoints.at(j);
                if (!a.name.isEmpty() && a.name == b.name)
                    error(QStringLiteral("endpoints[%1].name").arg(i),
                          QStringLiteral("\"%1\" is already used by endpoints[%2]").arg(a.name).arg(j));
                if (!a.bindPath.isEmpty() && a.bindPath == b.bindPath)
                    error(QStringLiteral("endpoints[%1].bind-path").arg(i),
                          QStringLiteral("%1 is already used by endpoints[%2] (%3)")
                              .arg(a.bindPath)
                              .arg(j)
                              .arg(b.name));
                if (a.bindPort != 0 && a.bindPort == b.bindPort && overlaps(a.bindAddress, b.bindAddress))
                    error(QStringLiteral("endpoints[%1].bind-port").arg(i),
                          QStringLiteral("%1:%2 is already used by endpoints[%3] (%4)")
                              .arg(a.bindAddress)
                              .arg(a.bindPort)
                              .arg(j)
                              .arg(b.name));
            }
        }
    }

    static bool overlaps(const QString &a, const QString &b)
    {
        // Compare addresses, not spellings: the service binds "localhost" as 127.0.0.1.
        const auto host = [](const QString &address) {
            return address == QLatin1String("localhost") ? QHostAddress(QHostAddress::LocalHost)
                                                         : QHostAddress(address);
        };
        const auto isAny = [](const QHostAddress &address) {
            return address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
                   || address == QHostAddress::Any;
        };
        const QHostAddress hostA = host(a);
        const QHostAddress hostB = host(b);
        return a == b || (!hostA.isNull() && hostA == hostB) || isAny(hostA) || isAny(hostB);
    }

    QString m_file;
    ConfigLoader::Options m_options;
    ConfigErrors m_errors;
    ConfigErrors m_warnings;
};

} // namespace

QStringList ConfigLoader::endpointKeys()
{
    return {Key::Name,
            Key::Mode,
            Key::Target,
            Key::BindAddress,
            Key::BindPort,
            Key::BindPath,
            Key::SocketMode,
            Key::SocketGroup,
            Key::AuthToken,
            Key::AuthTokenFile,
            Key::AuthTokenEnv,
            Key::RequestTimeout,
            Key::ListSeparator,
            Key::MaxConnections,
            Key::IdleTimeout,
            Key::MaxRequestSize,
            Key::MaxInFlight,
            Key::MaxResponseSize,
            Key::BackendConnections,
            Key::BackendHttp2,
            Key::BackendClient,
            Key::TlsCaFile,
            Key::TlsClientCert,
            Key::TlsClientKey,
            Key::TlsVerify,
            Key::BackendUnixSocket,
            Key::ValuePath,
            Key::NotFoundStatuses,
            Key::FailureAction,
            Key::MaxQueuedCalls};
}

QStringList ConfigLoader::endpointSectionKeys()
{
    return {Key::Cache, Key::CircuitBreaker};
}

QStringList ConfigLoader::circuitBreakerKeys()
{
    return {BreakerKey::Failures, BreakerKey::OpenFor};
}

QStringList ConfigLoader::cacheKeys()
{
    return {CacheKey::Enabled,      CacheKey::MaxEntries,        CacheKey::MaxBytes,
            CacheKey::PositiveTtl,  CacheKey::NegativeTtl,       CacheKey::MaxTtl,
            CacheKey::StaleIfError, CacheKey::HonorCacheControl, CacheKey::KeyAttributes,
            CacheKey::Shared};
}

QStringList ConfigLoader::sharedCacheKeys()
{
    return {SharedKey::Url,      SharedKey::Prefix,       SharedKey::Timeout,
            SharedKey::LockWait, SharedKey::PasswordFile, SharedKey::PasswordEnv};
}

ConfigLoadResult ConfigLoader::loadFile(const QString &path)
{
    return loadFile(path, Options());
}

ConfigLoadResult ConfigLoader::loadFile(const QString &path, const Options &options)
{
    ConfigLoadResult failed;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        failed.errors.append({path, QString(), QStringLiteral("cannot open: %1").arg(file.errorString())});
        return failed;
    }
    // Bounded read: a config is small; anything larger is a mistake (or /dev/zero).
    const QByteArray content = file.read(MaxFileSize + 1);
    if (content.size() > MaxFileSize) {
        failed.errors.append(
            {path, QString(),
             QStringLiteral("larger than %1 bytes; is this the right file?").arg(MaxFileSize)});
        return failed;
    }
    ConfigLoadResult result = parse(content, path, options);

#ifdef Q_OS_UNIX
    const bool othersCanRead = file.permissions() & QFileDevice::ReadOther;
    if (othersCanRead && result.ok()) {
        for (const EndpointConfig &endpoint : result.config->endpoints) {
            if (endpoint.tokenSource == TokenSource::Inline && !endpoint.authToken.isEmpty()) {
                result.warnings.append({path, QString(),
                                        QStringLiteral("is readable by every user but holds auth tokens; "
                                                       "chmod o-r it or use auth-token-file")});
                break;
            }
        }
    }
#endif
    return result;
}

ConfigLoadResult ConfigLoader::parse(const QByteArray &json, const QString &fileName)
{
    return parse(json, fileName, Options());
}

ConfigLoadResult ConfigLoader::parse(const QByteArray &json, const QString &fileName, const Options &options)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        ConfigLoadResult failed;
        failed.errors.append({fileName, QString(),
                              QStringLiteral("invalid JSON at %1: %2")
                                  .arg(position(json, parseError.offset), parseError.errorString())});
        return failed;
    }
    if (!document.isObject()) {
        ConfigLoadResult failed;
        failed.errors.append({fileName, QString(), QStringLiteral("the top level must be a JSON object")});
        return failed;
    }
    return fromJson(document.object(), fileName, options);
}

ConfigLoadResult ConfigLoader::fromJson(const QJsonObject &root, const QString &fileName,
                                        const Options &options)
{
    Validator validator(fileName, options);
    return validator.run(root);
}

} // namespace prc
