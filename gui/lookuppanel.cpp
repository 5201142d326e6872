// SPDX-License-Identifier: GPL-3.0-or-later
#include "lookuppanel.h"

#include "adminlogging.h"
#include "client/postfixclient.h"
#include "configdocument.h"
#include "postfixsnippet.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace prc {
namespace {

enum QuestionPage { KeyPage, PolicyPage };

const QString LastEndpointKey = QStringLiteral("lookup/last-endpoint");
const QString KeysGroup = QStringLiteral("lookup/last-key");
const QString MapsGroup = QStringLiteral("lookup/map-name");
const QString AttributesKey = QStringLiteral("lookup/attributes");
/// A limit for keys sent to an address outside the config, whose max-request-size is unknown.
constexpr int OtherAddressKeyLimit = 16 * 1024 * 1024;

QString colorFor(const LookupResult &result)
{
    using M = LookupResult::Meaning;
    switch (result.meaning) {
    case M::Found:
        return QStringLiteral("#1b7f3b");
    case M::NotFound:
        return QStringLiteral("#44546a");
    case M::TemporaryError:
        return QStringLiteral("#b35900");
    case M::PolicyAction: {
        const QByteArray word = result.value.split(' ').value(0).toUpper();
        if (word == "REJECT" || word.startsWith('5'))
            return QStringLiteral("#b00020");
        if (word == "DEFER" || word.startsWith('4') || word.startsWith("DEFER_"))
            return QStringLiteral("#b35900");
        if (word == "OK" || word == "PERMIT")
            return QStringLiteral("#1b7f3b");
        return QStringLiteral("#44546a");
    }
    case M::PermanentError:
    case M::ProtocolError:
    case M::NoAnswer:
        break;
    }
    return QStringLiteral("#b00020");
}

QPlainTextEdit *bytesView(const QString &name, QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    // A few lines stay readable however small the window gets.
    view->setMinimumHeight(view->fontMetrics().lineSpacing() * 3 + 2 * view->frameWidth() + 10);
    return view;
}

QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

/// The connector answers a failed backend call with "<request id> - <reason>" (tcp_table, socketmap) or
/// "451 4.3.0 <request id> <reason>" (policy). Returns the reason, or nothing for any other answer.
QString connectorFailure(const LookupResult &result)
{
    const QString value = QString::fromUtf8(result.value);
    if (result.meaning == LookupResult::Meaning::PolicyAction) {
        static const QRegularExpression deferred(QStringLiteral("^451 4\\.3\\.0 \\S+ (.+)$"));
        const auto match = deferred.match(value);
        return match.hasMatch() ? match.captured(1) : QString();
    }
    if (result.meaning != LookupResult::Meaning::TemporaryError
        && result.meaning != LookupResult::Meaning::PermanentError)
        return {};
    const qsizetype dash = value.indexOf(QLatin1String(" - "));
    if (dash <= 0 || value.left(dash).contains(QLatin1Char(' ')))
        return {};
    return value.mid(dash + 3);
}

QString headlineFor(const LookupResult &result)
{
    using M = LookupResult::Meaning;
    QString headline;
    const QString failure = connectorFailure(result);
    if (result.meaning == M::PolicyAction) {
        headline = QObject::tr("Policy action: %1").arg(QString::fromUtf8(result.value));
        if (!failure.isEmpty())
            headline = QObject::tr("Policy action: %1 (the connector answered: its backend call failed: %2)")
                           .arg(QString::fromUtf8(result.value.left(9)), failure);
    } else if (result.meaning == M::ProtocolError) {
        // The codecs' messages start with the same words as the headline.
        QString error = result.error;
        static const QString prefix = QStringLiteral("malformed reply; ");
        if (error.startsWith(prefix))
            error = error.mid(prefix.size());
        headline = QObject::tr("%1: %2").arg(LookupResult::meaningName(result.meaning), error);
    } else if (result.meaning == M::NoAnswer) {
        headline = QObject::tr("%1: %2").arg(LookupResult::meaningName(result.meaning), result.error);
    } else if (!failure.isEmpty()) {
        headline = QObject::tr("%1 (%2): the connector answered: %3%4")
                       .arg(LookupResult::meaningName(result.meaning), QString::fromUtf8(result.status),
                            result.meaning == M::PermanentError ? QString()
                                                                : QObject::tr("its backend call failed: "),
                            failure);
    } else {
        headline = QObject::tr("%1 (%2)").arg(LookupResult::meaningName(result.meaning),
                                              QString::fromUtf8(result.status));
    }
    headline[0] = headline.at(0).toUpper();
    return headline;
}

QString connectHost(const QJsonObject &endpoint)
{
    QString host = endpoint.value(QStringLiteral("bind-address")).toString().trimmed();
    const QHostAddress address(host);
    if (host.isEmpty() || address == QHostAddress::AnyIPv4)
        host = QStringLiteral("127.0.0.1");
    else if (address == QHostAddress::AnyIPv6)
        host = QStringLiteral("::1");
    return host;
}

QString safeMapName(QString name)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9_.-]"));
    return name.replace(unsafe, QStringLiteral("_"));
}

} // namespace

LookupPanel::LookupPanel(ConfigDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_client(new PostfixClient(this))
{
    auto *outer = new QHBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    outer->addWidget(splitter);

    auto *main = new QWidget(splitter);
    auto *layout = new QVBoxLayout(main);
    layout->setContentsMargins(0, 0, 0, 0);

    // --- where to send it ---
    auto *where = new QGroupBox(tr("Endpoint"), main);
    auto *whereLayout = new QGridLayout(where);
    m_endpoint = new QComboBox(where);
    m_endpoint->setObjectName(QStringLiteral("endpoint"));
    m_endpoint->setToolTip(tr("An endpoint of the open config, or any address"));
    m_endpoint->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_endpoint->setMinimumContentsLength(24);
    m_host = new QLineEdit(QStringLiteral("127.0.0.1"), where);
    m_host->setObjectName(QStringLiteral("host"));
    m_host->setToolTip(tr("Host or IP address, or the path of a Unix socket (starting with /)"));
    m_port = new QSpinBox(where);
    m_port->setObjectName(QStringLiteral("port"));
    m_port->setRange(1, 65535);
    m_port->setValue(9000);
    m_mode = new QComboBox(where);
    m_mode->setObjectName(QStringLiteral("mode"));
    m_mode->addItem(QStringLiteral("tcp-lookup"), int(EndpointMode::TcpLookup));
    m_mode->addItem(QStringLiteral("socketmap-lookup"), int(EndpointMode::SocketmapLookup));
    m_mode->addItem(QStringLiteral("policy"), int(EndpointMode::Policy));
    m_timeout = new QSpinBox(where);
    m_timeout->setObjectName(QStringLiteral("timeout"));
    m_timeout->setRange(100, 600000);
    m_timeout->setValue(PostfixClient::DefaultTimeoutMs);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setToolTip(tr("Give up waiting for the reply after this long"));
    whereLayout->addWidget(buddyLabel(tr("E&ndpoint:"), m_endpoint, where), 0, 0);
    whereLayout->addWidget(m_endpoint, 0, 1, 1, 5);
    whereLayout->addWidget(buddyLabel(tr("Ho&st:"), m_host, where), 1, 0);
    whereLayout->addWidget(m_host, 1, 1);
    whereLayout->addWidget(buddyLabel(tr("Po&rt:"), m_port, where), 1, 2);
    whereLayout->addWidget(m_port, 1, 3);
    whereLayout->addWidget(buddyLabel(tr("Pr&otocol:"), m_mode, where), 1, 4);
    whereLayout->addWidget(m_mode, 1, 5);
    whereLayout->addWidget(buddyLabel(tr("T&imeout:"), m_timeout, where), 2, 0);
    whereLayout->addWidget(m_timeout, 2, 1);
    whereLayout->setColumnStretch(1, 2);
    whereLayout->setColumnStretch(5, 1);
    layout->addWidget(where);

    // --- the question ---
    auto *question = new QGroupBox(tr("Question (what Postfix would ask)"), main);
    auto *questionLayout = new QVBoxLayout(question);
    m_question = new QStackedWidget(question);
    auto *keyPage = new QWidget(m_question);
    auto *keyForm = new QFormLayout(keyPage);
    keyForm->setContentsMargins(0, 0, 0, 0);
    m_mapName = new QLineEdit(keyPage);
    m_mapName->setObjectName(QStringLiteral("map-name"));
    m_mapName->setPlaceholderText(tr("the NAME in socketmap:inet:host:port:NAME"));
    m_mapNameLabel = buddyLabel(tr("M&ap name:"), m_mapName, keyPage);
    m_key = new QLineEdit(keyPage);
    m_key->setObjectName(QStringLiteral("key"));
    m_key->setPlaceholderText(tr("e.g. example.com or alice@example.com"));
    // QLineEdit's default cuts at 32767 characters; the endpoint's max-request-size is checked on sending.
    m_key->setMaxLength(OtherAddressKeyLimit);
    keyForm->addRow(m_mapNameLabel, m_mapName);
    keyForm->addRow(buddyLabel(tr("&Key:"), m_key, keyPage), m_key);
    m_question->addWidget(keyPage);

    auto *policyPage = new QWidget(m_question);
    auto *policyLayout = new QVBoxLayout(policyPage);
    policyLayout->setContentsMargins(0, 0, 0, 0);
    m_attributes = new QPlainTextEdit(policyPage);
    m_attributes->setObjectName(QStringLiteral("attributes"));
    m_attributes->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Most of a request at once: 11 of the template's 31 lines, the rest a scroll away.
    m_attributes->setMinimumHeight(m_attributes->fontMetrics().lineSpacing() * 11
                                   + 2 * m_attributes->frameWidth() + 10);
    auto *resetTemplate = new QPushButton(tr("Reset to template"), policyPage);
    resetTemplate->setObjectName(QStringLiteral("reset-template"));
    // The button shares the label's row: every line of height goes to the attributes.
    auto *attributesHeader = new QHBoxLayout;
    attributesHeader->addWidget(
        buddyLabel(tr("Attri&butes, one name=value per line (a typical RCPT request):"), m_attributes,
                   policyPage),
        1);
    attributesHeader->addWidget(resetTemplate);
    policyLayout->addLayout(attributesHeader);
    policyLayout->addWidget(m_attributes, 1);
    m_question->addWidget(policyPage);
    questionLayout->addWidget(m_question, 1);

    auto *sendRow = new QHBoxLayout;
    m_send = new QPushButton(tr("Sen&d lookup"), question);
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setToolTip(tr("Enter in the key field sends too"));
    m_cancel = new QPushButton(tr("Cance&l"), question);
    m_cancel->setObjectName(QStringLiteral("cancel"));
    m_cancel->setToolTip(tr("Stop waiting for the answer (Escape)"));
    m_cancel->setEnabled(false);
    m_elapsed = new QLabel(question);
    m_elapsed->setObjectName(QStringLiteral("elapsed"));
    m_inputError = new QLabel(question);
    m_inputError->setObjectName(QStringLiteral("input-error"));
    m_inputError->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_inputError->setWordWrap(true);
    sendRow->addWidget(m_send);
    sendRow->addWidget(m_cancel);
    sendRow->addWidget(m_elapsed);
    sendRow->addWidget(m_inputError, 1);
    questionLayout->addLayout(sendRow);
    layout->addWidget(question);

    // --- the answer ---
    auto *answer = new QGroupBox(tr("Answer"), main);
    auto *answerLayout = new QVBoxLayout(answer);
    m_meaning = new QLabel(tr("Nothing sent yet."), answer);
    m_meaning->setObjectName(QStringLiteral("meaning"));
    m_meaning->setWordWrap(true);
    m_meaning->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_meaning->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_meaning->setFont(big);
    m_explanation = new QLabel(answer);
    m_explanation->setObjectName(QStringLiteral("explanation"));
    m_explanation->setWordWrap(true);
    auto *valueForm = new QFormLayout;
    m_value = new QLineEdit(answer);
    m_value->setObjectName(QStringLiteral("value"));
    m_value->setReadOnly(true);
    m_value->setMaxLength(OtherAddressKeyLimit);
    m_roundTrip = new QLabel(answer);
    m_roundTrip->setObjectName(QStringLiteral("round-trip"));
    m_command = new QLineEdit(answer);
    m_command->setObjectName(QStringLiteral("command"));
    m_command->setReadOnly(true);
    m_command->setMaxLength(OtherAddressKeyLimit);
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_command->setToolTip(tr("The same question asked with Postfix's own client"));
    auto *copyCommand = new QPushButton(tr("Copy"), answer);
    copyCommand->setObjectName(QStringLiteral("copy-command"));
    copyCommand->setToolTip(tr("Copy the command line to the clipboard"));
    auto *commandRow = new QHBoxLayout;
    commandRow->addWidget(m_command, 1);
    commandRow->addWidget(copyCommand);
    valueForm->addRow(tr("Decoded value:"), m_value);
    valueForm->addRow(tr("Round trip:"), m_roundTrip);
    valueForm->addRow(buddyLabel(tr("Co&mmand:"), m_command, answer), commandRow);
    answerLayout->addWidget(m_meaning);
    answerLayout->addWidget(m_explanation);
    answerLayout->addLayout(valueForm);
    auto *raw = new QGridLayout;
    raw->addWidget(new QLabel(tr("Bytes sent:"), answer), 0, 0);
    raw->addWidget(new QLabel(tr("Bytes received:"), answer), 0, 1);
    m_sent = bytesView(QStringLiteral("sent"), answer);
    m_received = bytesView(QStringLiteral("received"), answer);
    raw->addWidget(m_sent, 1, 0);
    raw->addWidget(m_received, 1, 1);
    raw->setRowStretch(1, 1);
    answerLayout->addLayout(raw, 1);
    layout->addWidget(answer, 1);

    // --- history ---
    auto *historyBox = new QGroupBox(tr("Histor&y"), splitter);
    auto *historyLayout = new QVBoxLayout(historyBox);
    m_historyList = new QListWidget(historyBox);
    m_historyList->setObjectName(QStringLiteral("history"));
    m_historyList->setToolTip(tr("Select an earlier lookup to show its answer again"));
    m_historyList->setWordWrap(true);
    m_historyList->setTextElideMode(Qt::ElideRight);
    m_historyList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_historyList->setMinimumWidth(180);
    historyLayout->addWidget(m_historyList);
    auto *historyButtons = new QHBoxLayout;
    m_resend = new QPushButton(tr("Send a&gain"), historyBox);
    m_resend->setObjectName(QStringLiteral("resend"));
    m_resend->setToolTip(tr("Put the selected lookup back into the fields and send it (or double-click it)"));
    auto *exportButton = new QPushButton(tr("E&xport…"), historyBox);
    exportButton->setObjectName(QStringLiteral("export-history"));
    exportButton->setToolTip(tr("Save the history as a JSON file"));
    auto *clear = new QPushButton(tr("Clear"), historyBox);
    clear->setObjectName(QStringLiteral("clear-history"));
    historyButtons->addWidget(m_resend);
    historyButtons->addWidget(exportButton);
    historyButtons->addStretch(1);
    historyButtons->addWidget(clear);
    historyLayout->addLayout(historyButtons);
    splitter->addWidget(main);
    splitter->addWidget(historyBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({760, 320});

    const QList<QWidget *> tabChain = {m_endpoint,   m_host,    m_port,       m_mode,        m_timeout,
                                       m_mapName,    m_key,     m_attributes, resetTemplate, m_send,
                                       m_cancel,     m_command, copyCommand,  m_historyList, m_resend,
                                       exportButton, clear};
    for (int i = 1; i < tabChain.size(); ++i)
        setTabOrder(tabChain.at(i - 1), tabChain.at(i));

    // Remembered inputs and lookups of earlier runs.
    {
        const std::unique_ptr<QSettings> settings = LookupHistory::openSettings();
        for (const EndpointMode mode :
             {EndpointMode::TcpLookup, EndpointMode::SocketmapLookup, EndpointMode::Policy})
            m_keys.insert(int(mode),
                          settings->value(KeysGroup + QLatin1Char('/') + modeName(mode)).toString());
        settings->beginGroup(MapsGroup);
        for (const QString &endpoint : settings->childKeys())
            m_maps.insert(endpoint, settings->value(endpoint).toString());
        settings->endGroup();
        m_attributes->setPlainText(settings->value(AttributesKey, policyTemplate()).toString());
        m_history.load(*settings);
    }
    for (const LookupEntry &entry : m_history.entries())
        addHistoryItem(entry);
    m_ticker.setInterval(100);

    connect(m_endpoint, &QComboBox::activated, this, &LookupPanel::applyEndpoint);
    connect(m_host, &QLineEdit::textEdited, this, &LookupPanel::followManualEdit);
    connect(m_port, &QSpinBox::valueChanged, this, &LookupPanel::followManualEdit);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &LookupPanel::onModeChanged);
    connect(m_mapName, &QLineEdit::textEdited, this, [this](const QString &text) {
        const int index = m_endpoint->currentData().toInt();
        if (index >= 0 && index < m_document->endpointCount())
            m_maps.insert(m_document->endpoint(index).value(QStringLiteral("name")).toString(), text);
    });
    connect(resetTemplate, &QPushButton::clicked, this,
            [this] { m_attributes->setPlainText(policyTemplate()); });
    connect(m_send, &QPushButton::clicked, this, &LookupPanel::send);
    connect(m_cancel, &QPushButton::clicked, this, &LookupPanel::cancel);
    connect(m_key, &QLineEdit::returnPressed, this, &LookupPanel::send);
    auto *escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, this, &LookupPanel::cancel);
    connect(m_client, &PostfixClient::finished, this, &LookupPanel::onFinished);
    connect(&m_ticker, &QTimer::timeout, this,
            [this] { m_elapsed->setText(tr("%1 s").arg(double(m_clock.elapsed()) / 1000.0, 0, 'f', 1)); });
    connect(copyCommand, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_command->text()); });
    connect(m_historyList, &QListWidget::currentRowChanged, this, [this](int) {
        if (const LookupEntry *entry = selectedEntry())
            showResult(*entry);
    });
    connect(m_historyList, &QListWidget::itemActivated, this, &LookupPanel::resendSelected);
    connect(m_resend, &QPushButton::clicked, this, &LookupPanel::resendSelected);
    connect(exportButton, &QPushButton::clicked, this, &LookupPanel::exportHistory);
    connect(clear, &QPushButton::clicked, this, [this] {
        m_history.clear();
        m_historyList->clear();
        m_history.save(*LookupHistory::openSettings());
    });
    connect(document, &ConfigDocument::changed, this, &LookupPanel::refreshEndpoints);

    refreshEndpoints();
    onModeChanged();
}

LookupPanel::~LookupPanel() = default;

QString LookupPanel::policyTemplate()
{
    return QStringLiteral("request=smtpd_access_policy\n"
                          "protocol_state=RCPT\n"
                          "protocol_name=ESMTP\n"
                          "client_address=192.0.2.25\n"
                          "client_name=mail.example.net\n"
                          "client_port=52614\n"
                          "reverse_client_name=mail.example.net\n"
                          "server_address=198.51.100.1\n"
                          "server_port=25\n"
                          "helo_name=mail.example.net\n"
                          "sender=alice@example.net\n"
                          "recipient=bob@example.com\n"
                          "recipient_count=0\n"
                          "queue_id=\n"
                          "instance=a4c1.6566e0a2.8b3f2.0\n"
                          "size=12345\n"
                          "etrn_domain=\n"
                          "stress=\n"
                          "sasl_method=\n"
                          "sasl_username=\n"
                          "sasl_sender=\n"
                          "ccert_subject=\n"
                          "ccert_issuer=\n"
                          "ccert_fingerprint=\n"
                          "ccert_pubkey_fingerprint=\n"
                          "encryption_protocol=TLSv1.3\n"
                          "encryption_cipher=TLS_AES_256_GCM_SHA384\n"
                          "encryption_keysize=256\n"
                          "policy_context=\n"
                          "compatibility_level=3.6\n"
                          "mail_version=3.7.11\n");
}

EndpointMode LookupPanel::currentMode() const
{
    return EndpointMode(m_mode->currentData().toInt());
}

bool LookupPanel::isBusy() const
{
    return m_client->isBusy();
}

void LookupPanel::refreshEndpoints()
{
    // A file opened (or a new one started) picks the endpoint used last; an edit of the same file keeps the
    // selected endpoint and takes over its new address.
    const bool firstFill = m_endpoint->count() == 0;
    const bool otherFile = firstFill || m_document->fileName() != m_fileName;
    m_fileName = m_document->fileName();
    int selected = firstFill ? -1 : m_endpoint->currentData().toInt();

    const QJsonArray endpoints = m_document->endpoints();
    {
        const QSignalBlocker blocker(m_endpoint);
        m_endpoint->clear();
        for (int i = 0; i < endpoints.size(); ++i) {
            const QJsonObject endpoint = endpoints.at(i).toObject();
            const QString path = endpoint.value(QStringLiteral("bind-path")).toString();
            const QString address = !path.isEmpty()
                                        ? QStringLiteral("unix:") + path
                                        : PostfixSnippet::connectAddress(
                                            endpoint.value(QStringLiteral("bind-address")).toString(),
                                            endpoint.value(QStringLiteral("bind-port")).toInt());
            m_endpoint->addItem(QStringLiteral("%1 (%2, %3)")
                                    .arg(endpoint.value(QStringLiteral("name")).toString(),
                                         endpoint.value(QStringLiteral("mode")).toString(), address),
                                i);
        }
        m_endpoint->addItem(tr("Other address (type host, port and protocol below)"), -1);
    }

    if (otherFile) {
        selected = endpoints.isEmpty() ? -1 : 0;
        const QString last = LookupHistory::openSettings()->value(LastEndpointKey).toString();
        for (int i = 0; i < endpoints.size(); ++i) {
            if (!last.isEmpty()
                && endpoints.at(i).toObject().value(QStringLiteral("name")).toString() == last)
                selected = i;
        }
    }
    if (selected >= 0 && selected < endpoints.size()) {
        m_endpoint->setCurrentIndex(m_endpoint->findData(selected));
        applyEndpoint();
    } else {
        m_endpoint->setCurrentIndex(m_endpoint->count() - 1);
        followManualEdit();
    }
}

void LookupPanel::selectEndpoint(int index)
{
    const int item = m_endpoint->findData(index);
    if (item < 0)
        return;
    m_endpoint->setCurrentIndex(item);
    applyEndpoint();
}

void LookupPanel::setKey(const QString &key)
{
    m_key->setText(key);
}

void LookupPanel::setMapName(const QString &mapName)
{
    m_mapName->setText(mapName);
}

void LookupPanel::setPolicyAttribute(const QString &name, const QString &value)
{
    QStringList lines = m_attributes->toPlainText().split(QLatin1Char('\n'));
    const QString prefix = name + QLatin1Char('=');
    bool replaced = false;
    for (QString &line : lines) {
        if (line.startsWith(prefix)) {
            line = prefix + value;
            replaced = true;
        }
    }
    if (!replaced)
        lines.insert(lines.size() - (lines.constLast().isEmpty() ? 1 : 0), prefix + value);
    m_attributes->setPlainText(lines.join(QLatin1Char('\n')));
}

void LookupPanel::applyEndpoint()
{
    const int index = m_endpoint->currentData().toInt();
    if (index < 0 || index >= m_document->endpointCount())
        return;
    const QJsonObject endpoint = m_document->endpoint(index);
    m_applying = true;
    // A Unix socket endpoint: its path goes in the host field, which send() recognises by the leading '/'.
    const QString path = endpoint.value(QStringLiteral("bind-path")).toString();
    m_host->setText(path.isEmpty() ? connectHost(endpoint) : path);
    m_port->setValue(endpoint.value(QStringLiteral("bind-port")).toInt(m_port->value()));
    const int mode = m_mode->findText(endpoint.value(QStringLiteral("mode")).toString());
    if (mode >= 0)
        m_mode->setCurrentIndex(mode);
    const QString name = endpoint.value(QStringLiteral("name")).toString();
    m_mapName->setText(m_maps.value(name, safeMapName(name)));
    m_applying = false;
    onModeChanged();
}

void LookupPanel::followManualEdit()
{
    if (m_applying)
        return;
    const QString host = m_host->text().trimmed();
    const QString mode = m_mode->currentText();
    const QJsonArray endpoints = m_document->endpoints();
    int match = -1;
    for (int i = 0; i < endpoints.size() && match < 0; ++i) {
        const QJsonObject endpoint = endpoints.at(i).toObject();
        if (connectHost(endpoint) == host
            && endpoint.value(QStringLiteral("bind-port")).toInt() == m_port->value()
            && endpoint.value(QStringLiteral("mode")).toString() == mode)
            match = i;
    }
    const QSignalBlocker blocker(m_endpoint);
    m_endpoint->setCurrentIndex(m_endpoint->findData(match));
}

void LookupPanel::onModeChanged()
{
    const int mode = int(currentMode());
    if (m_shownMode != mode) {
        // Each protocol keeps its own last key: a domain for tcp, an address for socketmap.
        if (m_shownMode >= 0)
            m_keys.insert(m_shownMode, m_key->text());
        m_key->setText(m_keys.value(mode));
        m_shownMode = mode;
    }
    updateModePage();
    followManualEdit();
}

void LookupPanel::updateModePage()
{
    const auto mode = currentMode();
    m_question->setCurrentIndex(mode == EndpointMode::Policy ? PolicyPage : KeyPage);
    // A stacked widget is as tall as its tallest page; let the hidden page shrink so a key lookup stays
    // compact, and let the attributes take a share of the height.
    for (int page = 0; page < m_question->count(); ++page)
        m_question->widget(page)->setSizePolicy(QSizePolicy::Preferred, page == m_question->currentIndex()
                                                                            ? QSizePolicy::Preferred
                                                                            : QSizePolicy::Ignored);
    QWidget *questionBox = m_question->parentWidget();
    if (auto *column = qobject_cast<QBoxLayout *>(questionBox->parentWidget()->layout()))
        column->setStretchFactor(questionBox, mode == EndpointMode::Policy ? 3 : 0);
    // The stacked layout caches its minimum over the pages as they were; ask the shown page again, or the
    // taller policy page overlaps its own button.
    m_question->setMinimumHeight(m_question->currentWidget()->minimumSizeHint().height());
    m_question->adjustSize();
    m_mapName->setVisible(mode == EndpointMode::SocketmapLookup);
    m_mapNameLabel->setVisible(mode == EndpointMode::SocketmapLookup);
}

bool LookupPanel::send()
{
    m_inputError->clear();
    if (isBusy()) {
        m_inputError->setText(tr("A lookup is still running: wait for its answer or cancel it (Escape)."));
        return false;
    }
    const auto mode = currentMode();
    const QString host = m_host->text().trimmed();
    if (host.isEmpty()) {
        m_inputError->setText(tr("Enter the host to connect to."));
        return false;
    }

    LookupEntry entry;
    entry.time = QDateTime::currentDateTime();
    entry.host = host;
    entry.port = quint16(m_port->value());
    entry.mode = mode;
    const int index = m_endpoint->currentData().toInt();
    QJsonObject endpoint;
    if (index >= 0 && index < m_document->endpointCount()) {
        endpoint = m_document->endpoint(index);
        entry.endpointName = endpoint.value(QStringLiteral("name")).toString();
    }

    LookupRequest request;
    if (mode == EndpointMode::Policy) {
        PolicyCodec::Attributes attributes;
        const QStringList lines = m_attributes->toPlainText().split(QLatin1Char('\n'));
        for (int i = 0; i < lines.size(); ++i) {
            const QString line = lines.at(i).trimmed();
            if (line.isEmpty())
                continue;
            const qsizetype equals = line.indexOf(QLatin1Char('='));
            if (equals <= 0) {
                m_inputError->setText(tr("Line %1: expected name=value.").arg(i + 1));
                return false;
            }
            attributes.append({line.left(equals).toUtf8(), line.mid(equals + 1).toUtf8()});
        }
        if (attributes.isEmpty()) {
            m_inputError->setText(tr("Enter at least one attribute."));
            return false;
        }
        request = LookupRequest::policy(attributes);
        entry.attributes = m_attributes->toPlainText();
    } else {
        const QString key = m_key->text();
        if (key.isEmpty()) {
            m_inputError->setText(tr("Enter the key to look up."));
            return false;
        }
        entry.key = key;
        if (mode == EndpointMode::SocketmapLookup) {
            const QString mapName = m_mapName->text().trimmed();
            if (mapName.isEmpty() || mapName.contains(QLatin1Char(' '))) {
                m_inputError->setText(tr("Enter a map name without spaces."));
                return false;
            }
            request = LookupRequest::socketmap(mapName.toUtf8(), key.toUtf8());
            entry.mapName = mapName;
        } else {
            request = LookupRequest::tcp(key.toUtf8());
        }
    }

    // The endpoint would answer an oversized request with an error and close: say so before sending.
    if (!endpoint.isEmpty()) {
        const qint64 configured = endpoint.value(QStringLiteral("max-request-size")).toInteger();
        const qint64 limit = configured > 0 ? configured : EndpointConfig::defaultMaxRequestSize(mode);
        const qint64 size = request.encode().size();
        if (size > limit) {
            m_inputError->setText(tr("The request is %1 bytes; the endpoint takes at most %2 "
                                     "(max-request-size).")
                                      .arg(size)
                                      .arg(limit));
            return false;
        }
    }

    m_pending = entry;
    rememberInputs();
    m_client->setTimeout(m_timeout->value());
    m_send->setEnabled(false);
    m_cancel->setEnabled(true);
    m_clock.start();
    m_elapsed->setText(tr("%1 s").arg(0.0, 0, 'f', 1));
    m_ticker.start();
    m_meaning->setText(tr("Waiting for the answer…"));
    m_meaning->setStyleSheet(QString());
    m_explanation->clear();
    m_value->clear();
    m_roundTrip->clear();
    m_command->setText(entry.command());
    m_sent->clear();
    m_received->clear();
    if (host.startsWith(QLatin1Char('/')))
        m_client->sendLocal(host, request);
    else
        m_client->send(host, entry.port, request);
    return true;
}

void LookupPanel::cancel()
{
    m_client->cancel();
}

void LookupPanel::rememberInputs()
{
    const std::unique_ptr<QSettings> settings = LookupHistory::openSettings();
    settings->setValue(LastEndpointKey, m_pending.endpointName);
    if (m_pending.mode == EndpointMode::Policy) {
        settings->setValue(AttributesKey, m_pending.attributes);
    } else {
        m_keys.insert(int(m_pending.mode), m_pending.key);
        // A key of 40 kB is not worth remembering across runs; the history keeps it.
        if (m_pending.key.size() <= 4096)
            settings->setValue(KeysGroup + QLatin1Char('/') + modeName(m_pending.mode), m_pending.key);
    }
    if (m_pending.mode == EndpointMode::SocketmapLookup && !m_pending.endpointName.isEmpty()) {
        m_maps.insert(m_pending.endpointName, m_pending.mapName);
        settings->setValue(MapsGroup + QLatin1Char('/') + m_pending.endpointName, m_pending.mapName);
    }
}

void LookupPanel::onFinished(const LookupResult &result)
{
    m_ticker.stop();
    m_elapsed->setText(tr("%1 s").arg(double(m_clock.elapsed()) / 1000.0, 0, 'f', 1));
    m_send->setEnabled(true);
    m_cancel->setEnabled(false);
    LookupEntry entry = m_pending;
    entry.result = result;
    m_history.append(entry);
    m_history.save(*LookupHistory::openSettings());
    {
        const QSignalBlocker blocker(m_historyList);
        addHistoryItem(entry);
        while (m_historyList->count() > m_history.entries().size())
            delete m_historyList->takeItem(m_historyList->count() - 1);
        m_historyList->setCurrentRow(0);
    }
    showResult(entry);
    Q_EMIT lookupFinished(result);
}

void LookupPanel::addHistoryItem(const LookupEntry &entry)
{
    const LookupResult &result = entry.result;
    QString summary = LookupResult::meaningName(result.meaning);
    if (result.meaning == LookupResult::Meaning::PolicyAction
        || result.meaning == LookupResult::Meaning::Found)
        summary = QString::fromUtf8(result.value.left(120));
    const QString address = entry.endpointName.isEmpty()
                                ? PostfixSnippet::connectAddress(entry.host, entry.port)
                                : entry.endpointName;
    auto *item = new QListWidgetItem(
        QStringLiteral("%1  %2  %3\n→ %4")
            .arg(entry.time.toString(QStringLiteral("HH:mm:ss")), address, entry.question(), summary));
    item->setToolTip(
        QStringLiteral("%1\n%2").arg(entry.time.toString(Qt::ISODate), entry.command().left(300)));
    item->setForeground(QColor(colorFor(result)));
    m_historyList->insertItem(0, item);
}

const LookupEntry *LookupPanel::selectedEntry() const
{
    const int row = m_historyList->currentRow();
    const QList<LookupEntry> &entries = m_history.entries();
    if (row < 0 || row >= entries.size())
        return nullptr;
    return &entries.at(entries.size() - 1 - row);
}

void LookupPanel::restoreInputs(const LookupEntry &entry)
{
    m_applying = true;
    m_host->setText(entry.host);
    m_port->setValue(entry.port);
    const int mode = m_mode->findData(int(entry.mode));
    if (mode >= 0)
        m_mode->setCurrentIndex(mode);
    m_applying = false;
    onModeChanged();
    if (entry.mode == EndpointMode::Policy) {
        m_attributes->setPlainText(entry.attributes);
    } else {
        m_key->setText(entry.key);
        if (entry.mode == EndpointMode::SocketmapLookup)
            m_mapName->setText(entry.mapName);
    }
}

void LookupPanel::resendSelected()
{
    const LookupEntry *entry = selectedEntry();
    if (!entry) {
        m_inputError->setText(tr("Select a lookup in the history first."));
        return;
    }
    if (isBusy()) {
        m_inputError->setText(tr("A lookup is still running: wait for its answer or cancel it (Escape)."));
        return;
    }
    restoreInputs(LookupEntry(*entry));
    send();
}

void LookupPanel::exportHistory()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export lookup history"), QString(),
                                                      tr("JSON (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(m_history.exported()).toJson(QJsonDocument::Indented)) < 0
        || !file.commit()) {
        QMessageBox::warning(this, tr("Cannot export"),
                             tr("Cannot write %1: %2").arg(path, file.errorString()));
        return;
    }
    qCInfo(lcAdmin).noquote() << "exported" << m_history.entries().size() << "lookups to" << path;
}

void LookupPanel::showResult(const LookupEntry &entry)
{
    const LookupResult &result = entry.result;
    m_meaning->setText(headlineFor(result));
    m_meaning->setStyleSheet(QStringLiteral("color: %1;").arg(colorFor(result)));
    QString explanation = result.explanation();
    if (!result.error.isEmpty() && result.hasAnswer())
        explanation += QLatin1Char(' ') + result.error;
    m_explanation->setText(explanation);
    m_value->setText(QString::fromUtf8(result.value));
    m_roundTrip->setText(result.roundTripMs >= 0 ? tr("%1 ms").arg(result.roundTripMs, 0, 'f', 2)
                                                 : tr("no complete reply"));
    m_command->setText(entry.command());
    m_command->setCursorPosition(0);
    m_sent->setPlainText(result.sent.isEmpty() ? tr("(nothing: no connection was made)")
                                               : LookupResult::escaped(result.sent));
    m_received->setPlainText(result.received.isEmpty() ? tr("(nothing)")
                                                       : LookupResult::escaped(result.received));
}

} // namespace prc
