// SPDX-License-Identifier: GPL-3.0-or-later
#include "screenshotrunner.h"

#include "adminlogging.h"
#include "configdocument.h"
#include "configeditor.h"
#include "lookuppanel.h"
#include "mainwindow.h"
#include "serviceview.h"

#include <QDir>
#include <QJsonObject>
#include <QPixmap>
#include <QScrollArea>
#include <QTabWidget>
#include <QTimer>

namespace prc {

ScreenshotRunner::ScreenshotRunner(MainWindow *window, QString directory,
                                   QList<QPair<QString, QString>> lookups, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_directory(std::move(directory))
    , m_lookups(std::move(lookups))
    , m_allLookups(m_lookups)
{
    connect(window->lookupPanel(), &LookupPanel::lookupFinished, this, [this](const LookupResult &result) {
        qCInfo(lcAdmin).noquote() << "lookup:" << LookupResult::meaningName(result.meaning)
                                  << QString::fromUtf8(result.value) << result.error;
        if (!m_repeating)
            nextLookup();
    });
}

void ScreenshotRunner::start()
{
    QDir().mkpath(m_directory);
    // The same size every time, whatever geometry the last interactive run left in the settings.
    m_window->resize(1100, 760);
    m_window->show();
    // Let the first layout pass and paint happen before grabbing.
    QTimer::singleShot(200, this, [this] {
        if (!m_visibleField.isEmpty()) {
            auto *field = m_window->editor()->findChild<QWidget *>(m_visibleField);
            auto *scroll = m_window->editor()->findChild<QScrollArea *>();
            if (field && scroll) {
                scroll->ensureWidgetVisible(field, 0, 40);
            } else {
                qCWarning(lcAdmin) << "no field named" << m_visibleField;
                m_ok = false;
            }
        }
        m_ok = grab(MainWindow::EditorTab, QStringLiteral("admin-editor.png")) && m_ok;
        m_window->tabs()->setCurrentIndex(MainWindow::LookupTab);
        nextLookup();
    });
}

void ScreenshotRunner::nextLookup()
{
    if (m_repeating && m_lookups.isEmpty())
        return;
    if (m_lookups.isEmpty()) {
        QTimer::singleShot(100, this, &ScreenshotRunner::finish);
        return;
    }
    const auto [name, key] = m_lookups.takeFirst();
    const QJsonArray endpoints = m_window->document()->endpoints();
    int index = -1;
    for (int i = 0; i < endpoints.size(); ++i) {
        if (endpoints.at(i).toObject().value(QStringLiteral("name")).toString() == name)
            index = i;
    }
    if (index < 0) {
        qCWarning(lcAdmin) << "no endpoint named" << name;
        m_ok = false;
        QTimer::singleShot(0, this, &ScreenshotRunner::nextLookup);
        return;
    }
    m_window->lookupPanel()->selectEndpoint(index);
    // For socketmap endpoints "MAP KEY" names the map too, as in the socketmap request itself.
    const QString mode = endpoints.at(index).toObject().value(QStringLiteral("mode")).toString();
    const qsizetype space = key.indexOf(QLatin1Char(' '));
    if (mode == QLatin1String("socketmap-lookup") && space > 0) {
        m_window->lookupPanel()->setMapName(key.left(space));
        m_window->lookupPanel()->setKey(key.mid(space + 1));
    } else if (mode == QLatin1String("policy")) {
        // For policy endpoints "ATTRIBUTE=VALUE" changes one attribute of the template.
        m_window->lookupPanel()->setPolicyAttribute(key.section(QLatin1Char('='), 0, 0),
                                                    key.section(QLatin1Char('='), 1));
    } else {
        m_window->lookupPanel()->setKey(key);
    }
    if (!m_window->lookupPanel()->send()) {
        m_ok = false;
        QTimer::singleShot(0, this, &ScreenshotRunner::nextLookup);
    }
}

bool ScreenshotRunner::grab(int tab, const QString &fileName)
{
    m_window->tabs()->setCurrentIndex(tab);
    const QString path = QDir(m_directory).filePath(fileName);
    if (!m_window->grab().save(path)) {
        qCWarning(lcAdmin) << "cannot write" << path;
        return false;
    }
    qCInfo(lcAdmin) << "wrote" << path;
    return true;
}

void ScreenshotRunner::finish()
{
    m_ok = grab(MainWindow::LookupTab, QStringLiteral("admin-lookup.png")) && m_ok;
    m_ok = grab(MainWindow::SnippetTab, QStringLiteral("admin-snippet.png")) && m_ok;
    grabServiceView();
}

void ScreenshotRunner::grabServiceView()
{
    ServiceView *view = m_window->serviceView();
    if (!view->baseUrl().isValid() || m_allLookups.isEmpty()) {
        qCInfo(lcAdmin) << "no admin listener in the config (or no lookups): no admin-service.png";
        Q_EMIT done(m_ok);
        return;
    }
    // Traffic for the charts: the same lookups again, a few per second, while the view polls.
    m_repeating = true;
    view->setInterval(500);
    m_window->tabs()->setCurrentIndex(MainWindow::ServiceTab);
    auto *traffic = new QTimer(this);
    traffic->start(40);
    connect(traffic, &QTimer::timeout, this, [this] {
        if (m_window->lookupPanel()->isBusy())
            return;
        m_lookups = {m_allLookups.at(m_sent++ % m_allLookups.size())};
        nextLookup();
    });
    QTimer::singleShot(12000, this, [this, traffic, view] {
        traffic->stop();
        m_repeating = false;
        if (view->state() != ServiceView::State::Connected) {
            qCWarning(lcAdmin) << "the service view is not connected to" << view->baseUrl();
            m_ok = false;
        }
        m_ok = grab(MainWindow::ServiceTab, QStringLiteral("admin-service.png")) && m_ok;
        Q_EMIT done(m_ok);
    });
}

} // namespace prc
