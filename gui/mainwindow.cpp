// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "configdocument.h"
#include "configeditor.h"
#include "lookuppanel.h"
#include "serviceview.h"
#include "snippetview.h"
#include "version.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>

namespace prc {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_document(new ConfigDocument(this))
{
    m_document->newFromTemplate();
    m_tabs = new QTabWidget(this);
    m_editor = new ConfigEditor(m_document, m_tabs);
    m_lookup = new LookupPanel(m_document, m_tabs);
    m_snippet = new SnippetView(m_document, m_tabs);
    m_tabs->addTab(m_editor, tr("&Config editor"));
    m_tabs->addTab(m_lookup, tr("&Test lookup"));
    m_tabs->addTab(m_snippet, tr("&Postfix snippet"));
    // The running service, read from its admin listener.
    m_service = new ServiceView(m_document, m_tabs);
    m_tabs->addTab(m_service, tr("Ser&vice"));
    setCentralWidget(m_tabs);
    createMenus();

    connect(m_document, &ConfigDocument::fileNameChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ConfigDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ConfigDocument::changed, this, [this] {
        const int errors = m_document->errors().size();
        statusBar()->showMessage(
            errors == 0
                ? tr("Config is valid.")
                : tr("%n problem(s) to fix before the service accepts this config.", nullptr, errors));
    });
    Q_EMIT m_document->changed();
    updateTitle();
    resize(1100, 760);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New from template"), QKeySequence::New, this, &MainWindow::newFile);
    file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::open);
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::save);
    file->addAction(tr("Save &as…"), QKeySequence::SaveAs, this, &MainWindow::saveAs);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About"),
            tr("<b>postfix-rest-connector-admin</b> %1<br>Edits postfix-rest-connector configs, "
               "tests running endpoints and writes the matching main.cf lines.")
                .arg(QStringLiteral(PRC_VERSION)));
    });
}

bool MainWindow::openFile(const QString &path)
{
    QString error;
    if (!m_document->load(path, &error)) {
        QMessageBox::warning(this, tr("Cannot open"), error);
        return false;
    }
    statusBar()->showMessage(tr("Opened %1").arg(path), 5000);
    return true;
}

bool MainWindow::saveFile(const QString &path)
{
    QString error;
    if (!m_document->save(path, &error)) {
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    statusBar()->showMessage(
        m_document->errors().isEmpty()
            ? tr("Saved %1").arg(path)
            : tr("Saved %1, but the service will refuse it until the problems are fixed").arg(path),
        8000);
    return true;
}

void MainWindow::newFile()
{
    if (maybeSave())
        m_document->newFromTemplate();
}

void MainWindow::open()
{
    if (!maybeSave())
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open config"), QString(),
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
    if (maybeSave())
        event->accept();
    else
        event->ignore();
}

void MainWindow::updateTitle()
{
    const QString name =
        m_document->fileName().isEmpty() ? tr("new config") : QFileInfo(m_document->fileName()).fileName();
    setWindowTitle(tr("%1[*] – Postfix REST Connector admin").arg(name));
    setWindowModified(m_document->isModified());
}

} // namespace prc
