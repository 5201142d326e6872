// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/lookupresult.h"
#include "lookuphistory.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace prc {

class ConfigDocument;
class PostfixClient;

/// Sends one lookup to a running endpoint, as Postfix would, and shows the answer, the raw bytes and what
/// Postfix makes of it. One lookup runs at a time, asynchronously, and can be cancelled (Escape). Earlier
/// lookups stay in a history that outlives the program, and each can be sent again or run with `postmap -q`.
class LookupPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LookupPanel(ConfigDocument *document, QWidget *parent = nullptr);
    ~LookupPanel() override;

    /// A typical RCPT-stage request, as Postfix sends it, one "name=value" per line.
    static QString policyTemplate();

    /// Picks endpoints[index] of the document as the target (host, port, mode and map name).
    void selectEndpoint(int index);
    void setKey(const QString &key);
    void setMapName(const QString &mapName);
    /// Sets one policy attribute, replacing its line or adding one.
    void setPolicyAttribute(const QString &name, const QString &value);
    /// Starts the lookup with the current inputs; returns false (and shows why) if they are incomplete or a
    /// lookup is still running.
    bool send();
    /// Abandons the running lookup; lookupFinished() follows with "cancelled".
    void cancel();
    bool isBusy() const;

    const QList<LookupEntry> &history() const { return m_history.entries(); }

Q_SIGNALS:
    void lookupFinished(const prc::LookupResult &result);

private:
    void refreshEndpoints();
    void applyEndpoint();
    /// Points the endpoint box at the endpoint the host, port and protocol fields name, or at "Other
    /// address".
    void followManualEdit();
    void onModeChanged();
    void updateModePage();
    void updateKeyLimit();
    void showResult(const LookupEntry &entry);
    void onFinished(const LookupResult &result);
    void addHistoryItem(const LookupEntry &entry);
    void restoreInputs(const LookupEntry &entry);
    void resendSelected();
    void exportHistory();
    void rememberInputs();
    EndpointMode currentMode() const;
    const LookupEntry *selectedEntry() const;

    ConfigDocument *m_document;
    PostfixClient *m_client;

    QComboBox *m_endpoint;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QComboBox *m_mode;
    QSpinBox *m_timeout;
    QStackedWidget *m_question;
    QLineEdit *m_mapName;
    QWidget *m_mapNameLabel;
    QLineEdit *m_key;
    QPlainTextEdit *m_attributes;
    QPushButton *m_send;
    QPushButton *m_cancel;
    QLabel *m_elapsed;
    QLabel *m_inputError;

    QLabel *m_meaning;
    QLabel *m_explanation;
    QLineEdit *m_value;
    QLabel *m_roundTrip;
    QLineEdit *m_command;
    QPlainTextEdit *m_sent;
    QPlainTextEdit *m_received;
    QListWidget *m_historyList;
    QPushButton *m_resend;

    LookupHistory m_history;
    LookupEntry m_pending;
    QElapsedTimer m_clock;
    QTimer m_ticker;
    QString m_fileName;             ///< the document the endpoint box was last filled from
    QHash<int, QString> m_keys;     ///< the last key per protocol (EndpointMode)
    QHash<QString, QString> m_maps; ///< the last map name per socketmap endpoint
    int m_shownMode = -1;
    bool m_applying = false;
};

} // namespace prc
