// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpointtablemodel.h"

#include "configdocument.h"

#include <QApplication>
#include <QJsonObject>
#include <QStyle>

namespace prc {
namespace {

QString text(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 12);
    return {};
}

} // namespace

EndpointTableModel::EndpointTableModel(ConfigDocument *document, QObject *parent)
    : QAbstractTableModel(parent)
    , m_document(document)
{
    connect(document, &ConfigDocument::endpointCountChanged, this, [this] {
        beginResetModel();
        endResetModel();
    });
    connect(document, &ConfigDocument::changed, this, [this] {
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    });
}

int EndpointTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_document->endpointCount();
}

int EndpointTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EndpointTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const QJsonObject endpoint = m_document->endpoint(index.row());
    const QStringList errors = m_document->endpointErrors(index.row());

    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NameColumn:
            return text(endpoint.value(QStringLiteral("name")));
        case ModeColumn:
            return text(endpoint.value(QStringLiteral("mode")));
        case BindColumn: {
            if (endpoint.contains(QStringLiteral("bind-path")))
                return QString(QStringLiteral("unix:") + text(endpoint.value(QStringLiteral("bind-path"))));
            const QString address = text(endpoint.value(QStringLiteral("bind-address")));
            const QString port = text(endpoint.value(QStringLiteral("bind-port")));
            return address.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(address, port)
                                                      : QStringLiteral("%1:%2").arg(address, port);
        }
        case TargetColumn:
            return text(endpoint.value(QStringLiteral("target")));
        }
    }
    if (role == Qt::DecorationRole && index.column() == NameColumn && !errors.isEmpty())
        return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    if (role == Qt::ToolTipRole && !errors.isEmpty())
        return errors.join(QLatin1Char('\n'));
    return {};
}

QVariant EndpointTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case ModeColumn:
        return tr("Mode");
    case BindColumn:
        return tr("Listens on");
    case TargetColumn:
        return tr("Backend URL");
    }
    return {};
}

} // namespace prc
