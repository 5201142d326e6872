// SPDX-License-Identifier: GPL-3.0-or-later
#include "snippetview.h"

#include "configdocument.h"
#include "postfixsnippet.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace prc {

SnippetView::SnippetView(ConfigDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Add these lines to /etc/postfix/main.cf (or run the equivalent "
                                "<tt>postconf -e</tt> commands), then <tt>postfix reload</tt>. "
                                "Test each table first with <tt>postmap -q KEY tcp:127.0.0.1:PORT</tt>."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("snippet"));
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    layout->addWidget(m_text, 1);

    auto *buttons = new QHBoxLayout;
    auto *copy = new QPushButton(tr("Copy to clipboard"), this);
    buttons->addStretch(1);
    buttons->addWidget(copy);
    layout->addLayout(buttons);

    connect(copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(text()); });
    connect(document, &ConfigDocument::changed, this, &SnippetView::refresh);
    refresh();
}

QString SnippetView::text() const
{
    return m_text->toPlainText();
}

void SnippetView::refresh()
{
    m_text->setPlainText(PostfixSnippet::generate(m_document->endpoints(), m_document->fileName(),
                                                  m_document->root().value(QStringLiteral("admin"))));
}

} // namespace prc
