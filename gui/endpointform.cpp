// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpointform.h"

#include "config/configloader.h"
#include "config/endpointconfig.h"
#include "configdocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace prc {
namespace {

const QString KeyName = QStringLiteral("name");
const QString KeyMode = QStringLiteral("mode");
const QString KeyTarget = QStringLiteral("target");
const QString KeyBindAddress = QStringLiteral("bind-address");
const QString KeyBindPort = QStringLiteral("bind-port");
const QString KeyAuthToken = QStringLiteral("auth-token");
const QString KeyAuthTokenFile = QStringLiteral("auth-token-file");
const QString KeyAuthTokenEnv = QStringLiteral("auth-token-env");
const QString KeyListSeparator = QStringLiteral("list-separator");
const QString KeyBackendConnections = QStringLiteral("backend-connections");
const QString KeyBackendHttp2 = QStringLiteral("backend-http2");
const QString KeyBackendClient = QStringLiteral("backend-client");
const QString KeyCache = QStringLiteral("cache");
const QString CachePrefix = QStringLiteral("cache.");
const QString KeyCircuitBreaker = QStringLiteral("circuit-breaker");
const QString BreakerPrefix = QStringLiteral("circuit-breaker.");
const QString KeyValuePath = QStringLiteral("value-path");
const QString KeyNotFoundStatuses = QStringLiteral("not-found-statuses");
const QString KeyFailureAction = QStringLiteral("failure-action");
const QString KeyKeyAttributes = QStringLiteral("cache.key-attributes");
const QString KeyCacheEnabled = QStringLiteral("cache.enabled");
const QString KeyShared = QStringLiteral("cache.shared");
const QString SharedKey = QStringLiteral("shared");
const QString KeySharedUrl = QStringLiteral("cache.shared.url");
const QString KeySharedPrefix = QStringLiteral("cache.shared.prefix");
const QString KeySharedTimeout = QStringLiteral("cache.shared.timeout");
const QString KeySharedLockWait = QStringLiteral("cache.shared.lock-wait");
/// The row that chooses where the Redis password comes from: it edits password-file or password-env.
const QString KeySharedPassword = QStringLiteral("cache.shared.password");
const QString PasswordFile = QStringLiteral("password-file");
const QString PasswordEnv = QStringLiteral("password-env");
const QStringList PasswordKeys = {PasswordFile, PasswordEnv};
const QStringList TokenKeys = {KeyAuthToken, KeyAuthTokenFile, KeyAuthTokenEnv};
/// Qt's HTTP client opens at most this many connections per host; the service rounds up to a multiple.
constexpr int ConnectionsPerClient = 6;
const QString HintStyle = QStringLiteral("color: palette(dark);");

enum TokenSourceIndex { InlineToken, FileToken, EnvironmentToken };
/// The entries of the Redis password source box; 1 and 2 are PasswordKeys[0] and [1].
enum PasswordSourceIndex { NoPassword, FilePassword, EnvironmentPassword };

QString modeHint(const QString &mode)
{
    if (mode == QLatin1String("tcp-lookup"))
        return QObject::tr(
            "Postfix tcp_table(5): use it as <tt>tcp:HOST:PORT</tt> in virtual_mailbox_domains, "
            "virtual_alias_maps, transport_maps, relay_domains or check_*_access. Postfix refuses "
            "tcp: tables in virtual_mailbox_maps and alias_maps.<br>The backend gets "
            "<tt>GET target?key=KEY</tt> and answers a JSON array of strings (found) or "
            "<tt>[]</tt> / 404 (not found).");
    if (mode == QLatin1String("socketmap-lookup"))
        return QObject::tr(
            "Postfix socketmap_table(5): use it as <tt>socketmap:inet:HOST:PORT:NAME</tt>; one "
            "endpoint can serve many map NAMEs.<br>The backend gets "
            "<tt>GET target?name=NAME&amp;key=KEY</tt> and answers a JSON array of strings "
            "(found) or <tt>[]</tt> / 404 (not found).");
    if (mode == QLatin1String("policy"))
        return QObject::tr(
            "Postfix policy delegation: use it as <tt>check_policy_service inet:HOST:PORT</tt> "
            "in smtpd_recipient_restrictions.<br>The backend gets <tt>POST target</tt> with all "
            "attributes form-encoded and answers the action as plain text (DUNNO, REJECT "
            "reason, DEFER_IF_PERMIT reason, …).");
    return QObject::tr("Choose a mode: tcp-lookup, socketmap-lookup or policy.");
}

QString cacheHint(const QString &mode)
{
    if (mode == QLatin1String("policy"))
        return QObject::tr(
            "<b>Policy endpoint:</b> whatever the backend answers is repeated for as long as the entry "
            "lives, a REJECT or DEFER_IF_PERMIT included. Keep the found lifetime short, or let the backend "
            "decide per answer with <tt>Cache-Control</tt>.");
    return QObject::tr(
        "Answers repeated lookups without asking the backend and shares one backend call among identical "
        "lookups in flight. Errors are never cached. Off unless enabled.");
}

/// The JSON text of a value. QJsonDocument only serialises containers, so it is wrapped in an array.
QString jsonText(const QJsonValue &value)
{
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

/// An array shown as text ("404, 410"); anything else as its JSON.
QString listText(const QJsonValue &value, const QString &separator = QStringLiteral(", "))
{
    if (!value.isArray())
        return value.isUndefined() ? QString() : jsonText(value);
    QStringList items;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array)
        items << (item.isString() ? item.toString() : jsonText(item));
    return items.join(separator);
}

/// Text typed into a list field as a JSON array: numbers stay numbers, so the loader names a wrong item
/// exactly; "[]" is the empty array; nothing is "key absent".
QJsonValue listValue(const QString &text, bool numbers)
{
    if (text.trimmed() == QLatin1String("[]"))
        return QJsonArray();
    const QStringList items = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    if (items.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    QJsonArray array;
    for (const QString &item : items) {
        bool isNumber = false;
        const int number = item.toInt(&isNumber);
        array.append(numbers && isNumber ? QJsonValue(number) : QJsonValue(item));
    }
    return array;
}

// QSpinBox holds an int; cache.max-bytes needs more, so those fields are QDoubleSpinBoxes without decimals.
double spinMinimum(const QAbstractSpinBox *spin)
{
    if (const auto *box = qobject_cast<const QSpinBox *>(spin))
        return box->minimum();
    return static_cast<const QDoubleSpinBox *>(spin)->minimum();
}

double spinMaximum(const QAbstractSpinBox *spin)
{
    if (const auto *box = qobject_cast<const QSpinBox *>(spin))
        return box->maximum();
    return static_cast<const QDoubleSpinBox *>(spin)->maximum();
}

void setSpinValue(QAbstractSpinBox *spin, double value)
{
    if (auto *box = qobject_cast<QSpinBox *>(spin))
        box->setValue(int(value));
    else
        static_cast<QDoubleSpinBox *>(spin)->setValue(value);
}

QString idleDefault(const QString &mode)
{
    const auto parsed = modeFromName(mode);
    return QObject::tr("default (%1 s)")
        .arg(EndpointConfig::defaultIdleTimeoutMs(parsed.value_or(EndpointMode::TcpLookup)) / 1000);
}

QString requestSizeDefault(const QString &mode)
{
    const auto parsed = modeFromName(mode);
    return QObject::tr("default (%1 bytes)")
        .arg(EndpointConfig::defaultMaxRequestSize(parsed.value_or(EndpointMode::TcpLookup)));
}

} // namespace

EndpointForm::EndpointForm(ConfigDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_generalErrors = new QLabel(this);
    m_generalErrors->setObjectName(QStringLiteral("endpoint-error"));
    m_generalErrors->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_generalErrors->setWordWrap(true);
    m_generalErrors->hide();
    layout->addWidget(m_generalErrors);

    // --- where Postfix connects ---
    auto *listener = new QGroupBox(tr("Endpoint (what Postfix talks to)"), this);
    auto *listenerForm = new QFormLayout(listener);
    listenerForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_name = new QLineEdit(listener);
    m_name->setPlaceholderText(tr("e.g. domains"));
    field(m_name, KeyName, tr("Unique name, used in logs and metrics."));
    addRow(listenerForm, tr("&Name:"), KeyName);

    m_mode = new QComboBox(listener);
    m_mode->addItems(
        {QStringLiteral("tcp-lookup"), QStringLiteral("socketmap-lookup"), QStringLiteral("policy")});
    m_modeHint = new QLabel(listener);
    m_modeHint->setWordWrap(true);
    m_modeHint->setTextFormat(Qt::RichText);
    m_modeHint->setStyleSheet(QStringLiteral("color: palette(dark);"));
    field(m_mode, KeyMode, QString(), m_modeHint);
    addRow(listenerForm, tr("&Mode:"), KeyMode);

    m_bindAddress = new QLineEdit(listener);
    m_bindAddress->setPlaceholderText(tr("127.0.0.1"));
    field(m_bindAddress, KeyBindAddress,
          tr("IP address to listen on: 127.0.0.1 or ::1 when Postfix runs on this machine, "
             "0.0.0.0 or :: for every interface."));
    addRow(listenerForm, tr("&Bind address:"), KeyBindAddress);

    m_bindPort = new QSpinBox(listener);
    m_bindPort->setRange(0, 65535);
    m_defaultTexts.insert(KeyBindPort, tr("not set"));
    field(m_bindPort, KeyBindPort, tr("TCP port, 1–65535."));
    addRow(listenerForm, tr("Bind &port:"), KeyBindPort);
    addUnixSocketFields(listenerForm, listener);
    layout->addWidget(listener);

    // --- the REST backend ---
    auto *backend = new QGroupBox(tr("Backend (the REST service that answers)"), this);
    auto *backendForm = new QFormLayout(backend);
    backendForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_target = new QLineEdit(backend);
    m_target->setPlaceholderText(tr("https://backend.example.org/postfix/domains"));
    field(m_target, KeyTarget, tr("http:// or https:// URL."));
    addRow(backendForm, tr("Tar&get URL:"), KeyTarget);

    auto *tokenRow = new QWidget(backend);
    auto *tokenLayout = new QHBoxLayout(tokenRow);
    tokenLayout->setContentsMargins(0, 0, 0, 0);
    m_tokenSource = new QComboBox(tokenRow);
    m_tokenSource->setObjectName(QStringLiteral("auth-token-source"));
    m_tokenSource->addItem(tr("Token (auth-token)"));
    m_tokenSource->addItem(tr("File (auth-token-file)"));
    m_tokenSource->addItem(tr("Environment variable (auth-token-env)"));
    m_token = new QLineEdit(tokenRow);
    m_token->setObjectName(KeyAuthToken);
    m_reveal = new QToolButton(tokenRow);
    m_reveal->setObjectName(QStringLiteral("auth-token-reveal"));
    m_reveal->setText(tr("Show"));
    m_reveal->setCheckable(true);
    m_reveal->setToolTip(tr("Show or hide the token"));
    tokenLayout->addWidget(m_tokenSource);
    tokenLayout->addWidget(m_token, 1);
    tokenLayout->addWidget(m_reveal);
    field(tokenRow, KeyAuthToken,
          tr("Sent as X-Auth-Token with every backend request. A file (read at start, relative to the "
             "config file) or an environment variable keeps it out of the config."));
    m_token->setObjectName(KeyAuthToken); // field() named the row; the line edit is what tests and users edit
    tokenRow->setObjectName(QString());
    m_inputs.insert(KeyAuthToken, m_token);
    addRow(backendForm, tr("Auth to&ken:"), KeyAuthToken);

    numberField({QStringLiteral("request-timeout"), tr("Re&quest timeout:"), 1, 600000, tr(" ms"),
                 tr("Bounds each backend call; default 2000 ms."), tr("default (2000 ms)")});
    addRow(backendForm, tr("Re&quest timeout:"), QStringLiteral("request-timeout"));

    m_listSeparator = new QLineEdit(backend);
    m_listSeparator->setPlaceholderText(tr("default: ,"));
    m_listSeparator->setMaxLength(16);
    field(m_listSeparator, KeyListSeparator,
          tr("Joins the values of a JSON array answer; leave empty for the default \",\"."));
    addRow(backendForm, tr("&List separator:"), KeyListSeparator);

    m_connectionsHint = new QLabel(backend);
    m_connectionsHint->setObjectName(QStringLiteral("backend-connections-hint"));
    m_connectionsHint->setWordWrap(true);
    m_connectionsHint->setStyleSheet(HintStyle);
    numberField(
        {KeyBackendConnections, tr("Backend &connections:"), 1, 600, QString(),
         tr("Persistent connections to the backend; calls beyond them wait for a free one. The curl "
            "client opens exactly this many; Qt's opens up to 6 per host in a network thread of its own, "
            "so with the qt client the service rounds up to a multiple of 6."),
         tr("default (%1)").arg(EndpointConfig::DefaultBackendConnections)},
        m_connectionsHint);
    addRow(backendForm, tr("Backend &connections:"), KeyBackendConnections);

    m_http2Hint = new QLabel(backend);
    m_http2Hint->setObjectName(QStringLiteral("backend-http2-hint"));
    m_http2Hint->setWordWrap(true);
    m_http2Hint->setTextFormat(Qt::RichText);
    m_http2Hint->setStyleSheet(HintStyle);
    boolField(KeyBackendHttp2, tr("Speak HTTP/2 to the backend"), false,
              tr("https:// negotiates HTTP/2 with ALPN; http:// uses HTTP/2 with prior knowledge (h2c), "
                 "which only backends that speak h2c understand."),
              backend, m_http2Hint);
    addRow(backendForm, tr("HTTP/&2:"), KeyBackendHttp2);
    addBackendClientFields(backend, backendForm);
    layout->addWidget(backend);

    // --- optional limits ---
    auto *limits = new QGroupBox(tr("Limits (optional)"), this);
    auto *limitsForm = new QFormLayout(limits);
    limitsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const QList<NumberSpec> specs = {
        {QStringLiteral("max-connections"), tr("Ma&x. connections:"), 1, 1000000, QString(),
         tr("Connections from Postfix accepted at once."),
         tr("default (%1)").arg(EndpointConfig::DefaultMaxConnections)},
        // The idle timeout and request size defaults depend on the mode: see refreshDefaults().
        {QStringLiteral("idle-timeout"), tr("&Idle timeout:"), 1000, 86400000, tr(" ms"),
         tr("Closes connections idle this long."), QString()},
        {QStringLiteral("max-request-size"), tr("Max. request si&ze:"), 512, 16 * 1024 * 1024, tr(" bytes"),
         tr("Longer requests are refused and the connection is closed."), QString()},
        {QStringLiteral("max-in-flight"), tr("Max. call&s in flight:"), 1, 10000, QString(),
         tr("Backend calls running at once for one connection."),
         tr("default (%1)").arg(EndpointConfig::DefaultMaxInFlight)},
        {QStringLiteral("max-response-size"), tr("Max. &response size:"), 1024, 256 * 1024 * 1024,
         tr(" bytes"), tr("Larger backend answers count as a temporary error."),
         tr("default (%1 bytes)").arg(EndpointConfig::DefaultMaxResponseSize)},
    };
    for (const NumberSpec &spec : specs) {
        numberField(spec);
        addRow(limitsForm, spec.label, spec.key);
    }
    layout->addWidget(limits);

    // --- optional answer cache ---
    auto *cacheGroup = new QGroupBox(tr("Answer cache (optional)"), this);
    cacheGroup->setObjectName(QStringLiteral("cache-group"));
    auto *cacheLayout = new QVBoxLayout(cacheGroup);
    auto *cacheHeader = new QWidget(cacheGroup);
    auto *cacheHeaderLayout = new QHBoxLayout(cacheHeader);
    cacheHeaderLayout->setContentsMargins(0, 0, 0, 0);
    m_cacheEnabled = boolField(KeyCacheEnabled, tr("Cache ans&wers (enabled)"), false,
                               tr("Without it nothing is cached, on any endpoint."), cacheHeader);
    m_cacheExpand = new QToolButton(cacheHeader);
    m_cacheExpand->setObjectName(QStringLiteral("cache-expand"));
    m_cacheExpand->setCheckable(true);
    m_cacheExpand->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_cacheExpand->setArrowType(Qt::RightArrow);
    m_cacheExpand->setText(tr("Settings"));
    m_cacheExpand->setToolTip(tr("Show or hide the cache settings"));
    cacheHeaderLayout->addWidget(m_errorLabels.value(KeyCacheEnabled)->parentWidget(), 1);
    cacheHeaderLayout->addWidget(m_cacheExpand, 0, Qt::AlignTop);
    cacheLayout->addWidget(cacheHeader);

    m_cacheHint = new QLabel(cacheGroup);
    m_cacheHint->setObjectName(QStringLiteral("cache-hint"));
    m_cacheHint->setWordWrap(true);
    m_cacheHint->setTextFormat(Qt::RichText);
    m_cacheHint->setStyleSheet(HintStyle);
    cacheLayout->addWidget(m_cacheHint);
    m_cacheWarnings = new QLabel(cacheGroup);
    m_cacheWarnings->setObjectName(QStringLiteral("cache-warning"));
    m_cacheWarnings->setWordWrap(true);
    m_cacheWarnings->setStyleSheet(QStringLiteral("color: #8a5300;"));
    m_cacheWarnings->hide();
    cacheLayout->addWidget(m_cacheWarnings);
    // Problems with the "cache" value itself (not an object).
    auto *cacheError = new QLabel(cacheGroup);
    cacheError->setObjectName(KeyCache + QLatin1String("-error"));
    cacheError->setStyleSheet(QStringLiteral("color: #b00020;"));
    cacheError->setWordWrap(true);
    cacheError->hide();
    m_errorLabels.insert(KeyCache, cacheError);
    cacheLayout->addWidget(cacheError);

    m_cacheSettings = new QWidget(cacheGroup);
    m_cacheSettings->setObjectName(QStringLiteral("cache-settings"));
    auto *cacheForm = new QFormLayout(m_cacheSettings);
    cacheForm->setContentsMargins(0, 0, 0, 0);
    cacheForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    constexpr qint64 Day = 24 * 60 * 60 * 1000;
    const QList<NumberSpec> cacheSpecs = {
        {QStringLiteral("cache.max-entries"), tr("Max. entries:"), 1, 10000000, QString(),
         tr("Entries kept; the least recently used go first."),
         tr("default (%1)").arg(CacheConfig::DefaultMaxEntries)},
        {QStringLiteral("cache.max-bytes"), tr("Max. bytes:"), 4096, qint64(64) * 1024 * 1024 * 1024,
         tr(" bytes"),
         tr("Memory for entries (key + body + 128 bytes each); the least recently used go first."),
         tr("default (%1 bytes)").arg(CacheConfig::DefaultMaxBytes)},
        {QStringLiteral("cache.positive-ttl"), tr("Found lifetime:"), 0, Day, tr(" ms"),
         tr("Lifetime of a found answer (or policy action) when the backend sends no max-age; 0 = not "
            "cached then."),
         tr("default (%1 ms)").arg(CacheConfig::DefaultPositiveTtlMs)},
        {QStringLiteral("cache.negative-ttl"), tr("Not-found lifetime:"), 0, Day, tr(" ms"),
         tr("Lifetime of a not-found answer (404 or []) when the backend sends no max-age; 0 = not cached "
            "then."),
         tr("default (%1 ms)").arg(CacheConfig::DefaultNegativeTtlMs)},
        {QStringLiteral("cache.max-ttl"), tr("Max. lifetime:"), 1000, 7 * Day, tr(" ms"),
         tr("Upper bound for every lifetime, the backend's max-age included."),
         tr("default (%1 ms)").arg(CacheConfig::DefaultMaxTtlMs)},
        {QStringLiteral("cache.stale-if-error"), tr("Stale if error:"), 0, 7 * Day, tr(" ms"),
         tr("How long after expiry an answer may stand in for a failing backend (timeout, network "
            "error, 5xx)."),
         tr("default (off)")},
    };
    for (const NumberSpec &spec : cacheSpecs) {
        numberField(spec);
        addRow(cacheForm, spec.label, spec.key);
    }
    boolField(QStringLiteral("cache.honor-cache-control"), tr("Obey the backend's Cache-Control"), true,
              tr("max-age, s-maxage, no-store, no-cache and private; off: the lifetimes above always apply."),
              m_cacheSettings);
    addRow(cacheForm, tr("Cache-Control:"), QStringLiteral("cache.honor-cache-control"));
    addSharedCacheFields(cacheForm, m_cacheSettings);
    m_cacheSettings->hide();
    cacheLayout->addWidget(m_cacheSettings);
    layout->addWidget(cacheGroup);

    layout->addWidget(failoverGroup());

    m_unknownKeys = new QLabel(this);
    m_unknownKeys->setObjectName(QStringLiteral("unknown-keys"));
    m_unknownKeys->setWordWrap(true);
    m_unknownKeys->hide();
    layout->addWidget(m_unknownKeys);
    layout->addStretch(1);

    // Only user edits write to the document (textEdited, activated); refresh() sets values with m_loading.
    const auto bindText = [this](QLineEdit *edit, const QString &key) {
        connect(edit, &QLineEdit::textEdited, this,
                [this, key](const QString &text) { m_document->setEndpointValue(m_index, key, text); });
    };
    bindText(m_name, KeyName);
    // Several URLs separated by spaces are a failover list ("target" as an array).
    connect(m_target, &QLineEdit::textEdited, this, [this](const QString &text) {
        const QStringList urls = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        m_document->setEndpointValue(m_index, KeyTarget,
                                     urls.size() > 1 ? QJsonValue(QJsonArray::fromStringList(urls))
                                                     : QJsonValue(text));
    });
    bindText(m_bindAddress, KeyBindAddress);
    connect(m_listSeparator, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_document->setEndpointValue(m_index, KeyListSeparator,
                                     text.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(text));
    });
    connect(m_token, &QLineEdit::textEdited, this,
            [this](const QString &text) { m_document->setEndpointValue(m_index, tokenKey(), text); });
    connect(m_mode, &QComboBox::activated, this,
            [this] { m_document->setEndpointValue(m_index, KeyMode, m_mode->currentText()); });
    connect(m_bindPort, &QSpinBox::valueChanged, this, [this](int port) {
        if (!m_loading)
            m_document->setEndpointValue(m_index, KeyBindPort,
                                         port == 0 ? QJsonValue(QJsonValue::Undefined) : QJsonValue(port));
    });
    connect(m_tokenSource, &QComboBox::activated, this, &EndpointForm::setTokenSource);
    connect(m_cacheExpand, &QToolButton::toggled, this, [this](bool expanded) {
        m_cacheExpand->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
        m_cacheSettings->setVisible(expanded);
    });
    connect(m_cacheEnabled, &QCheckBox::clicked, this, [this](bool on) {
        if (on)
            m_cacheExpand->setChecked(true);
    });
    connect(m_reveal, &QToolButton::toggled, this, [this](bool shown) {
        m_token->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        m_reveal->setText(shown ? tr("Hide") : tr("Show"));
    });
    // Another file, or endpoints added or removed: decide again whether the cache settings start open.
    connect(document, &ConfigDocument::endpointCountChanged, this, [this] { m_cacheExpandedFor = -2; });
    connect(document, &ConfigDocument::changed, this, &EndpointForm::refresh);

    setTabOrder();
    setEndpointIndex(-1);
}

QWidget *EndpointForm::field(QWidget *input, const QString &key, const QString &hint, QWidget *extra)
{
    auto *container = new QWidget(input->parentWidget());
    auto *layout = new QVBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    input->setObjectName(key);
    if (!hint.isEmpty())
        input->setToolTip(hint);
    layout->addWidget(input);
    m_inputs.insert(key, input);
    m_fieldOrder.append(key);
    if (extra)
        layout->addWidget(extra);
    auto *error = new QLabel(container);
    error->setObjectName(key + QLatin1String("-error"));
    error->setStyleSheet(QStringLiteral("color: #b00020;"));
    error->setWordWrap(true);
    error->hide();
    layout->addWidget(error);
    m_errorLabels.insert(key, error);
    return container;
}

void EndpointForm::addRow(QFormLayout *form, const QString &label, const QString &key)
{
    // The label's mnemonic (Alt+letter) focuses the input itself, not the box around it and its messages.
    auto *caption = new QLabel(label, form->parentWidget());
    caption->setBuddy(m_inputs.value(key));
    form->addRow(caption, m_errorLabels.value(key)->parentWidget());
}

void EndpointForm::setTabOrder()
{
    // Top to bottom as the fields are shown; the token row is source, token, then its Show button.
    QList<QWidget *> order;
    for (const QString &key : std::as_const(m_fieldOrder)) {
        if (key == KeyAuthToken)
            order << m_tokenSource << m_token << m_reveal;
        else if (key == KeySharedPassword)
            order << m_passwordSource << m_passwordReference;
        else
            order << m_inputs.value(key);
        if (key == KeyCacheEnabled)
            order << m_cacheExpand;
    }
    for (qsizetype i = 1; i < order.size(); ++i)
        QWidget::setTabOrder(order.at(i - 1), order.at(i));
}

void EndpointForm::addBackendClientFields(QWidget *backend, QFormLayout *form)
{
    m_backendClient = new QComboBox(backend);
    m_backendClient->addItem(tr("curl (default)"), QString());
    m_backendClient->addItem(QStringLiteral("qt"), QStringLiteral("qt"));
    field(m_backendClient, KeyBackendClient,
          tr("curl: libcurl on the service's event loop, about a tenth of the CPU per call. qt: "
             "Qt's network manager, the only one that speaks HTTP/2 to an http:// target (h2c)."));
    addRow(form, tr("HTTP client:"), KeyBackendClient);
    connect(m_backendClient, &QComboBox::activated, this, [this](int index) {
        const QString value = m_backendClient->itemData(index).toString();
        writeValue(KeyBackendClient, value.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(value),
                   false);
    });

    // No mnemonics from here on: every letter these labels have is taken by a field above, by the
    // editor's own fields or by the menus, and a letter that does two things does neither reliably.
    textField(QStringLiteral("backend-unix-socket"), tr("none: connect to the target's host"),
              tr("Reach the backend through this Unix socket (absolute path), e.g. a local nginx; "
                 "the target URL still gives path, query and Host. curl client only."),
              backend);
    addRow(form, tr("Backend Unix socket:"), QStringLiteral("backend-unix-socket"));
    textField(QStringLiteral("tls-ca-file"), tr("the system's trusted CAs"),
              tr("PEM bundle of the CAs trusted for an https:// backend (relative to the config file)."),
              backend);
    addRow(form, tr("TLS CA file:"), QStringLiteral("tls-ca-file"));
    textField(QStringLiteral("tls-client-cert"), tr("none"),
              tr("PEM certificate presented to the backend (mutual TLS); holds the key too unless a "
                 "key file is given."),
              backend);
    addRow(form, tr("TLS client certificate:"), QStringLiteral("tls-client-cert"));
    textField(QStringLiteral("tls-client-key"), tr("in the certificate file"),
              tr("Unencrypted PEM private key of the client certificate."), backend);
    addRow(form, tr("TLS client key:"), QStringLiteral("tls-client-key"));
    boolField(QStringLiteral("tls-verify"), tr("Verify the backend's certificate"), true,
              tr("Unchecked, any certificate is accepted and the service logs a warning at every start."),
              backend);
    addRow(form, tr("TLS verif&y:"), QStringLiteral("tls-verify"));
}

QLineEdit *EndpointForm::textField(const QString &key, const QString &placeholder, const QString &hint,
                                   QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setPlaceholderText(placeholder);
    field(edit, key, hint);
    m_texts.insert(key, edit);
    connect(edit, &QLineEdit::textEdited, this, [this, key](const QString &text) {
        writeValue(key, text.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(text), true);
    });
    return edit;
}

QAbstractSpinBox *EndpointForm::numberField(const NumberSpec &spec, QWidget *extra)
{
    const QString key = spec.key;
    QAbstractSpinBox *result = nullptr;
    // One below the minimum means "key absent": the service then uses its default.
    if (spec.maximum <= std::numeric_limits<int>::max()) {
        auto *spin = new QSpinBox(this);
        spin->setRange(int(spec.minimum - 1), int(spec.maximum));
        spin->setSuffix(spec.suffix);
        spin->setGroupSeparatorShown(true);
        connect(spin, &QSpinBox::valueChanged, this, [this, spin, key](int value) {
            if (!m_loading)
                writeValue(key,
                           value == spin->minimum() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(value),
                           true);
        });
        result = spin;
    } else {
        auto *spin = new QDoubleSpinBox(this);
        spin->setDecimals(0);
        spin->setRange(double(spec.minimum - 1), double(spec.maximum));
        spin->setSuffix(spec.suffix);
        spin->setGroupSeparatorShown(true);
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, spin, key](double value) {
            if (!m_loading)
                writeValue(key,
                           value == spin->minimum() ? QJsonValue(QJsonValue::Undefined)
                                                    : QJsonValue(qint64(value)),
                           true);
        });
        result = spin;
    }
    result->setAccelerated(true);
    field(result, spec.key, spec.hint + tr(" Range %L1–%L2.").arg(spec.minimum).arg(spec.maximum), extra);
    m_numbers.insert(spec.key, result);
    if (!spec.defaultText.isEmpty())
        m_defaultTexts.insert(spec.key, spec.defaultText);
    return result;
}

QCheckBox *EndpointForm::boolField(const QString &key, const QString &text, bool defaultValue,
                                   const QString &hint, QWidget *parent, QWidget *extra)
{
    auto *box = new QCheckBox(text, parent);
    field(box, key, hint, extra);
    m_bools.insert(key, box);
    m_boolDefaults.insert(key, defaultValue);
    m_boolTexts.insert(key, text);
    // clicked() comes from the user only, never from refresh().
    connect(box, &QCheckBox::clicked, this, [this, key, defaultValue](bool checked) {
        writeValue(key, checked == defaultValue ? QJsonValue(QJsonValue::Undefined) : QJsonValue(checked),
                   false);
    });
    return box;
}

void EndpointForm::writeValue(const QString &key, const QJsonValue &value, bool merge)
{
    if (m_index < 0)
        return;
    if (key.startsWith(BreakerPrefix)) {
        writeBreakerValue(key.mid(BreakerPrefix.size()), value);
        return;
    }
    if (key.startsWith(CachePrefix)) {
        // "cache.shared.url": the key "url" of the object at "cache.shared".
        const qsizetype dot = key.lastIndexOf(QLatin1Char('.'));
        m_document->setEndpointSectionValue(m_index, key.left(dot), key.mid(dot + 1), value, merge);
    } else {
        m_document->setEndpointValue(m_index, key, value, merge);
    }
}

QJsonValue EndpointForm::valueOf(const QJsonObject &endpoint, const QString &key) const
{
    // One object per dot: "cache.shared.url" is endpoint.cache.shared.url (endpoint keys have no dots).
    QJsonValue value = endpoint;
    for (const QString &step : key.split(QLatin1Char('.'))) {
        if (!value.isObject())
            return QJsonValue(QJsonValue::Undefined);
        value = value.toObject().value(step);
    }
    return value;
}

void EndpointForm::setEndpointIndex(int index)
{
    if (index != m_index) {
        m_cacheExpandedFor = -2;     // decide again whether the cache settings start open
        m_reveal->setChecked(false); // a token shown for one endpoint stays hidden on the next
    }
    m_index = index;
    refresh();
}

QString EndpointForm::errorText(const QString &key) const
{
    const QLabel *label = m_errorLabels.value(key);
    return label ? label->text() : QString();
}

void EndpointForm::refresh()
{
    if (m_index >= m_document->endpointCount())
        m_index = m_document->endpointCount() - 1;
    setEnabled(m_index >= 0);
    const QJsonObject endpoint = m_index >= 0 ? m_document->endpoint(m_index) : QJsonObject();

    m_loading = true;
    const auto setText = [](QLineEdit *edit, const QString &text) {
        // Unchanged text is not set again, so typing in a field keeps its cursor.
        if (edit->text() != text)
            edit->setText(text);
    };
    setText(m_name, endpoint.value(KeyName).toString());
    setText(m_target, endpoint.value(KeyTarget).isArray()
                          ? listText(endpoint.value(KeyTarget), QStringLiteral(" "))
                          : endpoint.value(KeyTarget).toString());
    setText(m_bindAddress, endpoint.value(KeyBindAddress).toString());
    for (QLineEdit *edit : {m_bindPath, m_socketMode, m_socketGroup})
        setText(edit, endpoint.value(edit->objectName()).toString());
    setText(m_listSeparator, endpoint.value(KeyListSeparator).toString());
    for (auto it = m_texts.cbegin(); it != m_texts.cend(); ++it)
        setText(it.value(), valueOf(endpoint, it.key()).toString());
    const int client = m_backendClient->findData(endpoint.value(KeyBackendClient).toString());
    m_backendClient->setCurrentIndex(client >= 0 ? client : 0);

    const QString mode = endpoint.value(KeyMode).toString();
    m_mode->setCurrentIndex(m_mode->findText(mode));
    m_modeHint->setText(modeHint(mode));
    refreshDefaults(mode);

    showNumber(m_bindPort, endpoint.value(KeyBindPort), KeyBindPort);
    for (auto it = m_numbers.cbegin(); it != m_numbers.cend(); ++it)
        showNumber(it.value(), valueOf(endpoint, it.key()), it.key());
    for (auto it = m_bools.cbegin(); it != m_bools.cend(); ++it)
        showBool(it.value(), valueOf(endpoint, it.key()), it.key());
    refreshBackendHints(endpoint);
    refreshCache(endpoint, mode);
    refreshShared(endpoint);
    refreshFailover(endpoint);

    int source = InlineToken;
    if (!endpoint.contains(KeyAuthToken) && endpoint.contains(KeyAuthTokenFile))
        source = FileToken;
    else if (!endpoint.contains(KeyAuthToken) && endpoint.contains(KeyAuthTokenEnv))
        source = EnvironmentToken;
    m_tokenSource->setCurrentIndex(source);
    setText(m_token, endpoint.value(TokenKeys.at(source)).toString());
    m_reveal->setEnabled(source == InlineToken);
    if (source == InlineToken)
        m_token->setEchoMode(m_reveal->isChecked() ? QLineEdit::Normal : QLineEdit::Password);
    else
        m_token->setEchoMode(QLineEdit::Normal);
    m_token->setPlaceholderText(source == InlineToken ? tr("the shared secret")
                                : source == FileToken ? tr("/etc/postfix-rest-connector/token")
                                                      : tr("PRC_AUTH_TOKEN"));

    // Keys without a field here: ones the service knows (newer settings) and ones it does not.
    QStringList notInForm;
    QStringList unknown;
    const QStringList known = ConfigLoader::endpointKeys() + ConfigLoader::endpointSectionKeys();
    for (auto it = endpoint.begin(); it != endpoint.end(); ++it) {
        if (!known.contains(it.key()))
            unknown.append(it.key());
        else if (!hasField(it.key()))
            notInForm.append(it.key());
    }
    // Inside the cache objects only keys the service knows: it warns about the others itself.
    const QList<std::pair<QString, QStringList>> sections = {{KeyCache, ConfigLoader::cacheKeys()},
                                                             {KeyShared, ConfigLoader::sharedCacheKeys()}};
    for (const auto &[section, keys] : sections) {
        const QJsonObject object = valueOf(endpoint, section).toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = section + QLatin1Char('.') + it.key();
            if (keys.contains(it.key()) && !hasField(key))
                notInForm.append(key);
        }
    }
    QStringList notes;
    if (!notInForm.isEmpty())
        notes << tr("Set in the file, not editable here (kept unchanged when saving): %1")
                     .arg(notInForm.join(QLatin1String(", ")));
    if (!unknown.isEmpty())
        notes << tr("Other keys in this endpoint, kept unchanged when saving: %1")
                     .arg(unknown.join(QLatin1String(", ")));
    m_unknownKeys->setText(notes.join(QLatin1Char('\n')));
    m_unknownKeys->setVisible(!notes.isEmpty());
    m_loading = false;

    showErrors();
}

void EndpointForm::refreshDefaults(const QString &mode)
{
    m_defaultTexts.insert(QStringLiteral("idle-timeout"), idleDefault(mode));
    m_defaultTexts.insert(QStringLiteral("max-request-size"), requestSizeDefault(mode));
}

void EndpointForm::refreshBackendHints(const QJsonObject &endpoint)
{
    const QJsonValue value = endpoint.value(KeyBackendConnections);
    const int requested = value.isDouble() && value.toDouble() >= 1 && value.toDouble() <= 600
                              ? int(std::ceil(value.toDouble()))
                              : EndpointConfig::DefaultBackendConnections;
    const bool qtClient = endpoint.value(KeyBackendClient).toString() == QLatin1String("qt");
    if (qtClient) {
        const int clients = (requested + ConnectionsPerClient - 1) / ConnectionsPerClient;
        const QString clientText = clients == 1 ? tr("1 HTTP client") : tr("%1 HTTP clients").arg(clients);
        m_connectionsHint->setText(tr("qt client: rounded up to a multiple of %1: %2 → %3 connections (%4).")
                                       .arg(ConnectionsPerClient)
                                       .arg(requested)
                                       .arg(clients * ConnectionsPerClient)
                                       .arg(clientText));
    } else {
        m_connectionsHint->setText(tr("curl client: exactly %1 persistent connections.").arg(requested));
    }

    QString http2 = tr("https:// negotiates HTTP/2 with ALPN; http:// uses h2c (HTTP/2 with prior "
                       "knowledge), which only a backend that speaks h2c understands, and only with the qt "
                       "client.");
    if (endpoint.value(KeyBackendHttp2).toBool()
        && endpoint.value(KeyTarget).toString().startsWith(QLatin1String("http://"), Qt::CaseInsensitive))
        http2 = qtClient
                    ? tr("<b>This target is http://:</b> the service speaks h2c to it, with no fallback to "
                         "HTTP/1.1. Turn this off unless the backend speaks h2c.")
                    : tr("<b>This target is http://:</b> h2c needs the qt client; choose it above or "
                         "turn this off.");
    m_http2Hint->setText(http2);
}

void EndpointForm::refreshCache(const QJsonObject &endpoint, const QString &mode)
{
    const bool enabled = endpoint.value(KeyCache).toObject().value(QStringLiteral("enabled")).toBool();
    m_cacheSettings->setEnabled(enabled);
    m_cacheHint->setText(cacheHint(mode));

    const QString cachePath = ConfigDocument::endpointPath(m_index) + QLatin1Char('.') + KeyCache;
    const QStringList warnings = m_index >= 0 ? m_document->warningsWithin(cachePath) : QStringList();
    m_cacheWarnings->setText(warnings.join(QLatin1Char('\n')));
    m_cacheWarnings->setVisible(!warnings.isEmpty());

    // Open the settings of an endpoint that has a cache object; and always when one of them has an error,
    // so the message is seen next to its field.
    if (m_cacheExpandedFor != m_index) {
        m_cacheExpandedFor = m_index;
        m_cacheExpand->setChecked(endpoint.contains(KeyCache));
    }
    for (const ConfigError &error : m_document->errors()) {
        if (m_index >= 0 && error.path.startsWith(cachePath + QLatin1Char('.')))
            m_cacheExpand->setChecked(true);
    }
}

void EndpointForm::addSharedCacheFields(QFormLayout *form, QWidget *parent)
{
    m_shared = new QCheckBox(tr("Shared cache (Redis)"), parent);
    auto *hint = new QLabel(
        tr("A second tier behind this cache, in Redis: connectors on several hosts that use the same Redis "
           "ask the backend once per answer. A Redis that is slow or down is a miss, never a wrong answer."),
        parent);
    hint->setObjectName(QStringLiteral("cache-shared-hint"));
    hint->setWordWrap(true);
    hint->setStyleSheet(HintStyle);
    field(m_shared, KeyShared,
          tr("Adds the cache.shared object; unchecked, the object and all its settings are removed."), hint);
    addRow(form, tr("Shared tier:"), KeyShared);
    connect(m_shared, &QCheckBox::clicked, this, [this](bool on) {
        if (m_index >= 0)
            m_document->setEndpointSectionValue(
                m_index, KeyCache, SharedKey,
                on ? QJsonValue(QJsonObject()) : QJsonValue(QJsonValue::Undefined), false);
    });

    textField(KeySharedUrl, tr("required, e.g. redis://10.0.0.7:6379/0 or unix:/run/redis/redis-server.sock"),
              tr("redis://host[:port][/db] (port %1, database 0 unless given) or unix:/absolute/path. "
                 "No password here: choose its source below.")
                  .arg(SharedCacheConfig::DefaultPort),
              parent);
    addRow(form, tr("Redis URL:"), KeySharedUrl);
    textField(KeySharedPrefix, tr("%1 (default)").arg(SharedCacheConfig::defaultPrefix()),
              tr("Start of every Redis key (printable ASCII without spaces, at most 64 characters); the "
                 "endpoint name and a hash of the backend call follow. Empty: the default."),
              parent);
    addRow(form, tr("Redis key prefix:"), KeySharedPrefix);
    numberField({KeySharedTimeout, tr("Redis timeout:"), 1, 10000, tr(" ms"),
                 tr("The most Redis may add to a lookup; a slower answer counts as a miss."),
                 tr("default (%1 ms)").arg(SharedCacheConfig::DefaultTimeoutMs)});
    addRow(form, tr("Redis timeout:"), KeySharedTimeout);
    numberField({KeySharedLockWait, tr("Fleet lock wait:"), 0, 10000, tr(" ms"),
                 tr("When another host is already asking the backend for the same answer, wait this long "
                    "for it in Redis before asking too (at most half of request-timeout). 0: never wait."),
                 tr("default (%1 ms)").arg(SharedCacheConfig::DefaultLockWaitMs)});
    addRow(form, tr("Fleet lock wait:"), KeySharedLockWait);

    // Where the password comes from, never the password itself: the editor does not read the file or the
    // variable, so no password is ever shown.
    auto *row = new QWidget(parent);
    auto *rowLayout = new QHBoxLayout(row);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    m_passwordSource = new QComboBox(row);
    m_passwordSource->setObjectName(KeySharedPassword + QLatin1String("-source"));
    m_passwordSource->addItem(tr("None (no AUTH)"));
    m_passwordSource->addItem(tr("File (password-file)"));
    m_passwordSource->addItem(tr("Environment variable (password-env)"));
    m_passwordReference = new QLineEdit(row);
    rowLayout->addWidget(m_passwordSource);
    rowLayout->addWidget(m_passwordReference, 1);
    field(row, KeySharedPassword,
          tr("Sent with AUTH when connecting. A file (mode 0600, relative to the config file) or an "
             "environment variable; the two are exclusive."));
    row->setObjectName(QString());
    m_passwordReference->setObjectName(KeySharedPassword);
    m_inputs.insert(KeySharedPassword, m_passwordSource); // the label focuses the choice first
    addRow(form, tr("Redis password:"), KeySharedPassword);
    connect(m_passwordSource, &QComboBox::activated, this, &EndpointForm::setPasswordSource);
    connect(m_passwordReference, &QLineEdit::textEdited, this, [this](const QString &text) {
        // An emptied field keeps its key (the loader names it): "None" is how the password goes.
        const int source = m_passwordSource->currentIndex();
        if (m_index >= 0 && source != NoPassword)
            m_document->setEndpointSectionValue(m_index, KeyShared, PasswordKeys.at(source - 1), text);
    });

    for (const QString &key :
         {KeySharedUrl, KeySharedPrefix, KeySharedTimeout, KeySharedLockWait, KeySharedPassword}) {
        QWidget *container = m_errorLabels.value(key)->parentWidget();
        m_sharedRows << container << form->labelForField(container);
    }
}

void EndpointForm::refreshShared(const QJsonObject &endpoint)
{
    const QJsonValue shared = valueOf(endpoint, KeyShared);
    const QString text = tr("Shared cache (Redis)");
    m_shared->setChecked(!shared.isUndefined());
    m_shared->setText(shared.isUndefined() || shared.isObject()
                          ? text
                          : tr("%1 (invalid: %2)").arg(text, jsonText(shared)));
    for (QWidget *widget : std::as_const(m_sharedRows))
        widget->setEnabled(shared.isObject());

    const QJsonObject object = shared.toObject();
    // A file with both keys shows the first and the loader's error; choosing a source removes the other.
    int source = NoPassword;
    if (object.contains(PasswordFile))
        source = FilePassword;
    else if (object.contains(PasswordEnv))
        source = EnvironmentPassword;
    m_passwordSource->setCurrentIndex(source);
    const QString reference =
        source == NoPassword ? QString() : object.value(PasswordKeys.at(source - 1)).toString();
    if (m_passwordReference->text() != reference)
        m_passwordReference->setText(reference);
    m_passwordReference->setEnabled(source != NoPassword);
    m_passwordReference->setPlaceholderText(source == FilePassword
                                                ? tr("/etc/postfix-rest-connector/redis.pass")
                                            : source == EnvironmentPassword ? tr("PRC_REDIS_PASSWORD")
                                                                            : QString());
    // An empty prefix in the file is a prefix, not the default.
    const bool emptyPrefix = object.value(QStringLiteral("prefix")) == QJsonValue(QString());
    m_texts.value(KeySharedPrefix)
        ->setPlaceholderText(emptyPrefix ? tr("empty (no prefix)")
                                         : tr("%1 (default)").arg(SharedCacheConfig::defaultPrefix()));
}

void EndpointForm::setPasswordSource(int source)
{
    if (m_index < 0)
        return;
    const QJsonValue current = valueOf(m_document->endpoint(m_index), KeyShared);
    if (!current.isObject())
        return;
    QJsonObject shared = current.toObject();
    const QString keep = source == NoPassword ? QString() : PasswordKeys.at(source - 1);
    for (const QString &key : PasswordKeys) {
        if (key != keep)
            shared.remove(key);
    }
    // A file name never becomes a variable name: the new source starts empty (or as the file had it).
    if (!keep.isEmpty() && !shared.contains(keep))
        shared.insert(keep, QString());
    if (shared != current.toObject())
        m_document->setEndpointSectionValue(m_index, KeyCache, SharedKey, shared, false);
}

void EndpointForm::showNumber(QAbstractSpinBox *spin, const QJsonValue &value, const QString &key)
{
    // The lowest position stands for "key absent". A value the spin box cannot show (out of range, not an
    // integer, not a number) is named there instead, so the form never pretends the file holds the default.
    const double number = value.toDouble();
    const bool representable = value.isDouble() && number == std::floor(number) && number > spinMinimum(spin)
                               && number <= spinMaximum(spin);
    if (value.isUndefined() || representable) {
        spin->setSpecialValueText(m_defaultTexts.value(key));
        setSpinValue(spin, value.isUndefined() ? spinMinimum(spin) : number);
        return;
    }
    spin->setSpecialValueText(tr("invalid: %1").arg(jsonText(value)));
    setSpinValue(spin, spinMinimum(spin));
}

void EndpointForm::showBool(QCheckBox *box, const QJsonValue &value, const QString &key)
{
    // Like the spin boxes: a value that is not true or false is named, not shown as the default.
    const bool defaultValue = m_boolDefaults.value(key);
    box->setChecked(value.isBool() ? value.toBool() : defaultValue);
    const QString text = m_boolTexts.value(key);
    box->setText(value.isUndefined() || value.isBool() ? text
                                                       : tr("%1 (invalid: %2)").arg(text, jsonText(value)));
}

void EndpointForm::showErrors()
{
    const QString prefix = ConfigDocument::endpointPath(m_index) + QLatin1Char('.');
    for (auto it = m_errorLabels.cbegin(); it != m_errorLabels.cend(); ++it) {
        QStringList messages = m_index >= 0 ? m_document->errorsAt(prefix + it.key()) : QStringList();
        // An item of a list (a failover target, a status) belongs to the list's field, named as the service
        // names it: "[1]: ...".
        if (m_index >= 0) {
            const QString items = prefix + it.key() + QLatin1Char('[');
            for (const ConfigError &error : m_document->errors()) {
                if (error.path.startsWith(items))
                    messages << error.path.mid(items.size() - 1) + QLatin1String(": ") + error.message;
            }
        }
        if (it.key() == KeyAuthToken && m_index >= 0) {
            messages += m_document->errorsAt(prefix + KeyAuthTokenFile);
            messages += m_document->errorsAt(prefix + KeyAuthTokenEnv);
        }
        if (it.key() == KeySharedPassword && m_index >= 0) {
            for (const QString &key : PasswordKeys)
                messages += m_document->errorsAt(prefix + KeyShared + QLatin1Char('.') + key);
        }
        it.value()->setText(messages.join(QLatin1Char('\n')));
        it.value()->setVisible(!messages.isEmpty());
    }
    // Problems with the endpoint as a whole, and with keys that have no field of their own.
    QStringList general;
    if (m_index >= 0) {
        const QString path = ConfigDocument::endpointPath(m_index);
        for (const ConfigError &error : m_document->errors()) {
            if (error.path == path)
                general << error.message;
            else if (error.path.startsWith(prefix) && !hasField(error.path.mid(prefix.size())))
                general << error.path.mid(prefix.size()) + QLatin1String(": ") + error.message;
        }
    }
    m_generalErrors->setText(general.join(QLatin1Char('\n')));
    m_generalErrors->setVisible(!general.isEmpty());
}

void EndpointForm::setTokenSource(int source)
{
    if (m_index < 0)
        return;
    QJsonObject endpoint = m_document->endpoint(m_index);
    const QString newKey = TokenKeys.at(source);
    int present = 0;
    for (const QString &key : TokenKeys)
        present += endpoint.contains(key) ? 1 : 0;
    if (present == 1 && endpoint.contains(newKey))
        return;
    // A secret typed inline must not end up as a file name or variable name: the new key starts empty.
    for (const QString &key : TokenKeys)
        endpoint.remove(key);
    endpoint.insert(newKey, QString());
    m_document->replaceEndpoint(m_index, endpoint, tr("Change token source"));
}

void EndpointForm::addUnixSocketFields(QFormLayout *form, QWidget *parent)
{
    m_bindPath = new QLineEdit(parent);
    m_bindPath->setPlaceholderText(tr("/var/spool/postfix/private/prc-policy"));
    field(m_bindPath, QStringLiteral("bind-path"),
          tr("Absolute path of a Unix socket, instead of bind address and port (socketmap-lookup and policy "
             "only). Inside /var/spool/postfix Postfix reaches it from its chroot."));
    addRow(form, tr("Or Unix socket:"), QStringLiteral("bind-path"));
    m_socketMode = new QLineEdit(parent);
    m_socketMode->setPlaceholderText(tr("0660 (default)"));
    field(m_socketMode, QStringLiteral("socket-mode"), tr("Permission bits of the socket file, in octal."));
    addRow(form, tr("Socket mode:"), QStringLiteral("socket-mode"));
    m_socketGroup = new QLineEdit(parent);
    m_socketGroup->setPlaceholderText(tr("the service's group (default)"));
    field(m_socketGroup, QStringLiteral("socket-group"), tr("Group of the socket file, e.g. postfix."));
    addRow(form, tr("Socket group:"), QStringLiteral("socket-group"));
    // An empty field leaves the key out of the file: these keys are only for Unix sockets.
    for (QLineEdit *edit : {m_bindPath, m_socketMode, m_socketGroup}) {
        connect(edit, &QLineEdit::textEdited, this, [this, edit](const QString &text) {
            m_document->setEndpointValue(m_index, edit->objectName(),
                                         text.isEmpty() ? QJsonValue(QJsonValue::Undefined)
                                                        : QJsonValue(text));
        });
    }
}

bool EndpointForm::hasField(const QString &path) const
{
    // "target[1]" is shown at "target".
    const QString key = path.left(path.indexOf(QLatin1Char('[')));
    return m_errorLabels.contains(key) || key == KeyAuthTokenFile || key == KeyAuthTokenEnv
           || (key.startsWith(KeyShared + QLatin1Char('.'))
               && PasswordKeys.contains(key.mid(KeyShared.size() + 1)));
}

QString EndpointForm::tokenKey() const
{
    return TokenKeys.value(m_tokenSource->currentIndex(), KeyAuthToken);
}

QWidget *EndpointForm::failoverGroup()
{
    auto *group = new QGroupBox(tr("Failover and answers (optional)"), this);
    group->setObjectName(QStringLiteral("failover-group"));
    auto *form = new QFormLayout(group);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_breaker = new QCheckBox(tr("Circuit breaker per target"), group);
    form->addRow(tr("Circuit breaker:"),
                 field(m_breaker, KeyCircuitBreaker,
                       tr("Skips a target that failed several calls in a row, and tries it again after a "
                          "while. With every target open a call fails at once.")));
    connect(m_breaker, &QCheckBox::clicked, this, [this](bool on) {
        m_document->setEndpointValue(m_index, KeyCircuitBreaker,
                                     on ? QJsonValue(QJsonObject()) : QJsonValue(QJsonValue::Undefined));
    });
    const QList<NumberSpec> specs = {
        {BreakerPrefix + QStringLiteral("failures"), tr("Failures to open:"), 1, 1000, QString(),
         tr("Failed calls in a row (no connection, timeout, 5xx) that open a target's circuit."),
         tr("default (%1)").arg(CircuitBreakerConfig::DefaultFailures)},
        {BreakerPrefix + QStringLiteral("open-for"), tr("Open for:"), 100, 3600000, tr(" ms"),
         tr("How long an open target is skipped before one trial call."),
         tr("default (%1 ms)").arg(CircuitBreakerConfig::DefaultOpenForMs)},
        {QStringLiteral("max-queued-calls"), tr("Max. queued calls:"), 0, 1000000, QString(),
         tr("With this many backend calls waiting for a free connection, a new request gets the temporary "
            "error at once."),
         tr("unbounded")},
    };
    for (const NumberSpec &spec : specs) {
        numberField(spec);
        form->addRow(spec.label, m_errorLabels.value(spec.key)->parentWidget());
    }

    struct TextSpec
    {
        QString key;
        QString label;
        QString placeholder;
        QString hint;
        bool list;
        bool numbers;
    };
    const QList<TextSpec> texts = {
        {KeyValuePath, tr("Value path:"), tr("whole body, e.g. /data/aliases"),
         tr("Lookups: RFC 6901 JSON Pointer into a 200 answer; nothing there means not found."), false,
         false},
        {KeyNotFoundStatuses, tr("Not-found statuses:"), tr("404"),
         tr("Lookups: HTTP statuses answered as not found, separated by commas; [] for none."), true, true},
        {KeyFailureAction, tr("Failure action:"), tr("451 4.3.0"),
         tr("Policy: the access(5) action for every failed backend call, e.g. DEFER_IF_PERMIT or DUNNO "
            "(DUNNO lets mail through unchecked while the backend is down)."),
         false, false},
        {KeyKeyAttributes, tr("Cache key attributes:"), tr("whole request, e.g. client_address, sender"),
         tr("Policy cache: the attributes the key is built from; requests that agree on them share one "
            "answer, so the backend must decide on them alone."),
         true, false},
    };
    for (const TextSpec &spec : texts) {
        auto *edit = new QLineEdit(group);
        edit->setPlaceholderText(spec.placeholder);
        form->addRow(spec.label, field(edit, spec.key, spec.hint));
        m_shapeTexts.insert(spec.key, edit);
        connect(edit, &QLineEdit::textEdited, this, [this, spec](const QString &text) {
            const QJsonValue value = spec.list        ? listValue(text, spec.numbers)
                                     : text.isEmpty() ? QJsonValue(QJsonValue::Undefined)
                                                      : QJsonValue(text);
            writeValue(spec.key, value, true);
        });
    }
    return group;
}

void EndpointForm::refreshFailover(const QJsonObject &endpoint)
{
    const QJsonValue breaker = endpoint.value(KeyCircuitBreaker);
    m_breaker->setChecked(!breaker.isUndefined());
    for (auto it = m_shapeTexts.cbegin(); it != m_shapeTexts.cend(); ++it) {
        const QJsonValue value = valueOf(endpoint, it.key());
        const QString text = value.isString() ? value.toString() : listText(value);
        if (it.value()->text() != text)
            it.value()->setText(text);
    }
}

void EndpointForm::writeBreakerValue(const QString &key, const QJsonValue &value)
{
    QJsonObject breaker = m_document->endpoint(m_index).value(KeyCircuitBreaker).toObject();
    if (value.isUndefined())
        breaker.remove(key);
    else
        breaker.insert(key, value);
    // Setting a breaker value turns the breaker on; clearing one keeps it on.
    m_document->setEndpointValue(m_index, KeyCircuitBreaker, breaker, true);
}

} // namespace prc
