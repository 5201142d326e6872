// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpointform.h"

#include "config/configloader.h"
#include "config/endpointconfig.h"
#include "configdocument.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

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
const QStringList TokenKeys = {KeyAuthToken, KeyAuthTokenFile, KeyAuthTokenEnv};

enum TokenSourceIndex { InlineToken, FileToken, EnvironmentToken };

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
    listenerForm->addRow(tr("Name:"), field(m_name, KeyName, tr("Unique name, used in logs and metrics.")));

    m_mode = new QComboBox(listener);
    m_mode->addItems(
        {QStringLiteral("tcp-lookup"), QStringLiteral("socketmap-lookup"), QStringLiteral("policy")});
    m_modeHint = new QLabel(listener);
    m_modeHint->setWordWrap(true);
    m_modeHint->setTextFormat(Qt::RichText);
    m_modeHint->setStyleSheet(QStringLiteral("color: palette(dark);"));
    listenerForm->addRow(tr("Mode:"), field(m_mode, KeyMode, QString(), m_modeHint));

    m_bindAddress = new QLineEdit(listener);
    m_bindAddress->setPlaceholderText(tr("127.0.0.1"));
    listenerForm->addRow(
        tr("Bind address:"),
        field(m_bindAddress, KeyBindAddress,
              tr("IP address to listen on: 127.0.0.1 or ::1 when Postfix runs on this machine, "
                 "0.0.0.0 or :: for every interface.")));

    m_bindPort = new QSpinBox(listener);
    m_bindPort->setRange(0, 65535);
    m_defaultTexts.insert(KeyBindPort, tr("not set"));
    listenerForm->addRow(tr("Bind port:"), field(m_bindPort, KeyBindPort, tr("TCP port, 1–65535.")));
    layout->addWidget(listener);

    // --- the REST backend ---
    auto *backend = new QGroupBox(tr("Backend (the REST service that answers)"), this);
    auto *backendForm = new QFormLayout(backend);
    backendForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_target = new QLineEdit(backend);
    m_target->setPlaceholderText(tr("https://backend.example.org/postfix/domains"));
    backendForm->addRow(tr("Target URL:"), field(m_target, KeyTarget, tr("http:// or https:// URL.")));

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
    auto *tokenField = field(tokenRow, KeyAuthToken,
                             tr("Sent as X-Auth-Token with every backend request. A file (read at start, "
                                "relative to the config file) or an environment variable keeps it out of "
                                "the config."));
    m_token->setObjectName(KeyAuthToken); // field() named the row; the line edit is what tests and users edit
    tokenRow->setObjectName(QString());
    backendForm->addRow(tr("Auth token:"), tokenField);

    numberField({QStringLiteral("request-timeout"), tr("Request timeout:"), 1, 600000, tr(" ms"),
                 tr("Bounds each backend call; default 2000 ms.")});
    m_defaultTexts.insert(QStringLiteral("request-timeout"), tr("default (2000 ms)"));
    backendForm->addRow(tr("Request timeout:"),
                        m_errorLabels.value(QStringLiteral("request-timeout"))->parentWidget());

    m_listSeparator = new QLineEdit(backend);
    m_listSeparator->setPlaceholderText(tr("default: ,"));
    m_listSeparator->setMaxLength(16);
    backendForm->addRow(
        tr("List separator:"),
        field(m_listSeparator, KeyListSeparator,
              tr("Joins the values of a JSON array answer; leave empty for the default \",\".")));
    layout->addWidget(backend);

    // --- optional limits ---
    auto *limits = new QGroupBox(tr("Limits (optional)"), this);
    auto *limitsForm = new QFormLayout(limits);
    limitsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const QList<NumberSpec> specs = {
        {QStringLiteral("max-connections"), tr("Max. connections:"), 1, 1000000, QString(),
         tr("Connections from Postfix accepted at once.")},
        {QStringLiteral("idle-timeout"), tr("Idle timeout:"), 1000, 86400000, tr(" ms"),
         tr("Closes connections idle this long.")},
        {QStringLiteral("max-request-size"), tr("Max. request size:"), 512, 16 * 1024 * 1024, tr(" bytes"),
         tr("Longer requests are refused and the connection is closed.")},
        {QStringLiteral("max-in-flight"), tr("Max. in flight:"), 1, 10000, QString(),
         tr("Backend calls running at once for one connection.")},
        {QStringLiteral("max-response-size"), tr("Max. response size:"), 1024, 256 * 1024 * 1024,
         tr(" bytes"), tr("Larger backend answers count as a temporary error.")},
    };
    for (const NumberSpec &spec : specs) {
        numberField(spec);
        limitsForm->addRow(spec.label, m_errorLabels.value(spec.key)->parentWidget());
        if (spec.key == QLatin1String("max-connections"))
            m_defaultTexts.insert(spec.key, tr("default (%1)").arg(EndpointConfig::DefaultMaxConnections));
        else if (spec.key == QLatin1String("max-in-flight"))
            m_defaultTexts.insert(spec.key, tr("default (%1)").arg(EndpointConfig::DefaultMaxInFlight));
        else if (spec.key == QLatin1String("max-response-size"))
            m_defaultTexts.insert(spec.key,
                                  tr("default (%1 bytes)").arg(EndpointConfig::DefaultMaxResponseSize));
    }
    layout->addWidget(limits);

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
    bindText(m_target, KeyTarget);
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
    connect(m_reveal, &QToolButton::toggled, this, [this](bool shown) {
        m_token->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        m_reveal->setText(shown ? tr("Hide") : tr("Show"));
    });
    connect(document, &ConfigDocument::changed, this, &EndpointForm::refresh);

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

QSpinBox *EndpointForm::numberField(const NumberSpec &spec)
{
    auto *spin = new QSpinBox(this);
    // One below the minimum means "key absent": the service then uses its default.
    spin->setRange(spec.minimum - 1, spec.maximum);
    spin->setSuffix(spec.suffix);
    spin->setGroupSeparatorShown(true);
    spin->setAccelerated(true);
    field(spin, spec.key, spec.hint + tr(" Range %L1–%L2.").arg(spec.minimum).arg(spec.maximum));
    m_numbers.insert(spec.key, spin);
    const QString key = spec.key;
    connect(spin, &QSpinBox::valueChanged, this, [this, spin, key](int value) {
        if (!m_loading)
            m_document->setEndpointValue(m_index, key,
                                         value == spin->minimum() ? QJsonValue(QJsonValue::Undefined)
                                                                  : QJsonValue(value));
    });
    return spin;
}

void EndpointForm::setEndpointIndex(int index)
{
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
    setText(m_target, endpoint.value(KeyTarget).toString());
    setText(m_bindAddress, endpoint.value(KeyBindAddress).toString());
    setText(m_listSeparator, endpoint.value(KeyListSeparator).toString());

    const QString mode = endpoint.value(KeyMode).toString();
    m_mode->setCurrentIndex(m_mode->findText(mode));
    m_modeHint->setText(modeHint(mode));
    refreshDefaults(mode);

    showNumber(m_bindPort, endpoint, KeyBindPort);
    for (auto it = m_numbers.cbegin(); it != m_numbers.cend(); ++it)
        showNumber(it.value(), endpoint, it.key());

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
    const QStringList known = ConfigLoader::endpointKeys();
    for (auto it = endpoint.begin(); it != endpoint.end(); ++it) {
        if (!known.contains(it.key()))
            unknown.append(it.key());
        else if (!hasField(it.key()))
            notInForm.append(it.key());
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

void EndpointForm::showNumber(QSpinBox *spin, const QJsonObject &endpoint, const QString &key)
{
    // The lowest position stands for "key absent". A value the spin box cannot show (out of range, not an
    // integer, not a number) is named there instead, so the form never pretends the file holds the default.
    const QJsonValue value = endpoint.value(key);
    const double number = value.toDouble();
    const bool representable = value.isDouble() && number == std::floor(number) && number > spin->minimum()
                               && number <= spin->maximum();
    if (value.isUndefined() || representable) {
        spin->setSpecialValueText(m_defaultTexts.value(key));
        spin->setValue(value.isUndefined() ? spin->minimum() : int(number));
        return;
    }
    // The JSON text of the value: wrap it in an array, since QJsonDocument only serialises containers.
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    const QString raw = QString::fromUtf8(json.mid(1, json.size() - 2));
    spin->setSpecialValueText(tr("invalid: %1").arg(raw));
    spin->setValue(spin->minimum());
}

void EndpointForm::showErrors()
{
    const QString prefix = ConfigDocument::endpointPath(m_index) + QLatin1Char('.');
    for (auto it = m_errorLabels.cbegin(); it != m_errorLabels.cend(); ++it) {
        QStringList messages = m_index >= 0 ? m_document->errorsAt(prefix + it.key()) : QStringList();
        if (it.key() == KeyAuthToken && m_index >= 0) {
            messages += m_document->errorsAt(prefix + KeyAuthTokenFile);
            messages += m_document->errorsAt(prefix + KeyAuthTokenEnv);
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
            else if (error.path.startsWith(prefix)
                     && !hasField(error.path.mid(prefix.size()).section(QLatin1Char('.'), 0, 0)))
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

bool EndpointForm::hasField(const QString &key) const
{
    return m_errorLabels.contains(key) || key == KeyAuthTokenFile || key == KeyAuthTokenEnv;
}

QString EndpointForm::tokenKey() const
{
    return TokenKeys.value(m_tokenSource->currentIndex(), KeyAuthToken);
}

} // namespace prc
