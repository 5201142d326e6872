// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>

namespace prc {

class ConfigDocument;

/// The endpoints of a ConfigDocument as rows: name, mode, bind address:port, target. Read-only; the form
/// edits.
class EndpointTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ModeColumn, BindColumn, TargetColumn, ColumnCount };

    explicit EndpointTableModel(ConfigDocument *document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    ConfigDocument *m_document;
};

} // namespace prc
