// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

namespace prc {

class MainWindow;

/// Drives the window through its views and saves one PNG per view, for the manual. Lookups given as
/// (endpoint name, key) are sent first, so the lookup view shows real answers and a history.
class ScreenshotRunner : public QObject
{
    Q_OBJECT
public:
    ScreenshotRunner(MainWindow *window, QString directory, QList<QPair<QString, QString>> lookups,
                     QObject *parent = nullptr);

    /// Scrolls the editor so the field with this object name ("cache.max-ttl") is in admin-editor.png.
    void setVisibleField(const QString &objectName) { m_visibleField = objectName; }

    void start();

Q_SIGNALS:
    void done(bool ok);

private:
    void nextLookup();
    bool grab(int tab, const QString &fileName);
    void finish();
    /// With an admin listener: shows the service view while the lookups are sent again, then grabs it.
    void grabServiceView();

    MainWindow *m_window;
    QString m_directory;
    QList<QPair<QString, QString>> m_lookups;
    QList<QPair<QString, QString>> m_allLookups;
    bool m_repeating = false;
    int m_sent = 0;
    QString m_visibleField;
    bool m_ok = true;
};

} // namespace prc
