// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/lookupresult.h"

#include <QList>
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
/// Postfix makes of it. The lookup runs asynchronously; earlier results stay in a history list.
class LookupPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LookupPanel(ConfigDocument *document, QWidget *parent = nullptr);

    /// A typical RCPT-stage request, as Postfix sends it, one "name=value" per line.
    static QString policyTemplate();

    /// Picks endpoints[index] of the document as the target (host, port, mode and map name).
    void selectEndpoint(int index);
    void setKey(const QString &key);
    void setMapName(const QString &mapName);
    /// Sets one policy attribute, replacing its line or adding one.
    void setPolicyAttribute(const QString &name, const QString &value);
    /// Starts the lookup with the current inputs; returns false (and shows why) if they are incomplete.
    bool send();

    const QList<LookupResult> &history() const { return m_history; }

Q_SIGNALS:
    void lookupFinished(const prc::LookupResult &result);

private:
    void refreshEndpoints();
    void applyEndpoint();
    void updateModePage();
    void showResult(const LookupResult &result);
    void onFinished(const LookupResult &result);

    ConfigDocument *m_document;
    PostfixClient *m_client;

    QComboBox *m_endpoint;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QComboBox *m_mode;
    QSpinBox *m_timeout;
    QStackedWidget *m_question;
    QLineEdit *m_mapName;
    QLabel *m_mapNameLabel;
    QLineEdit *m_key;
    QPlainTextEdit *m_attributes;
    QPushButton *m_send;
    QLabel *m_inputError;

    QLabel *m_meaning;
    QLabel *m_explanation;
    QLineEdit *m_value;
    QLabel *m_roundTrip;
    QPlainTextEdit *m_sent;
    QPlainTextEdit *m_received;
    QListWidget *m_historyList;

    QList<LookupResult> m_history;
    QString m_pendingDescription;
};

} // namespace prc
