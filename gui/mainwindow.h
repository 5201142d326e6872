// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>

class QTabWidget;

namespace prc {

class ConfigDocument;
class ConfigEditor;
class LookupPanel;
class ServiceView;
class SnippetView;

/// The admin tool's window: the config editor, the test-lookup panel, the Postfix snippet and
/// the running service's live view, one tab each.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Tab { EditorTab, LookupTab, SnippetTab, ServiceTab };

    explicit MainWindow(QWidget *parent = nullptr);

    ConfigDocument *document() const { return m_document; }
    ConfigEditor *editor() const { return m_editor; }
    LookupPanel *lookupPanel() const { return m_lookup; }
    SnippetView *snippetView() const { return m_snippet; }
    ServiceView *serviceView() const { return m_service; }
    QTabWidget *tabs() const { return m_tabs; }

    bool openFile(const QString &path);
    bool saveFile(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void newFile();
    void open();
    bool save();
    bool saveAs();
    /// Asks what to do with unsaved changes; false means the user cancelled.
    bool maybeSave();
    void updateTitle();

    ConfigDocument *m_document;
    QTabWidget *m_tabs;
    ConfigEditor *m_editor;
    LookupPanel *m_lookup;
    SnippetView *m_snippet;
    ServiceView *m_service;
};

} // namespace prc
