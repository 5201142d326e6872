// SPDX-License-Identifier: GPL-3.0-or-later
#include "snippetview.h"

#include "adminlogging.h"
#include "configdocument.h"
#include "postfixsnippet.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTimer>
#include <QVBoxLayout>

namespace prc {
namespace {

const QString RestrictionsParameter = QStringLiteral("smtpd_recipient_restrictions");

QString postconf()
{
    // In sbin, which is not in every user's PATH.
    QString path = QStandardPaths::findExecutable(QStringLiteral("postconf"));
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(QStringLiteral("postconf"), {QStringLiteral("/usr/sbin")});
    return path;
}

} // namespace

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

    auto *restrictionsRow = new QHBoxLayout;
    auto *restrictionsLabel = new QLabel(tr("Your current smtpd_recipient_rest&rictions:"), this);
    m_restrictions = new QLineEdit(this);
    m_restrictions->setObjectName(QStringLiteral("current-recipient-restrictions"));
    m_restrictions->setPlaceholderText(tr("as postconf -h smtpd_recipient_restrictions prints them"));
    m_restrictions->setToolTip(tr("The policy checks are inserted into these, after "
                                  "reject_unauth_destination; nothing you have is dropped."));
    restrictionsLabel->setBuddy(m_restrictions);
    auto *read = new QPushButton(tr("Read from Postfi&x"), this);
    read->setObjectName(QStringLiteral("read-postconf"));
    read->setToolTip(tr("Runs postconf -h smtpd_recipient_restrictions on this machine"));
    read->setEnabled(!postconf().isEmpty());
    restrictionsRow->addWidget(restrictionsLabel);
    restrictionsRow->addWidget(m_restrictions, 1);
    restrictionsRow->addWidget(read);
    layout->addLayout(restrictionsRow);
    m_restrictionsSource = new QLabel(this);
    m_restrictionsSource->setObjectName(QStringLiteral("restrictions-source"));
    m_restrictionsSource->setStyleSheet(QStringLiteral("color: palette(dark);"));
    m_restrictionsSource->setWordWrap(true);
    layout->addWidget(m_restrictionsSource);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("snippet"));
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    layout->addWidget(m_text, 1);

    auto *buttons = new QHBoxLayout;
    auto *copy = new QPushButton(tr("Cop&y to clipboard"), this);
    buttons->addStretch(1);
    buttons->addWidget(copy);
    layout->addLayout(buttons);

    connect(copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(text()); });
    connect(read, &QPushButton::clicked, this, [this] { readFromPostfix(false); });
    connect(m_restrictions, &QLineEdit::textEdited, this, [this] {
        m_restrictionsKnown = true;
        m_restrictionsSource->setText(tr("As typed above."));
        refresh();
    });
    connect(document, &ConfigDocument::changed, this, &SnippetView::refresh);
    m_restrictionsSource->setText(
        tr("Not known yet: type them above, or read them from this machine's Postfix."));
    refresh();
    if (read->isEnabled())
        QTimer::singleShot(0, this, [this] { readFromPostfix(true); });
}

SnippetView::~SnippetView()
{
    if (m_postconf) {
        // QProcess waits for a running child in its destructor and reports to us meanwhile: not any more.
        m_postconf->disconnect(this);
        m_postconf->kill();
        m_postconf->waitForFinished(1000);
    }
}

void SnippetView::readFromPostfix(bool automatic)
{
    if (m_postconf)
        return; // one read at a time
    auto *process = new QProcess(this);
    m_postconf = process;
    connect(process, &QProcess::finished, this,
            [this, process, automatic](int exitCode, QProcess::ExitStatus status) {
                process->deleteLater();
                m_postconf = nullptr;
                // What the admin typed wins over the answer to the read at start.
                if (status != QProcess::NormalExit || exitCode != 0 || (automatic && m_restrictionsKnown))
                    return;
                m_restrictions->setText(
                    QString::fromLocal8Bit(process->readAllStandardOutput()).simplified());
                m_restrictionsKnown = true;
                m_restrictionsSource->setText(tr("Read from this machine's postconf."));
                refresh();
            });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // finished() follows
        process->deleteLater();
        m_postconf = nullptr;
    });
    process->start(postconf(), {QStringLiteral("-h"), RestrictionsParameter});
}

QString SnippetView::text() const
{
    return m_text->toPlainText();
}

void SnippetView::refresh()
{
    m_text->setPlainText(PostfixSnippet::generate(
        m_document->endpoints(), m_document->fileName(), m_document->root().value(QStringLiteral("admin")),
        m_restrictionsKnown ? std::optional<QString>(m_restrictions->text()) : std::nullopt));
}

} // namespace prc
