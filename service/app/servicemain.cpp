// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/servicemain.h"

#include "app/loghandler.h"
#include "app/serviceapplication.h"
#include "app/signalwatcher.h"
#include "app/systemdnotifier.h"
#include "config/configloader.h"
#include "listen/passedsockets.h"
#include "logging.h"
#include "servicelogging.h"
#include "version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

namespace prc {
namespace {

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

/// Each Postfix connection is a file descriptor; the usual soft limit of 1024 is too low for a busy server.
void raiseFileLimit()
{
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
#endif
}

void printLoadProblems(const ConfigLoadResult &result)
{
    for (const ConfigError &warning : result.warnings)
        qCWarning(lcConfig).noquote() << warning.toString();
    for (const ConfigError &error : result.errors)
        err() << "postfix-rest-connector: error: " << error.toString() << Qt::endl;
}

/// Qt's own Unix event dispatcher instead of the glib one. glib wakes its loop with a write to an eventfd
/// whenever a socket notifier is enabled or disabled and for every posted event; the service does both on
/// every lookup (the backend socket, the reply's write), so glib cost several system calls per lookup that
/// Qt's dispatcher coalesces into at most one per pass of the loop. Nothing in the service needs glib.
/// A QT_NO_GLIB the environment already sets is left alone (set but empty, it keeps glib).
void useLeanEventDispatcher()
{
#ifdef Q_OS_UNIX
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
#endif
}

} // namespace

int serviceMain(int argc, char **argv, const std::function<void(ServiceApplication *)> &onStarted)
{
    useLeanEventDispatcher();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral(PRC_PROJECT_NAME));
    QCoreApplication::setApplicationVersion(QStringLiteral(PRC_VERSION));
    installLogHandler();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Answers Postfix tcp_table, socketmap and policy requests by calling a REST backend.\n"
                       "SIGHUP reloads CONFIG; SIGTERM or SIGINT stops after finishing requests in flight."));
    const QCommandLineOption checkOption(QStringLiteral("check-config"),
                                         QStringLiteral("Validate CONFIG and exit (0 when valid)."));
    parser.addOption(checkOption);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("CONFIG"), QStringLiteral("The JSON configuration file."));

    if (!parser.parse(QCoreApplication::arguments())) {
        err() << "postfix-rest-connector: " << parser.errorText() << "\n\n" << parser.helpText() << Qt::flush;
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return ExitOk;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << PRC_PROJECT_NAME << ' ' << PRC_VERSION << '\n';
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        err() << "postfix-rest-connector: expected exactly one argument, the config file\n\n"
              << parser.helpText() << Qt::flush;
        return ExitUsage;
    }

    const QString configPath = positional.constFirst();
    const ConfigLoadResult loaded = ConfigLoader::loadFile(configPath);
    printLoadProblems(loaded);
    if (!loaded.ok())
        return ExitConfigError;
    if (parser.isSet(checkOption)) {
        QTextStream(stdout) << configPath << ": OK (" << loaded.config->endpoints.size() << " endpoints)\n";
        return ExitOk;
    }

    raiseFileLimit();
    ServiceApplication service;
    service.setPassedSockets(PassedSockets::fromEnvironment());
    QString error;
    if (!service.start(*loaded.config, &error)) {
        err() << "postfix-rest-connector: error: " << configPath << ": " << error << Qt::endl;
        return ExitStartError;
    }

    SystemdNotifier notifier(&service);
    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminateRequested, &service, [&service, &notifier] {
        if (!service.isShuttingDown())
            notifier.stopping();
        service.shutdown();
    });
    QObject::connect(&signals, &SignalWatcher::reloadRequested, &service, [&service, &notifier, configPath] {
        qCInfo(lcService).noquote() << "SIGHUP: reloading" << configPath;
        notifier.reloading();
        const ConfigLoadResult reloaded = ConfigLoader::loadFile(configPath);
        for (const ConfigError &warning : reloaded.warnings)
            qCWarning(lcConfig).noquote() << warning.toString();
        if (!reloaded.ok()) {
            for (const ConfigError &problem : reloaded.errors)
                qCCritical(lcConfig).noquote() << problem.toString();
            qCCritical(lcService) << "reload rejected; still running with the previous configuration";
            notifier.reloaded(false, QStringLiteral("invalid configuration"));
            return;
        }
        QString problem;
        const bool applied = service.reload(*reloaded.config, &problem);
        if (!applied)
            qCCritical(lcService).noquote() << "reload failed, previous configuration kept:" << problem;
        notifier.reloaded(applied, problem);
    });
    QObject::connect(&service, &ServiceApplication::shutdownComplete, &app, &QCoreApplication::quit,
                     Qt::QueuedConnection);

    qCInfo(lcService).noquote() << PRC_PROJECT_NAME << PRC_VERSION << "started with"
                                << loaded.config->endpoints.size() << "endpoint(s) from" << configPath;
    notifier.ready();
    if (onStarted)
        onStarted(&service);
    const int code = app.exec();
    qCInfo(lcService) << "stopped";
    return code;
}

} // namespace prc
