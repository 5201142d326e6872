// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QDialog;
class QTabWidget;

namespace prc {

class ConfigDocument;
class ConfigEditor;
class LookupPanel;
class ServiceCheck;
class ServiceView;
class SnippetView;

/// The admin tool's window: the config editor, the test-lookup panel, the Postfix snippet and the running
/// service's live view, one tab each. Recent files and the window geometry are kept in QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Tab { EditorTab, LookupTab, SnippetTab, ServiceTab };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    ConfigDocument *document() const { return m_document; }
    ConfigEditor *editor() const { return m_editor; }
    LookupPanel *lookupPanel() const { return m_lookup; }
    SnippetView *snippetView() const { return m_snippet; }
    ServiceView *serviceView() const { return m_service; }
    QTabWidget *tabs() const { return m_tabs; }

    /// Opens a file as File → Open does; a message box says why it cannot.
    bool openFile(const QString &path);
    /// Opens a file without asking or telling anyone (no message box, no recent-files entry).
    bool load(const QString &path, QString *error);
    bool saveFile(const QString &path);
    QStringList recentFiles() const;

    static constexpr int MaxRecentFiles = 8;
    /// Below this the editor's fields and the lookup's byte panes no longer fit.
    static QSize minimumWindowSize() { return {640, 480}; }

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void createMenus();
    void newFile();
    void open();
    bool save();
    bool saveAs();
    /// Asks what to do with unsaved changes; false means the user cancelled.
    bool maybeSave();
    void updateTitle();
    void updateStatus();
    void addRecentFile(const QString &path);
    void updateRecentMenu();
    void testLookup();
    void checkWithService();
    void showCheckResult(int exitCode, const QString &output);
    void showChangedOnDisk();
    void reloadFromDisk();

    ConfigDocument *m_document;
    QTabWidget *m_tabs;
    ConfigEditor *m_editor;
    LookupPanel *m_lookup;
    SnippetView *m_snippet;
    QAction *m_undo = nullptr;
    QAction *m_redo = nullptr;
    QMenu *m_recentMenu = nullptr;
    QWidget *m_diskBar = nullptr;
    QLabel *m_diskMessage = nullptr;
    ServiceCheck *m_check = nullptr;
    QDialog *m_checkDialog = nullptr;
    QLabel *m_checkSummary = nullptr;
    QPlainTextEdit *m_checkOutput = nullptr;
    ServiceView *m_service;
};

} // namespace prc
