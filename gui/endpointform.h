// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QWidget>

class QComboBox;
class QJsonObject;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QToolButton;

namespace prc {

class ConfigDocument;

/// Edits every key of one endpoint of a ConfigDocument. Each field has a label under it for the validator's
/// messages about that key (object name "KEY-error"); the fields themselves are named after their key.
class EndpointForm : public QWidget
{
    Q_OBJECT
public:
    explicit EndpointForm(ConfigDocument *document, QWidget *parent = nullptr);

    /// -1 shows an empty, disabled form.
    void setEndpointIndex(int index);
    int endpointIndex() const { return m_index; }

    /// The message shown next to a key's field, empty when there is none.
    QString errorText(const QString &key) const;

private:
    struct NumberSpec
    {
        QString key;
        QString label;
        int minimum;
        int maximum;
        QString suffix;
        QString hint;
    };

    QWidget *field(QWidget *input, const QString &key, const QString &hint, QWidget *extra = nullptr);
    QSpinBox *numberField(const NumberSpec &spec);
    void refresh();
    void refreshDefaults(const QString &mode);
    void showNumber(QSpinBox *spin, const QJsonObject &endpoint, const QString &key);
    void showErrors();
    void setTokenSource(int source);
    QString tokenKey() const;
    /// Whether the form has a field (and an error label) for this endpoint key.
    bool hasField(const QString &key) const;

    ConfigDocument *m_document;
    int m_index = -1;
    bool m_loading = false;

    QLineEdit *m_name = nullptr;
    QComboBox *m_mode = nullptr;
    QLabel *m_modeHint = nullptr;
    QLineEdit *m_target = nullptr;
    QLineEdit *m_bindAddress = nullptr;
    QSpinBox *m_bindPort = nullptr;
    QComboBox *m_tokenSource = nullptr;
    QLineEdit *m_token = nullptr;
    QToolButton *m_reveal = nullptr;
    QLineEdit *m_listSeparator = nullptr;
    QHash<QString, QSpinBox *> m_numbers;
    QHash<QString, QString> m_defaultTexts; ///< the "key absent" text of each spin box
    QHash<QString, QLabel *> m_errorLabels;
    QLabel *m_generalErrors = nullptr;
    QLabel *m_unknownKeys = nullptr;
};

} // namespace prc
