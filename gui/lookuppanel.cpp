// SPDX-License-Identifier: GPL-3.0-or-later
#include "lookuppanel.h"

#include "adminlogging.h"
#include "client/postfixclient.h"
#include "configdocument.h"
#include "postfixsnippet.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTime>
#include <QVBoxLayout>

namespace prc {
namespace {

enum QuestionPage { KeyPage, PolicyPage };

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
    return view;
}

} // namespace

LookupPanel::LookupPanel(ConfigDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_client(new PostfixClient(this))
{
    auto *outer = new QHBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
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
    whereLayout->addWidget(new QLabel(tr("From config:"), where), 0, 0);
    whereLayout->addWidget(m_endpoint, 0, 1, 1, 5);
    whereLayout->addWidget(new QLabel(tr("Host:"), where), 1, 0);
    whereLayout->addWidget(m_host, 1, 1);
    whereLayout->addWidget(new QLabel(tr("Port:"), where), 1, 2);
    whereLayout->addWidget(m_port, 1, 3);
    whereLayout->addWidget(new QLabel(tr("Protocol:"), where), 1, 4);
    whereLayout->addWidget(m_mode, 1, 5);
    whereLayout->addWidget(new QLabel(tr("Timeout:"), where), 2, 0);
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
    m_mapNameLabel = new QLabel(tr("Map name:"), keyPage);
    m_key = new QLineEdit(keyPage);
    m_key->setObjectName(QStringLiteral("key"));
    m_key->setPlaceholderText(tr("e.g. example.com or alice@example.com"));
    keyForm->addRow(m_mapNameLabel, m_mapName);
    keyForm->addRow(tr("Key:"), m_key);
    m_question->addWidget(keyPage);

    auto *policyPage = new QWidget(m_question);
    auto *policyLayout = new QVBoxLayout(policyPage);
    policyLayout->setContentsMargins(0, 0, 0, 0);
    policyLayout->addWidget(
        new QLabel(tr("Attributes, one name=value per line (a typical RCPT request):"), policyPage));
    m_attributes = new QPlainTextEdit(policyTemplate(), policyPage);
    m_attributes->setObjectName(QStringLiteral("attributes"));
    m_attributes->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    policyLayout->addWidget(m_attributes);
    auto *resetTemplate = new QPushButton(tr("Reset to template"), policyPage);
    policyLayout->addWidget(resetTemplate, 0, Qt::AlignLeft);
    m_question->addWidget(policyPage);
    questionLayout->addWidget(m_question);

    auto *sendRow = new QHBoxLayout;
    m_send = new QPushButton(tr("Send lookup"), question);
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setDefault(true);
    m_inputError = new QLabel(question);
    m_inputError->setStyleSheet(QStringLiteral("color: #b00020;"));
    sendRow->addWidget(m_send);
    sendRow->addWidget(m_inputError, 1);
    questionLayout->addLayout(sendRow);
    layout->addWidget(question);

    // --- the answer ---
    auto *answer = new QGroupBox(tr("Answer"), main);
    auto *answerLayout = new QVBoxLayout(answer);
    m_meaning = new QLabel(tr("Nothing sent yet."), answer);
    m_meaning->setObjectName(QStringLiteral("meaning"));
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
    m_roundTrip = new QLabel(answer);
    m_roundTrip->setObjectName(QStringLiteral("round-trip"));
    valueForm->addRow(tr("Decoded value:"), m_value);
    valueForm->addRow(tr("Round trip:"), m_roundTrip);
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
    answerLayout->addLayout(raw, 1);
    layout->addWidget(answer, 1);

    // --- history ---
    auto *historyBox = new QGroupBox(tr("History"), splitter);
    auto *historyLayout = new QVBoxLayout(historyBox);
    m_historyList = new QListWidget(historyBox);
    m_historyList->setObjectName(QStringLiteral("history"));
    m_historyList->setToolTip(tr("Select an earlier lookup to show its answer again"));
    historyLayout->addWidget(m_historyList);
    auto *clear = new QPushButton(tr("Clear"), historyBox);
    historyLayout->addWidget(clear, 0, Qt::AlignRight);
    splitter->addWidget(main);
    splitter->addWidget(historyBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({760, 320});
    m_historyList->setWordWrap(true);

    connect(m_endpoint, &QComboBox::activated, this, &LookupPanel::applyEndpoint);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &LookupPanel::updateModePage);
    connect(resetTemplate, &QPushButton::clicked, this,
            [this] { m_attributes->setPlainText(policyTemplate()); });
    connect(m_send, &QPushButton::clicked, this, &LookupPanel::send);
    connect(m_key, &QLineEdit::returnPressed, this, &LookupPanel::send);
    connect(m_client, &PostfixClient::finished, this, &LookupPanel::onFinished);
    connect(m_historyList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row < m_history.size())
            showResult(m_history.at(m_history.size() - 1 - row));
    });
    connect(clear, &QPushButton::clicked, this, [this] {
        m_history.clear();
        m_historyList->clear();
    });
    connect(document, &ConfigDocument::changed, this, &LookupPanel::refreshEndpoints);

    refreshEndpoints();
    if (m_document->endpointCount() > 0)
        selectEndpoint(0);
    updateModePage();
}

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

void LookupPanel::refreshEndpoints()
{
    const int previous = m_endpoint->currentIndex();
    m_endpoint->clear();
    const QJsonArray endpoints = m_document->endpoints();
    for (int i = 0; i < endpoints.size(); ++i) {
        const QJsonObject endpoint = endpoints.at(i).toObject();
        const QString path = endpoint.value(QStringLiteral("bind-path")).toString();
        const QString address =
            !path.isEmpty()
                ? QStringLiteral("unix:") + path
                : PostfixSnippet::connectAddress(endpoint.value(QStringLiteral("bind-address")).toString(),
                                                 endpoint.value(QStringLiteral("bind-port")).toInt());
        m_endpoint->addItem(QStringLiteral("%1 (%2, %3)")
                                .arg(endpoint.value(QStringLiteral("name")).toString(),
                                     endpoint.value(QStringLiteral("mode")).toString(), address),
                            i);
    }
    m_endpoint->addItem(tr("Other address (type host, port and protocol below)"), -1);
    m_endpoint->setCurrentIndex(
        previous >= 0 && previous < m_endpoint->count() - 1 ? previous : m_endpoint->count() - 1);
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
    QString host = endpoint.value(QStringLiteral("bind-address")).toString();
    const QHostAddress address(host);
    if (host.isEmpty() || address == QHostAddress::AnyIPv4)
        host = QStringLiteral("127.0.0.1");
    else if (address == QHostAddress::AnyIPv6)
        host = QStringLiteral("::1");
    // A Unix socket endpoint: its path goes in the host field, which send() recognises by the leading '/'.
    const QString path = endpoint.value(QStringLiteral("bind-path")).toString();
    m_host->setText(path.isEmpty() ? host : path);
    m_port->setValue(endpoint.value(QStringLiteral("bind-port")).toInt(m_port->value()));
    const int mode = m_mode->findText(endpoint.value(QStringLiteral("mode")).toString());
    if (mode >= 0)
        m_mode->setCurrentIndex(mode);
    static const QRegularExpression unsafeMapName(QStringLiteral("[^A-Za-z0-9_.-]"));
    QString mapName = endpoint.value(QStringLiteral("name")).toString();
    m_mapName->setText(mapName.replace(unsafeMapName, QStringLiteral("_")));
}

void LookupPanel::updateModePage()
{
    const auto mode = EndpointMode(m_mode->currentData().toInt());
    m_question->setCurrentIndex(mode == EndpointMode::Policy ? PolicyPage : KeyPage);
    // A stacked widget is as tall as its tallest page; let the hidden page shrink so a key lookup stays
    // compact.
    for (int page = 0; page < m_question->count(); ++page)
        m_question->widget(page)->setSizePolicy(QSizePolicy::Preferred, page == m_question->currentIndex()
                                                                            ? QSizePolicy::Preferred
                                                                            : QSizePolicy::Ignored);
    m_question->adjustSize();
    m_mapName->setVisible(mode == EndpointMode::SocketmapLookup);
    m_mapNameLabel->setVisible(mode == EndpointMode::SocketmapLookup);
}

bool LookupPanel::send()
{
    m_inputError->clear();
    const auto mode = EndpointMode(m_mode->currentData().toInt());
    const QString host = m_host->text().trimmed();
    if (host.isEmpty()) {
        m_inputError->setText(tr("Enter the host to connect to."));
        return false;
    }

    LookupRequest request;
    QString description;
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
        QString recipient;
        for (const auto &[name, value] : attributes) {
            if (name == "recipient")
                recipient = QString::fromUtf8(value);
        }
        description = recipient.isEmpty() ? tr("policy") : tr("policy %1").arg(recipient);
    } else {
        const QString key = m_key->text();
        if (key.isEmpty()) {
            m_inputError->setText(tr("Enter the key to look up."));
            return false;
        }
        if (mode == EndpointMode::SocketmapLookup) {
            const QString mapName = m_mapName->text().trimmed();
            if (mapName.isEmpty() || mapName.contains(QLatin1Char(' '))) {
                m_inputError->setText(tr("Enter a map name without spaces."));
                return false;
            }
            request = LookupRequest::socketmap(mapName.toUtf8(), key.toUtf8());
            description = QStringLiteral("%1 %2").arg(mapName, key);
        } else {
            request = LookupRequest::tcp(key.toUtf8());
            description = key;
        }
    }

    const bool unixSocket = host.startsWith(QLatin1Char('/'));
    m_pendingDescription = QStringLiteral("%1  %2  %3")
                               .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")),
                                    unixSocket ? QStringLiteral("unix:") + host
                                               : QStringLiteral("%1:%2").arg(host).arg(m_port->value()),
                                    description);
    m_client->setTimeout(m_timeout->value());
    m_send->setEnabled(false);
    m_meaning->setText(tr("Waiting for the answer…"));
    m_meaning->setStyleSheet(QString());
    m_explanation->clear();
    m_value->clear();
    m_roundTrip->clear();
    m_sent->setPlainText(LookupResult::escaped(request.encode()));
    m_received->clear();
    if (unixSocket)
        m_client->sendLocal(host, request);
    else
        m_client->send(host, quint16(m_port->value()), request);
    return true;
}

void LookupPanel::onFinished(const LookupResult &result)
{
    m_send->setEnabled(true);
    m_history.append(result);
    QString summary = LookupResult::meaningName(result.meaning);
    if (result.meaning == LookupResult::Meaning::PolicyAction
        || result.meaning == LookupResult::Meaning::Found)
        summary = QString::fromUtf8(result.value);
    auto *item = new QListWidgetItem(QStringLiteral("%1\n→ %2").arg(m_pendingDescription, summary));
    item->setForeground(QColor(colorFor(result)));
    {
        const QSignalBlocker blocker(m_historyList);
        m_historyList->insertItem(0, item);
        m_historyList->setCurrentRow(0);
    }
    showResult(result);
    Q_EMIT lookupFinished(result);
}

void LookupPanel::showResult(const LookupResult &result)
{
    QString headline;
    if (result.meaning == LookupResult::Meaning::PolicyAction)
        headline = tr("Policy action: %1").arg(QString::fromUtf8(result.value));
    else if (result.meaning == LookupResult::Meaning::NoAnswer
             || result.meaning == LookupResult::Meaning::ProtocolError)
        headline = tr("%1: %2").arg(LookupResult::meaningName(result.meaning), result.error);
    else
        headline =
            tr("%1 (%2)").arg(LookupResult::meaningName(result.meaning), QString::fromUtf8(result.status));
    headline[0] = headline.at(0).toUpper();
    m_meaning->setText(headline);
    m_meaning->setStyleSheet(QStringLiteral("color: %1;").arg(colorFor(result)));
    QString explanation = result.explanation();
    if (!result.error.isEmpty() && result.hasAnswer())
        explanation += QLatin1Char(' ') + result.error;
    m_explanation->setText(explanation);
    m_value->setText(QString::fromUtf8(result.value));
    m_roundTrip->setText(result.roundTripMs >= 0 ? tr("%1 ms").arg(result.roundTripMs, 0, 'f', 2)
                                                 : tr("no complete reply"));
    m_sent->setPlainText(LookupResult::escaped(result.sent));
    m_received->setPlainText(result.received.isEmpty() ? tr("(nothing)")
                                                       : LookupResult::escaped(result.received));
}

} // namespace prc
