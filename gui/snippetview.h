// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QPlainTextEdit;

namespace prc {

class ConfigDocument;

/// Shows the main.cf lines for the endpoints of the document, kept up to date while it is edited.
class SnippetView : public QWidget
{
    Q_OBJECT
public:
    explicit SnippetView(ConfigDocument *document, QWidget *parent = nullptr);

    QString text() const;

private:
    void refresh();

    ConfigDocument *m_document;
    QPlainTextEdit *m_text;
};

} // namespace prc
