// SPDX-License-Identifier: GPL-3.0-or-later
#include "configeditor.h"

#include "configdocument.h"
#include "endpointform.h"
#include "endpointtablemodel.h"

#include <QApplication>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace prc {

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
    top->addRow(tr("User agent:"), userAgentBox);
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
    m_remove = new QPushButton(tr("Remove"), left);
    m_remove->setObjectName(QStringLiteral("remove-endpoint"));
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
    connect(m_duplicate, &QPushButton::clicked, this, &ConfigEditor::duplicateEndpoint);
    connect(m_remove, &QPushButton::clicked, this, &ConfigEditor::removeEndpoint);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_form->setEndpointIndex(current.isValid() ? current.row() : -1);
            });
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

    const bool hasEndpoint = m_document->endpointCount() > 0;
    m_duplicate->setEnabled(hasEndpoint);
    m_remove->setEnabled(hasEndpoint);

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
        if (note.message.startsWith(QLatin1String("unknown key")))
            note.message += tr("; kept unchanged when saving");
    }
    addProblems(notes, QStyle::SP_MessageBoxInformation);
    if (m_problems->count() == 0)
        new QListWidgetItem(QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton),
                            tr("No problems: the service would accept this config."), m_problems);
}

void ConfigEditor::duplicateEndpoint()
{
    const int index = selectedEndpoint();
    if (index < 0)
        return;
    QJsonObject copy = m_document->endpoint(index);
    copy.insert(QStringLiteral("name"),
                QString(copy.value(QStringLiteral("name")).toString() + QLatin1String("-copy")));
    copy.insert(QStringLiteral("bind-port"), freePort());
    selectEndpoint(m_document->addEndpoint(copy));
}

void ConfigEditor::removeEndpoint()
{
    const int index = selectedEndpoint();
    if (index >= 0)
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
