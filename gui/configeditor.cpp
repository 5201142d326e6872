// SPDX-License-Identifier: GPL-3.0-or-later
#include "configeditor.h"

#include "configdocument.h"
#include "endpointform.h"
#include "endpointtablemodel.h"
#include "postfixsnippet.h"

#include <QApplication>
#include <QCheckBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

namespace prc {
namespace {

const QString KeyAdmin = QStringLiteral("admin");
const QString KeyBindAddress = QStringLiteral("bind-address");
const QString KeyBindPort = QStringLiteral("bind-port");

QLabel *errorLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name + QLatin1String("-error"));
    label->setStyleSheet(QStringLiteral("color: #b00020;"));
    label->setWordWrap(true);
    label->hide();
    return label;
}

} // namespace

ConfigEditor::ConfigEditor(ConfigDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_model(new EndpointTableModel(document, this))
{
    auto *layout = new QVBoxLayout(this);

    auto *top = new QFormLayout;
    auto *userAgentBox = new QWidget(this);
    auto *userAgentLayout = new QVBoxLayout(userAgentBox);
    userAgentLayout->setContentsMargins(0, 0, 0, 0);
    m_userAgent = new QLineEdit(userAgentBox);
    m_userAgent->setObjectName(QStringLiteral("user-agent"));
    m_userAgent->setPlaceholderText(ServiceConfig::defaultUserAgent());
    m_userAgent->setToolTip(tr("Sent as User-Agent with every backend request. Empty: the default."));
    m_userAgentError = new QLabel(userAgentBox);
    m_userAgentError->setObjectName(QStringLiteral("user-agent-error"));
    m_userAgentError->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_userAgentError->hide();
    userAgentLayout->addWidget(m_userAgent);
    userAgentLayout->addWidget(m_userAgentError);
    auto *userAgentLabel = new QLabel(tr("&User agent:"), this);
    userAgentLabel->setBuddy(m_userAgent);
    top->addRow(userAgentLabel, userAgentBox);

    // The admin listener: /metrics and /healthz, off while the "admin" key is absent.
    auto *adminBox = new QWidget(this);
    auto *adminLayout = new QVBoxLayout(adminBox);
    adminLayout->setContentsMargins(0, 0, 0, 0);
    adminLayout->setSpacing(2);
    auto *adminRow = new QHBoxLayout;
    m_adminEnabled = new QCheckBox(tr("On: /metrics and /healthz"), adminBox);
    m_adminEnabled->setObjectName(KeyAdmin);
    m_adminEnabled->setToolTip(tr("An HTTP listener for Prometheus metrics and health checks. It has no "
                                  "authentication: keep it on a loopback address."));
    adminRow->addWidget(m_adminEnabled, 0, Qt::AlignTop);
    m_adminFields = new QWidget(adminBox);
    auto *fieldsLayout = new QHBoxLayout(m_adminFields);
    fieldsLayout->setContentsMargins(0, 0, 0, 0);
    m_adminAddress = new QLineEdit(m_adminFields);
    m_adminAddress->setPlaceholderText(tr("default: 127.0.0.1"));
    m_adminPort = new QSpinBox(m_adminFields);
    m_adminPort->setRange(0, 65535);
    m_adminPort->setSpecialValueText(tr("not set"));
    // Top-aligned: a long error under one field must not push the other one down.
    fieldsLayout->addWidget(
        adminField(m_adminAddress, KeyAdmin + QLatin1Char('.') + KeyBindAddress, tr("A&ddress:")), 2,
        Qt::AlignTop);
    fieldsLayout->addWidget(adminField(m_adminPort, KeyAdmin + QLatin1Char('.') + KeyBindPort, tr("P&ort:")),
                            1, Qt::AlignTop);
    m_adminAddress->setToolTip(tr("IP address to listen on; empty: 127.0.0.1. A non-loopback address "
                                  "exposes the metrics without authentication."));
    m_adminPort->setToolTip(tr("TCP port, 1–65535 (required); not one an endpoint uses."));
    adminRow->addWidget(m_adminFields, 1);
    adminLayout->addLayout(adminRow);
    auto *adminError = errorLabel(adminBox, KeyAdmin);
    m_adminErrors.insert(KeyAdmin, adminError);
    adminLayout->addWidget(adminError);
    m_adminWarnings = new QLabel(adminBox);
    m_adminWarnings->setObjectName(QStringLiteral("admin-warning"));
    m_adminWarnings->setStyleSheet(QStringLiteral("color: #8a5300;"));
    m_adminWarnings->setWordWrap(true);
    m_adminWarnings->hide();
    adminLayout->addWidget(m_adminWarnings);
    m_adminHint = new QLabel(adminBox);
    m_adminHint->setObjectName(QStringLiteral("admin-hint"));
    m_adminHint->setStyleSheet(QStringLiteral("color: palette(dark);"));
    m_adminHint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    adminLayout->addWidget(m_adminHint);
    auto *adminLabel = new QLabel(tr("&Admin listener:"), this);
    adminLabel->setBuddy(m_adminEnabled);
    top->addRow(adminLabel, adminBox);
    layout->addLayout(top);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableView(left);
    m_table->setObjectName(QStringLiteral("endpoints"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(EndpointTableModel::NameColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(EndpointTableModel::ModeColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(EndpointTableModel::BindColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    leftLayout->addWidget(m_table, 1);

    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add"), left);
    add->setObjectName(QStringLiteral("add-endpoint"));
    auto *addMenu = new QMenu(add);
    for (const QString &mode :
         {QStringLiteral("tcp-lookup"), QStringLiteral("socketmap-lookup"), QStringLiteral("policy")}) {
        addMenu->addAction(tr("%1 endpoint").arg(mode), this, [this, mode] {
            const int port = freePort();
            const int index = m_document->addEndpoint(
                ConfigDocument::templateEndpoint(QStringLiteral("endpoint-%1").arg(port), mode, port));
            selectEndpoint(index);
        });
    }
    add->setMenu(addMenu);
    m_duplicate = new QPushButton(tr("Duplicate"), left);
    m_duplicate->setObjectName(QStringLiteral("duplicate-endpoint"));
    m_remove = new QPushButton(tr("Remove…"), left);
    m_remove->setObjectName(QStringLiteral("remove-endpoint"));
    m_remove->setToolTip(tr("Removes the endpoint selected in the table"));
    buttons->addWidget(add);
    buttons->addWidget(m_duplicate);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    leftLayout->addLayout(buttons);

    leftLayout->addWidget(new QLabel(tr("Problems:"), left));
    m_problems = new QListWidget(left);
    m_problems->setObjectName(QStringLiteral("problems"));
    m_problems->setWordWrap(true);
    leftLayout->addWidget(m_problems);
    m_problems->setMaximumHeight(160);

    m_form = new EndpointForm(document);
    auto *scroll = new QScrollArea(splitter);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    splitter->addWidget(left);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({460, 620});
    layout->addWidget(splitter, 1);

    connect(m_userAgent, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_document->setRootValue(QStringLiteral("user-agent"),
                                 text.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(text));
    });
    // Turning the listener on writes only the required port; the address is left to its default.
    connect(m_adminEnabled, &QCheckBox::clicked, this, [this](bool on) {
        QJsonObject admin;
        admin.insert(KeyBindPort, freePort());
        m_document->setRootValue(KeyAdmin, on ? QJsonValue(admin) : QJsonValue(QJsonValue::Undefined), false);
    });
    connect(m_adminAddress, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_document->setRootSectionValue(
            KeyAdmin, KeyBindAddress, text.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(text));
    });
    connect(m_adminPort, &QSpinBox::valueChanged, this, [this](int port) {
        if (!m_loadingAdmin)
            m_document->setRootSectionValue(KeyAdmin, KeyBindPort,
                                            port == 0 ? QJsonValue(QJsonValue::Undefined) : QJsonValue(port));
    });
    connect(m_duplicate, &QPushButton::clicked, this, &ConfigEditor::duplicateEndpoint);
    connect(m_remove, &QPushButton::clicked, this, &ConfigEditor::removeEndpoint);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_form->setEndpointIndex(current.isValid() ? current.row() : -1);
            });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ConfigEditor::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // Keep the form on a row after adds, removes and undo of either.
        selectEndpoint(qBound(0, m_form->endpointIndex(), m_document->endpointCount() - 1));
    });
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const int index = item->data(Qt::UserRole).toInt();
        if (index >= 0)
            selectEndpoint(index);
    });
    connect(document, &ConfigDocument::changed, this, &ConfigEditor::refresh);
    refresh();
    selectEndpoint(0);
}

void ConfigEditor::selectEndpoint(int index)
{
    if (index < 0 || index >= m_document->endpointCount()) {
        m_form->setEndpointIndex(-1);
        return;
    }
    m_table->selectRow(index);
    m_table->setCurrentIndex(m_model->index(index, 0));
    m_form->setEndpointIndex(index);
}

int ConfigEditor::selectedEndpoint() const
{
    return m_form->endpointIndex();
}

void ConfigEditor::refresh()
{
    const QString userAgent = m_document->root().value(QStringLiteral("user-agent")).toString();
    if (m_userAgent->text() != userAgent)
        m_userAgent->setText(userAgent);
    const QStringList userAgentErrors = m_document->errorsAt(QStringLiteral("user-agent"));
    m_userAgentError->setText(userAgentErrors.join(QLatin1Char('\n')));
    m_userAgentError->setVisible(!userAgentErrors.isEmpty());

    refreshAdmin();

    updateButtons();

    static const QRegularExpression endpointPath(QStringLiteral("^endpoints\\[(\\d+)\\]"));
    m_problems->clear();
    const auto addProblems = [this](const ConfigErrors &problems, QStyle::StandardPixmap icon) {
        for (const ConfigError &problem : problems) {
            const QString where = problem.path.isEmpty() ? tr("file") : problem.path;
            auto *item =
                new QListWidgetItem(QApplication::style()->standardIcon(icon),
                                    QStringLiteral("%1: %2").arg(where, problem.message), m_problems);
            const auto match = endpointPath.match(problem.path);
            item->setData(Qt::UserRole, match.hasMatch() ? match.captured(1).toInt() : -1);
        }
    };
    addProblems(m_document->errors(), QStyle::SP_MessageBoxCritical);
    ConfigErrors notes = m_document->warnings();
    for (ConfigError &note : notes) {
        // The service ignores unknown keys; the editor keeps them.
        if (note.message.startsWith(QLatin1String("unknown key, ignored")))
            note.message.replace(0, int(qstrlen("unknown key, ignored")),
                                 tr("unknown key, ignored by the service, kept unchanged when saving"));
    }
    addProblems(notes, QStyle::SP_MessageBoxInformation);
    if (m_problems->count() == 0)
        new QListWidgetItem(QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton),
                            tr("No problems: the service would accept this config."), m_problems);
}

QWidget *ConfigEditor::adminField(QWidget *input, const QString &key, const QString &label)
{
    auto *container = new QWidget(input->parentWidget());
    auto *grid = new QGridLayout(container);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setVerticalSpacing(2);
    input->setObjectName(key);
    auto *caption = new QLabel(label, container);
    caption->setBuddy(input);
    grid->addWidget(caption, 0, 0);
    grid->addWidget(input, 0, 1);
    auto *error = errorLabel(container, key);
    grid->addWidget(error, 1, 1);
    grid->setColumnStretch(1, 1);
    m_adminErrors.insert(key, error);
    return container;
}

void ConfigEditor::refreshAdmin()
{
    const QJsonValue admin = m_document->root().value(KeyAdmin);
    const QJsonObject object = admin.toObject();
    const bool on = !admin.isUndefined();
    m_adminEnabled->setChecked(on);
    m_adminFields->setEnabled(on);

    const QString address = object.value(KeyBindAddress).toString();
    if (m_adminAddress->text() != address)
        m_adminAddress->setText(address);
    // A port the spin box cannot hold (out of range, a string) is named, as in the endpoint form.
    const QJsonValue portValue = object.value(KeyBindPort);
    const double port = portValue.toDouble();
    const bool representable = portValue.isDouble() && port == std::floor(port) && port >= 1 && port <= 65535;
    m_loadingAdmin = true;
    if (portValue.isUndefined() || representable) {
        m_adminPort->setSpecialValueText(tr("not set"));
        m_adminPort->setValue(representable ? int(port) : 0);
    } else {
        const QByteArray json = QJsonDocument(QJsonArray{portValue}).toJson(QJsonDocument::Compact);
        m_adminPort->setSpecialValueText(
            tr("invalid: %1").arg(QString::fromUtf8(json.mid(1, json.size() - 2))));
        m_adminPort->setValue(0);
    }
    m_loadingAdmin = false;

    for (auto it = m_adminErrors.cbegin(); it != m_adminErrors.cend(); ++it) {
        const QStringList messages = m_document->errorsAt(it.key());
        it.value()->setText(messages.join(QLatin1Char('\n')));
        it.value()->setVisible(!messages.isEmpty());
    }
    const QStringList warnings = m_document->warningsWithin(KeyAdmin);
    m_adminWarnings->setText(warnings.join(QLatin1Char('\n')));
    m_adminWarnings->setVisible(!warnings.isEmpty());

    if (on && representable) {
        const QString base = QStringLiteral("http://%1")
                                 .arg(PostfixSnippet::connectAddress(
                                     address.isEmpty() ? QStringLiteral("127.0.0.1") : address, int(port)));
        m_adminHint->setText(tr("%1/metrics (Prometheus) and %1/healthz; no authentication.").arg(base));
    } else if (on) {
        m_adminHint->setText(tr("Choose a port for /metrics and /healthz."));
    } else {
        m_adminHint->setText(tr("Off: the service serves no metrics or health checks."));
    }
}

void ConfigEditor::duplicateEndpoint()
{
    const int index = selectedRow();
    if (index < 0)
        return;
    QJsonObject copy = m_document->endpoint(index);
    copy.insert(QStringLiteral("name"),
                QString(copy.value(QStringLiteral("name")).toString() + QLatin1String("-copy")));
    copy.insert(QStringLiteral("bind-port"), freePort());
    selectEndpoint(m_document->addEndpoint(copy));
}

int ConfigEditor::selectedRow() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.constFirst().row();
}

void ConfigEditor::updateButtons()
{
    const bool selected = selectedRow() >= 0;
    m_duplicate->setEnabled(selected);
    m_remove->setEnabled(selected);
}

void ConfigEditor::removeEndpoint()
{
    // Only what the table shows as selected: the form may still show a row the user deselected.
    const int index = selectedRow();
    if (index < 0)
        return;
    const QJsonObject endpoint = m_document->endpoint(index);
    const QString name = endpoint.value(QStringLiteral("name")).toString();
    QMessageBox box(QMessageBox::Question, tr("Remove endpoint"),
                    tr("Remove the endpoint \"%1\" (%2, port %3)? Edit → Undo brings it back.")
                        .arg(name.isEmpty() ? ConfigDocument::endpointPath(index) : name,
                             endpoint.value(QStringLiteral("mode")).toString())
                        .arg(endpoint.value(QStringLiteral("bind-port")).toInt()),
                    QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirm-remove"));
    QPushButton *remove = box.addButton(tr("&Remove"), QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == remove)
        m_document->removeEndpoint(index);
}

int ConfigEditor::freePort() const
{
    int port = 9000;
    for (const QJsonValue &value : m_document->endpoints())
        port = qMax(port, value.toObject().value(QStringLiteral("bind-port")).toInt() + 1);
    return qMin(port, 65535);
}

} // namespace prc
