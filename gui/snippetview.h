// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProcess;

namespace prc {

class ConfigDocument;

/// Shows the main.cf lines for the endpoints of the document, kept up to date while it is edited. The
/// policy checks go into the admin's current smtpd_recipient_restrictions: read from this machine's
/// `postconf` when there is one, or typed in.
class SnippetView : public QWidget
{
    Q_OBJECT
public:
    explicit SnippetView(ConfigDocument *document, QWidget *parent = nullptr);
    ~SnippetView() override;

    QString text() const;
    QLineEdit *restrictionsField() const { return m_restrictions; }

private:
    void refresh();
    /// `automatic`: the read at start, which must not replace what the admin typed meanwhile.
    void readFromPostfix(bool automatic);

    ConfigDocument *m_document;
    QLineEdit *m_restrictions;
    QLabel *m_restrictionsSource;
    QPlainTextEdit *m_text;
    /// The field holds the real value: the user typed it or postconf printed it.
    bool m_restrictionsKnown = false;
    QProcess *m_postconf = nullptr; ///< the running postconf, if any
};

} // namespace prc
