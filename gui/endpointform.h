// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QWidget>

class QAbstractSpinBox;
class QCheckBox;
class QComboBox;
class QJsonObject;
class QJsonValue;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QToolButton;

namespace prc {

class ConfigDocument;

/// Edits every key of one endpoint of a ConfigDocument. Each field has a label under it for the validator's
/// messages about that key (object name "KEY-error"); the fields themselves are named after their key, keys
/// of an object inside the endpoint with its path in front ("cache.max-ttl", "cache.shared.url"). The Redis
/// password row is "cache.shared.password" (its source box "cache.shared.password-source"): it edits
/// password-file or password-env and shows the errors of both.
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
        qint64 minimum;
        qint64 maximum;
        QString suffix;
        QString hint;
        QString defaultText; ///< shown while the key is absent
    };

    /// Adding a field: create its input, call field() (or numberField()/boolField()) with its JSON key,
    /// then addRow() with a label that has a mnemonic; refresh() shows the value, writeValue() stores it.
    QWidget *field(QWidget *input, const QString &key, const QString &hint, QWidget *extra = nullptr);
    /// A form row: the label (with its &mnemonic) focusing the key's input, and the input with its messages.
    void addRow(QFormLayout *form, const QString &label, const QString &key);
    void setTabOrder();
    /// A spin box for an integer key; ranges beyond int get a QDoubleSpinBox without decimals.
    QAbstractSpinBox *numberField(const NumberSpec &spec, QWidget *extra = nullptr);
    /// A check box for a boolean key; in its default state the key is left out of the file.
    QCheckBox *boolField(const QString &key, const QString &text, bool defaultValue, const QString &hint,
                         QWidget *parent, QWidget *extra = nullptr);
    /// Writes a key of the endpoint or, for "cache.KEY" and "cache.shared.KEY", of the object it is in.
    void writeValue(const QString &key, const QJsonValue &value, bool merge);
    QJsonValue valueOf(const QJsonObject &endpoint, const QString &key) const;
    void refresh();
    void refreshDefaults(const QString &mode);
    void refreshBackendHints(const QJsonObject &endpoint);
    void refreshCache(const QJsonObject &endpoint, const QString &mode);
    /// The "cache.shared" object: the Redis tier, its settings and where its password comes from.
    void addSharedCacheFields(QFormLayout *form, QWidget *parent);
    void refreshShared(const QJsonObject &endpoint);
    void setPasswordSource(int source);
    void showNumber(QAbstractSpinBox *spin, const QJsonValue &value, const QString &key);
    void showBool(QCheckBox *box, const QJsonValue &value, const QString &key);
    void showErrors();
    /// An optional string key as a line edit: cleared, the key is removed.
    QLineEdit *textField(const QString &key, const QString &placeholder, const QString &hint,
                         QWidget *parent);
    void addBackendClientFields(QWidget *backend, QFormLayout *form);
    void setTokenSource(int source);
    QString tokenKey() const;
    /// bind-path, socket-mode and socket-group: a Unix socket instead of bind-address and bind-port.
    void addUnixSocketFields(QFormLayout *form, QWidget *parent);
    /// Whether the form has a field (and an error label) for this endpoint key.
    bool hasField(const QString &path) const;

    ConfigDocument *m_document;
    int m_index = -1;
    bool m_loading = false;

    QLineEdit *m_name = nullptr;
    QComboBox *m_mode = nullptr;
    QLabel *m_modeHint = nullptr;
    QLineEdit *m_target = nullptr;
    QLineEdit *m_bindAddress = nullptr;
    QSpinBox *m_bindPort = nullptr;
    QLineEdit *m_bindPath = nullptr;
    QLineEdit *m_socketMode = nullptr;
    QLineEdit *m_socketGroup = nullptr;
    QComboBox *m_tokenSource = nullptr;
    QLineEdit *m_token = nullptr;
    QToolButton *m_reveal = nullptr;
    QLineEdit *m_listSeparator = nullptr;
    QComboBox *m_backendClient = nullptr;
    QHash<QString, QLineEdit *> m_texts; ///< optional string keys: empty means "key absent"
    QHash<QString, QAbstractSpinBox *> m_numbers;
    QHash<QString, QCheckBox *> m_bools;
    QHash<QString, bool> m_boolDefaults;
    QHash<QString, QString> m_boolTexts;
    QLabel *m_connectionsHint = nullptr;
    QLabel *m_http2Hint = nullptr;
    QCheckBox *m_cacheEnabled = nullptr;
    QToolButton *m_cacheExpand = nullptr;
    QWidget *m_cacheSettings = nullptr;
    QLabel *m_cacheHint = nullptr;
    QLabel *m_cacheWarnings = nullptr;
    QCheckBox *m_shared = nullptr;
    QComboBox *m_passwordSource = nullptr;
    QLineEdit *m_passwordReference = nullptr;
    QList<QWidget *> m_sharedRows;          ///< labels and fields of the shared settings: on with the object
    int m_cacheExpandedFor = -2;            ///< the endpoint whose cache section was last auto-expanded
    QHash<QString, QString> m_defaultTexts; ///< the "key absent" text of each spin box
    QHash<QString, QLabel *> m_errorLabels;
    QHash<QString, QWidget *> m_inputs; ///< by key: what a label's mnemonic focuses
    QStringList m_fieldOrder;           ///< keys in the order their fields were made, top to bottom
    QLabel *m_generalErrors = nullptr;
    QLabel *m_unknownKeys = nullptr;

    // Failover and answer shaping: target lists, circuit breaker, value-path, not-found-statuses,
    // failure-action, cache.key-attributes, max-queued-calls.
    QWidget *failoverGroup();
    void refreshFailover(const QJsonObject &endpoint);
    /// Writes a key of the "circuit-breaker" object; the object stays (even empty) while the breaker is on.
    void writeBreakerValue(const QString &key, const QJsonValue &value);
    QCheckBox *m_breaker = nullptr;
    QHash<QString, QLineEdit *>
        m_shapeTexts; ///< value-path, not-found-statuses, failure-action, key-attributes
};

} // namespace prc
