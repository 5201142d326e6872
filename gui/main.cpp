// SPDX-License-Identifier: GPL-3.0-or-later
#include "adminlogging.h"
#include "configdocument.h"
#include "mainwindow.h"
#include "screenshotrunner.h"
#include "version.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    QApplication::setOrganizationName(QStringLiteral("postfix-rest-connector"));
    QApplication::setApplicationName(QStringLiteral("postfix-rest-connector-admin"));
    QApplication::setApplicationVersion(QStringLiteral(PRC_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Edit postfix-rest-connector configs, test running endpoints, get main.cf lines."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("config"), QStringLiteral("The JSON config file to open."),
                                 QStringLiteral("[config]"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a PNG of each view into DIR, then exit."),
                                        QStringLiteral("DIR"));
    const QCommandLineOption lookup(
        QStringLiteral("lookup"),
        QStringLiteral("With --screenshot: first send a test lookup of KEY to the "
                       "endpoint NAME (repeatable; socketmap: NAME=MAP KEY, policy: "
                       "NAME=ATTRIBUTE=VALUE)."),
        QStringLiteral("NAME=KEY"));
    const QCommandLineOption visibleField(
        QStringLiteral("show-field"),
        QStringLiteral("With --screenshot: scroll the endpoint form so the field NAME (its JSON key, "
                       "e.g. cache.max-ttl) is visible in admin-editor.png."),
        QStringLiteral("NAME"));
    parser.addOption(screenshot);
    parser.addOption(lookup);
    parser.addOption(visibleField);
    // Parsed before QApplication exists: --help and --version must work on a server without a display,
    // where creating QApplication aborts.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    if (parser.parse(arguments)
        && (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all"))
            || parser.isSet(QStringLiteral("version"))))
        parser.process(arguments); // prints and exits

    // Qt's own options (-platform, -style, …) are only known once QApplication has taken them.
    QApplication app(argc, argv);
    parser.process(app);
    prc::MainWindow window;
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        if (parser.isSet(screenshot)) {
            // No message box here: nobody would be there to close it.
            QString error;
            if (!window.load(files.first(), &error)) {
                qCCritical(lcAdmin).noquote() << error;
                return 1;
            }
        } else {
            window.openFile(files.first());
        }
    }

    if (parser.isSet(screenshot)) {
        QList<QPair<QString, QString>> lookups;
        for (const QString &value : parser.values(lookup)) {
            const qsizetype equals = value.indexOf(QLatin1Char('='));
            lookups.append({value.left(equals), equals < 0 ? QString() : value.mid(equals + 1)});
        }
        auto *runner = new prc::ScreenshotRunner(&window, parser.value(screenshot), lookups, &app);
        runner->setVisibleField(parser.value(visibleField));
        QObject::connect(runner, &prc::ScreenshotRunner::done, &app,
                         [](bool ok) { QApplication::exit(ok ? 0 : 1); });
        runner->start();
        return QApplication::exec();
    }

    window.show();
    return QApplication::exec();
}
