// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "configdocument.h"
#include "configeditor.h"
#include "lookuppanel.h"
#include "servicecheck.h"
#include "serviceview.h"
#include "snippetview.h"
#include "version.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace prc {
namespace {

const QString RecentFilesKey = QStringLiteral("recentFiles");
const QString GeometryKey = QStringLiteral("mainWindow/geometry");

} // namespace

namespace {

/// A tab page in a scroll area that only scrolls when the window is smaller than the page's minimum:
/// fields then move out of view instead of being drawn over each other.
QScrollArea *scrollable(QWidget *page)
{
    auto *scroll = new QScrollArea(page->parentWidget());
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    // What the page's layout needs, fixed now: a page whose parts ask more than its layout reports would be
    // squeezed instead of scrolled.
    page->setMinimumSize(page->minimumSizeHint());
    scroll->setWidget(page);
    return scroll;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_document(new ConfigDocument(this))
    , m_check(new ServiceCheck(this))
{
    m_document->newFromTemplate();
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);

    // Shown when another program changed the open file: a bar, not a dialog, so nothing is interrupted.
    m_diskBar = new QWidget(central);
    m_diskBar->setObjectName(QStringLiteral("changed-on-disk"));
    m_diskBar->setAutoFillBackground(true);
    m_diskBar->setStyleSheet(QStringLiteral("#changed-on-disk { background: #fff4ce; }"));
    auto *barLayout = new QHBoxLayout(m_diskBar);
    m_diskMessage = new QLabel(m_diskBar);
    m_diskMessage->setWordWrap(true);
    auto *reload = new QPushButton(tr("&Reload"), m_diskBar);
    reload->setObjectName(QStringLiteral("reload-from-disk"));
    auto *keep = new QPushButton(tr("Keep mine"), m_diskBar);
    keep->setObjectName(QStringLiteral("keep-editing"));
    barLayout->addWidget(m_diskMessage, 1);
    barLayout->addWidget(reload);
    barLayout->addWidget(keep);
    m_diskBar->hide();
    centralLayout->addWidget(m_diskBar);

    m_tabs = new QTabWidget(central);
    m_editor = new ConfigEditor(m_document, m_tabs);
    m_lookup = new LookupPanel(m_document, m_tabs);
    m_snippet = new SnippetView(m_document, m_tabs);
    // No mnemonics on the tabs: their letters belong to the fields. View menu: Ctrl+1, Alt+T, Ctrl+3, Ctrl+4.
    m_tabs->addTab(scrollable(m_editor), tr("Config editor"));
    m_tabs->addTab(scrollable(m_lookup), tr("Test lookup"));
    // The snippet fits any allowed window size, and its word-wrapped text would make a scroll area
    // around it scroll sideways.
    m_tabs->addTab(m_snippet, tr("Postfix snippet"));
    // The running service, read from its admin listener.
    m_service = new ServiceView(m_document, m_tabs);
    m_tabs->addTab(scrollable(m_service), tr("Service"));
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    createMenus();

    connect(reload, &QPushButton::clicked, this, &MainWindow::reloadFromDisk);
    connect(keep, &QPushButton::clicked, m_diskBar, &QWidget::hide);
    connect(m_document, &ConfigDocument::fileChangedOnDisk, this, &MainWindow::showChangedOnDisk);
    connect(m_document, &ConfigDocument::fileNameChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ConfigDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ConfigDocument::changed, this, &MainWindow::updateStatus);
    connect(m_check, &ServiceCheck::finished, this, &MainWindow::showCheckResult);
    updateStatus();
    updateTitle();

    setMinimumSize(minimumWindowSize());
    if (!restoreGeometry(QSettings().value(GeometryKey).toByteArray()))
        resize(1100, 760);

    // Ctrl+Z belongs to the document wherever the focus is: a line edit's own undo would only change its
    // text, and the edit that follows would leave an empty step on the document's stack.
    qApp->installEventFilter(this);
}

MainWindow::~MainWindow()
{
    qApp->removeEventFilter(this);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New from template"), QKeySequence::New, this, &MainWindow::newFile);
    file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::open);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    m_recentMenu->setObjectName(QStringLiteral("recent-files"));
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::save);
    file->addAction(tr("Save &as…"), QKeySequence::SaveAs, this, &MainWindow::saveAs);
    file->addSeparator();
    QAction *check = file->addAction(tr("&Check with the service…"), this, &MainWindow::checkWithService);
    check->setObjectName(QStringLiteral("check-with-service"));
    check->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    check->setToolTip(tr("Runs the installed service's --check-config on the config as edited"));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    updateRecentMenu();

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    m_undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undo->setObjectName(QStringLiteral("undo"));
    m_undo->setShortcuts(QKeySequence::Undo);
    m_redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redo->setObjectName(QStringLiteral("redo"));
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    // The docs promise Ctrl+Shift+Z on every platform, Ctrl+Y too where that is the convention.
    const QKeySequence shiftZ(Qt::CTRL | Qt::SHIFT | Qt::Key_Z);
    if (!redoKeys.contains(shiftZ))
        redoKeys.prepend(shiftZ);
    m_redo->setShortcuts(redoKeys);
    edit->addAction(m_undo);
    edit->addAction(m_redo);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Config editor"), QKeySequence(Qt::CTRL | Qt::Key_1), this,
                    [this] { m_tabs->setCurrentIndex(EditorTab); });
    QAction *lookup =
        view->addAction(tr("&Test lookup of the selected endpoint"), this, &MainWindow::testLookup);
    lookup->setObjectName(QStringLiteral("test-lookup"));
    lookup->setShortcuts({QKeySequence(Qt::ALT | Qt::Key_T), QKeySequence(Qt::CTRL | Qt::Key_2)});
    view->addAction(tr("&Postfix snippet"), QKeySequence(Qt::CTRL | Qt::Key_3), this,
                    [this] { m_tabs->setCurrentIndex(SnippetTab); });
    view->addAction(tr("&Service"), QKeySequence(Qt::CTRL | Qt::Key_4), this,
                    [this] { m_tabs->setCurrentIndex(ServiceTab); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About"),
            tr("<b>postfix-rest-connector-admin</b> %1<br>Edits postfix-rest-connector configs, "
               "tests running endpoints and writes the matching main.cf lines.")
                .arg(QStringLiteral(PRC_VERSION)));
    });
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::ShortcutOverride)
        return false;
    auto *widget = qobject_cast<QWidget *>(watched);
    if (!widget || widget->window() != this)
        return false;
    auto *key = static_cast<QKeyEvent *>(event);
    const QKeySequence pressed(key->keyCombination());
    if (!m_undo->shortcuts().contains(pressed) && !m_redo->shortcuts().contains(pressed))
        return false;
    // Left unaccepted, the key goes to the window's shortcuts (Edit → Undo/Redo) instead of the field.
    event->ignore();
    return true;
}

bool MainWindow::openFile(const QString &path)
{
    QString error;
    if (!load(path, &error)) {
        QMessageBox::warning(this, tr("Cannot open"), error);
        return false;
    }
    addRecentFile(path);
    statusBar()->showMessage(tr("Opened %1").arg(path), 5000);
    return true;
}

bool MainWindow::load(const QString &path, QString *error)
{
    if (!m_document->load(path, error))
        return false;
    m_diskBar->hide();
    // The lookup panel follows the new file by itself (the endpoint used last, with this file's address).
    return true;
}

bool MainWindow::saveFile(const QString &path)
{
    QString error;
    if (!m_document->save(path, &error)) {
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    m_diskBar->hide();
    addRecentFile(path);
    statusBar()->showMessage(
        m_document->errors().isEmpty()
            ? tr("Saved %1").arg(path)
            : tr("Saved %1, but the service will refuse it until the problems are fixed").arg(path),
        8000);
    return true;
}

void MainWindow::newFile()
{
    if (!maybeSave())
        return;
    m_document->newFromTemplate();
    m_diskBar->hide();
}

void MainWindow::open()
{
    if (!maybeSave())
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open config"), m_document->fileName(),
                                                      tr("JSON config (*.json);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

bool MainWindow::save()
{
    if (m_document->fileName().isEmpty())
        return saveAs();
    return saveFile(m_document->fileName());
}

bool MainWindow::saveAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save config"), m_document->fileName(),
                                                      tr("JSON config (*.json);;All files (*)"));
    return !path.isEmpty() && saveFile(path);
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("The config has unsaved changes. Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    QSettings().setValue(GeometryKey, saveGeometry());
    event->accept();
}

void MainWindow::updateTitle()
{
    const QString name =
        m_document->fileName().isEmpty() ? tr("new config") : QFileInfo(m_document->fileName()).fileName();
    setWindowTitle(tr("%1[*] – Postfix REST Connector admin").arg(name));
    setWindowModified(m_document->isModified());
}

void MainWindow::updateStatus()
{
    const qsizetype errors = m_document->errors().size();
    // Spelled out: without a translation loaded, tr()'s %n gives "1 problem(s)".
    QString message;
    if (errors == 0)
        message = tr("Config is valid.");
    else if (errors == 1)
        message = tr("1 problem to fix before the service accepts this config.");
    else
        message = tr("%1 problems to fix before the service accepts this config.").arg(errors);
    statusBar()->showMessage(message);
}

QStringList MainWindow::recentFiles() const
{
    return QSettings().value(RecentFilesKey).toStringList();
}

void MainWindow::addRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > MaxRecentFiles)
        files.removeLast();
    QSettings().setValue(RecentFilesKey, files);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files.at(i);
        // "&1 /etc/postfix-rest-connector/config.json": a digit to pick it from the keyboard.
        QAction *action =
            m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(
                                        QString(path).replace(QLatin1Char('&'), QLatin1String("&&"))),
                                    this, [this, path] {
                                        if (maybeSave())
                                            openFile(path);
                                    });
        action->setData(path);
    }
    if (!files.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("&Clear list"), this, [this] {
            QSettings().remove(RecentFilesKey);
            updateRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::testLookup()
{
    if (m_tabs->currentIndex() == EditorTab)
        m_lookup->selectEndpoint(m_editor->selectedEndpoint());
    m_tabs->setCurrentIndex(LookupTab);
    m_lookup->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::checkWithService()
{
    if (!m_checkDialog) {
        m_checkDialog = new QDialog(this);
        m_checkDialog->setObjectName(QStringLiteral("service-check"));
        m_checkDialog->setWindowTitle(tr("Check with the service"));
        auto *layout = new QVBoxLayout(m_checkDialog);
        m_checkSummary = new QLabel(m_checkDialog);
        m_checkSummary->setObjectName(QStringLiteral("service-check-summary"));
        m_checkSummary->setWordWrap(true);
        m_checkSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_checkOutput = new QPlainTextEdit(m_checkDialog);
        m_checkOutput->setObjectName(QStringLiteral("service-check-output"));
        m_checkOutput->setReadOnly(true);
        m_checkOutput->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, m_checkDialog);
        connect(buttons, &QDialogButtonBox::rejected, m_checkDialog, &QDialog::reject);
        layout->addWidget(m_checkSummary);
        layout->addWidget(m_checkOutput, 1);
        layout->addWidget(buttons);
        m_checkDialog->resize(640, 320);
    }
    QString error;
    m_checkOutput->clear();
    if (m_check->start(m_document, &error))
        m_checkSummary->setText(tr("Running %1 --check-config …").arg(m_check->binary()));
    else
        m_checkSummary->setText(error);
    m_checkDialog->show();
    m_checkDialog->raise();
}

void MainWindow::showCheckResult(int exitCode, const QString &output)
{
    if (!m_checkDialog)
        return;
    const QString what = m_document->isModified() || m_document->fileName().isEmpty()
                             ? tr("the config as edited (not saved yet)")
                             : m_document->fileName();
    m_checkSummary->setText(
        exitCode == 0 ? tr("%1 accepts %2.").arg(m_check->binary(), what)
                      : tr("%1 refuses %2 (exit code %3).").arg(m_check->binary(), what).arg(exitCode));
    m_checkOutput->setPlainText(output.trimmed());
}

void MainWindow::showChangedOnDisk()
{
    const bool gone = !QFileInfo::exists(m_document->fileName());
    m_diskBar->findChild<QPushButton *>(QStringLiteral("reload-from-disk"))->setVisible(!gone);
    if (gone) {
        m_diskMessage->setText(tr("%1 was removed or renamed by another program; Save writes it again.")
                                   .arg(m_document->fileName()));
        m_diskBar->show();
        return;
    }
    m_diskMessage->setText(
        m_document->isModified()
            ? tr("%1 was changed by another program. Reload it (your unsaved edits are lost) or keep "
                 "editing yours (saving overwrites the other change)?")
                  .arg(m_document->fileName())
            : tr("%1 was changed by another program. Reload it?").arg(m_document->fileName()));
    m_diskBar->show();
}

void MainWindow::reloadFromDisk()
{
    const QString path = m_document->fileName();
    const int endpoint = m_editor->selectedEndpoint();
    if (openFile(path))
        m_editor->selectEndpoint(qMin(endpoint, m_document->endpointCount() - 1));
}

} // namespace prc
