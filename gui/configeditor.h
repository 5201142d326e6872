// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableView;

namespace prc {

class ConfigDocument;
class EndpointForm;
class EndpointTableModel;

/// The editor view: user agent, the endpoint table, the form for the selected endpoint and a list of
/// problems.
class ConfigEditor : public QWidget
{
    Q_OBJECT
public:
    explicit ConfigEditor(ConfigDocument *document, QWidget *parent = nullptr);

    EndpointForm *form() const { return m_form; }
    QTableView *table() const { return m_table; }
    void selectEndpoint(int index);
    int selectedEndpoint() const;

private:
    void refresh();
    void addEndpoint();
    void duplicateEndpoint();
    void removeEndpoint();
    int freePort() const;

    ConfigDocument *m_document;
    EndpointTableModel *m_model;
    QLineEdit *m_userAgent;
    QLabel *m_userAgentError;
    QTableView *m_table;
    QPushButton *m_duplicate;
    QPushButton *m_remove;
    EndpointForm *m_form;
    QListWidget *m_problems;
};

} // namespace prc
