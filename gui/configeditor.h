// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QListWidget;
class QPushButton;
class QTableView;

namespace prc {

class ConfigDocument;
class EndpointForm;
class EndpointTableModel;

/// The editor view: user agent, the admin listener, the endpoint table, the form for the selected endpoint
/// and a list of problems. The admin fields are named after their JSON path ("admin.bind-port"); each has an
/// error label under it ("admin.bind-port-error").
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
    void refreshAdmin();
    QWidget *adminField(QWidget *input, const QString &key, const QString &label);
    void addEndpoint();
    void duplicateEndpoint();
    void removeEndpoint();
    /// The row selected in the table, -1 when none is.
    int selectedRow() const;
    void updateButtons();
    int freePort() const;

    ConfigDocument *m_document;
    EndpointTableModel *m_model;
    QLineEdit *m_userAgent;
    QLabel *m_userAgentError;
    QCheckBox *m_adminEnabled;
    QLineEdit *m_adminAddress;
    QSpinBox *m_adminPort;
    QWidget *m_adminFields;
    QLabel *m_adminHint;
    QLabel *m_adminWarnings;
    bool m_loadingAdmin = false;
    QHash<QString, QLabel *> m_adminErrors; ///< by JSON path: "admin", "admin.bind-address", …
    QTableView *m_table;
    QPushButton *m_duplicate;
    QPushButton *m_remove;
    EndpointForm *m_form;
    QListWidget *m_problems;
};

} // namespace prc
