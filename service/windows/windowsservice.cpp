// SPDX-License-Identifier: GPL-3.0-or-later
#include "windowsservice.h"

#include "app/serviceapplication.h"
#include "app/servicemain.h"
#include "config/configloader.h"
#include "logging.h"
#include "servicelogging.h"
#include "stderrlogfile.h"
#include "windowseventlog.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QStringList>
#include <QTimer>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

Q_LOGGING_CATEGORY(lcWindowsService, "prc.service.windows", QtInfoMsg)

namespace prc {
namespace {

// ServiceApplication drains for at most DefaultDrainTimeoutMs; the SCM waits this long before calling us
// hung.
constexpr DWORD StopWaitHintMs = ServiceApplication::DefaultDrainTimeoutMs + 5000;
constexpr DWORD StartWaitHintMs = 10000;
// How often the log file's size is checked against its bound.
constexpr int LogRotationCheckMs = 60 * 1000;

/// Failed: StartServiceCtrlDispatcherW itself failed (the dispatcher thread has returned).
/// HandlerFailed: ServiceMain could not register its control handler; the dispatcher thread stays blocked in
/// StartServiceCtrlDispatcherW (it returns only once the service reported SERVICE_STOPPED, which needs the
/// handle), so it must not be joined.
enum class Mode { Undecided, Service, Console, Failed, HandlerFailed };

/// Shared between the Qt thread, the dispatcher thread (control handler) and the ServiceMain thread.
struct State
{
    std::mutex mutex;
    std::condition_variable modeChanged;
    Mode mode = Mode::Undecided;
    DWORD dispatcherError = 0;

    SERVICE_STATUS_HANDLE statusHandle = nullptr;
    SERVICE_STATUS status = {};

    /// Set while the event loop runs; cleared (under the mutex) once draining is over and when the object is
    /// destroyed, so no other thread posts to a dead object.
    ServiceApplication *app = nullptr;

    HANDLE finished = nullptr; ///< manual-reset event: the Qt side has returned
    int exitCode = 0;

    StderrLogFile *logFile = nullptr; ///< under the SCM only; rotated from the Qt thread
};

State &state()
{
    static State s;
    return s;
}

const WindowsEventLog &eventLog()
{
    static const WindowsEventLog log(WindowsService::ServiceName);
    return log;
}

void setMode(Mode mode, DWORD error = 0)
{
    State &s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.mode = mode;
        s.dispatcherError = error;
    }
    s.modeChanged.notify_all();
}

/// Caller holds the mutex.
void reportStatusLocked(DWORD currentState, DWORD waitHintMs = 0)
{
    State &s = state();
    if (!s.statusHandle)
        return;
    s.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    s.status.dwCurrentState = currentState;
    s.status.dwWaitHint = waitHintMs;
    // PRESHUTDOWN: Windows waits for the service (up to the preshutdown timeout, 3 minutes by default) before
    // it shuts down; plain SHUTDOWN would leave it about 5 seconds for the whole system, too little to drain.
    s.status.dwControlsAccepted = currentState == SERVICE_RUNNING
                                      ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_PRESHUTDOWN
                                            | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE
                                      : 0;
    const bool pending = currentState == SERVICE_START_PENDING || currentState == SERVICE_STOP_PENDING;
    s.status.dwCheckPoint = pending ? s.status.dwCheckPoint + 1 : 0;
    ::SetServiceStatus(s.statusHandle, &s.status);
}

void reportStatus(DWORD currentState, DWORD waitHintMs = 0)
{
    std::lock_guard<std::mutex> lock(state().mutex);
    reportStatusLocked(currentState, waitHintMs);
}

/// The config path is the one positional argument (the SCM passes the binPath arguments to main()).
QString configPathFromArguments()
{
    const QStringList arguments = QCoreApplication::arguments();
    for (qsizetype i = arguments.size() - 1; i > 0; --i) {
        if (!arguments.at(i).startsWith(QLatin1Char('-')))
            return arguments.at(i);
    }
    return {};
}

/// Runs in the Qt thread; the Windows counterpart of the SIGHUP handler in serviceMain().
void reloadConfiguration(ServiceApplication *app)
{
    const QString path = configPathFromArguments();
    qCInfo(lcWindowsService).noquote() << "PARAMCHANGE: reloading" << path;
    const ConfigLoadResult loaded = ConfigLoader::loadFile(path);
    for (const ConfigError &warning : loaded.warnings)
        qCWarning(lcConfig).noquote() << warning.toString();
    if (!loaded.ok()) {
        for (const ConfigError &problem : loaded.errors)
            qCCritical(lcConfig).noquote() << problem.toString();
        qCCritical(lcWindowsService) << "reload rejected; still running with the previous configuration";
        return;
    }
    QString problem;
    if (!app->reload(*loaded.config, &problem))
        qCCritical(lcWindowsService).noquote() << "reload failed, previous configuration kept:" << problem;
}

/// Posts work to the Qt thread from an SCM or console thread. Returns false when no application is running.
bool requestShutdown()
{
    State &s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    ServiceApplication *app = s.app;
    if (!app)
        return false;
    // Queued: the call happens in the Qt thread; posting an event is thread-safe.
    QMetaObject::invokeMethod(
        app, [app] { app->shutdown(); }, Qt::QueuedConnection);
    return true;
}

void requestReload()
{
    State &s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    ServiceApplication *app = s.app;
    if (app)
        QMetaObject::invokeMethod(
            app, [app] { reloadConfiguration(app); }, Qt::QueuedConnection);
}

/// onStarted callback of serviceMain(): runs in the Qt thread once every endpoint listens.
void attachApplication(ServiceApplication *app, bool underScm)
{
    State &s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.app = app;
        if (underScm)
            reportStatusLocked(SERVICE_RUNNING);
    }
    if (underScm) {
        eventLog().report(WindowsEventLog::Type::Information, WindowsEventLog::Started,
                          L"postfix-rest-connector started; its log: "
                              + (s.logFile ? s.logFile->path() : L"-"));
        if (StderrLogFile *logFile = s.logFile) {
            auto *rotation = new QTimer(app);
            QObject::connect(rotation, &QTimer::timeout, app, [logFile] {
                if (logFile->rotateIfLarger())
                    qCInfo(lcWindowsService) << "log file rotated";
            });
            rotation->start(LogRotationCheckMs);
        }
    }
    // Once draining is over nothing may be posted to the application any more. destroyed() is emitted before
    // ~QObject drops the object's pending events, so an event posted just before is discarded safely.
    QObject::connect(app, &ServiceApplication::shutdownComplete, QCoreApplication::instance(), [] {
        State &shared = state();
        std::lock_guard<std::mutex> lock(shared.mutex);
        shared.app = nullptr;
        if (shared.statusHandle)
            reportStatusLocked(SERVICE_STOP_PENDING, StopWaitHintMs);
    });
    QObject::connect(app, &QObject::destroyed, QCoreApplication::instance(), [] {
        std::lock_guard<std::mutex> lock(state().mutex);
        state().app = nullptr;
    });
}

DWORD WINAPI controlHandler(DWORD control, DWORD /*eventType*/, LPVOID /*eventData*/, LPVOID /*context*/)
{
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_PRESHUTDOWN:
    case SERVICE_CONTROL_SHUTDOWN:
        reportStatus(SERVICE_STOP_PENDING, StopWaitHintMs);
        requestShutdown();
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE:
        requestReload();
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

/// Called by the SCM on a thread of its own. Registers the control handler, lets the Qt thread start, and
/// returns only after the Qt side has finished (returning ends the service from the SCM's point of view).
void WINAPI serviceMainEntry(DWORD /*argc*/, LPWSTR * /*argv*/)
{
    State &s = state();
    const SERVICE_STATUS_HANDLE handle =
        ::RegisterServiceCtrlHandlerExW(WindowsService::ServiceName, controlHandler, nullptr);
    if (!handle) {
        setMode(Mode::HandlerFailed, ::GetLastError());
        return;
    }
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.statusHandle = handle;
        reportStatusLocked(SERVICE_START_PENDING, StartWaitHintMs);
    }
    setMode(Mode::Service);

    ::WaitForSingleObject(s.finished, INFINITE);

    std::wstring logPath;
    int exitCode = 0;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        exitCode = s.exitCode;
        logPath = s.logFile ? s.logFile->path() : std::wstring(L"-");
    }
    // Before SERVICE_STOPPED: the SCM may end the process right after that report.
    if (exitCode != 0) {
        const wchar_t *reason = exitCode == ExitConfigError  ? L" (the configuration is invalid)"
                                : exitCode == ExitStartError ? L" (an endpoint cannot listen)"
                                                             : L"";
        eventLog().report(WindowsEventLog::Type::Error, WindowsEventLog::Failed,
                          L"postfix-rest-connector stopped with exit code " + std::to_wstring(exitCode)
                              + reason + L"; details in " + logPath);
    } else {
        eventLog().report(WindowsEventLog::Type::Information, WindowsEventLog::Stopped,
                          L"postfix-rest-connector stopped");
    }

    std::lock_guard<std::mutex> lock(s.mutex);
    if (exitCode != 0) {
        // A service-specific error: Windows runs the recovery actions for it only with the failure-actions
        // flag set (sc failureflag postfix-rest-connector 1), which the installer does.
        s.status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
        s.status.dwServiceSpecificExitCode = DWORD(exitCode);
    } else {
        s.status.dwWin32ExitCode = NO_ERROR;
    }
    reportStatusLocked(SERVICE_STOPPED);
}

BOOL WINAPI consoleHandler(DWORD event)
{
    switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
        return requestShutdown() ? TRUE : FALSE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        // Windows ends the process when this handler returns: give the drain a moment first.
        if (requestShutdown())
            ::WaitForSingleObject(state().finished, 5000);
        return TRUE;
    default:
        return FALSE;
    }
}

std::wstring environmentVariable(const wchar_t *name)
{
    wchar_t buffer[MAX_PATH];
    const DWORD length = ::GetEnvironmentVariableW(name, buffer, MAX_PATH);
    if (length == 0 || length >= MAX_PATH)
        return {};
    return std::wstring(buffer, length);
}

/// %ProgramData%\postfix-rest-connector\log\postfix-rest-connector.log, a folder the installer made writable.
std::wstring logFilePath()
{
    std::wstring base = environmentVariable(L"ProgramData");
    if (base.empty())
        base = L"C:\\ProgramData";
    const std::wstring directory = base + L"\\postfix-rest-connector";
    const std::wstring logDirectory = directory + L"\\log";
    ::CreateDirectoryW(directory.c_str(), nullptr);
    ::CreateDirectoryW(logDirectory.c_str(), nullptr);
    return logDirectory + L"\\postfix-rest-connector.log";
}

int runUnderScm(int argc, char **argv)
{
    // A service has no console: stderr, where the log handler writes, goes to a bounded file. Static:
    // ServiceMain still names it after this function has returned.
    static StderrLogFile logFile(logFilePath());
    logFile.rotateIfLarger();
    if (!logFile.open()) {
        eventLog().report(WindowsEventLog::Type::Warning, WindowsEventLog::Started,
                          L"cannot open the log file " + logFile.path() + L"; log messages are lost");
    }
    {
        std::lock_guard<std::mutex> lock(state().mutex);
        state().logFile = &logFile;
    }
    const int code = serviceMain(argc, argv, [](ServiceApplication *app) { attachApplication(app, true); });
    std::lock_guard<std::mutex> lock(state().mutex);
    state().app = nullptr;
    return code;
}

int runInConsole(int argc, char **argv)
{
    ::SetConsoleCtrlHandler(consoleHandler, TRUE);
    const int code = serviceMain(argc, argv, [](ServiceApplication *app) { attachApplication(app, false); });
    {
        std::lock_guard<std::mutex> lock(state().mutex);
        state().app = nullptr;
    }
    ::SetEvent(state().finished);
    ::SetConsoleCtrlHandler(consoleHandler, FALSE);
    return code;
}

} // namespace

int WindowsService::run(int argc, char **argv)
{
    State &s = state();
    s.finished = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);

    // Blocks for the service's whole life under the SCM; fails at once otherwise.
    std::thread dispatcher([] {
        wchar_t name[] = L"postfix-rest-connector";
        const SERVICE_TABLE_ENTRYW table[] = {{name, serviceMainEntry}, {nullptr, nullptr}};
        if (!::StartServiceCtrlDispatcherW(table)) {
            const DWORD error = ::GetLastError();
            setMode(error == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT ? Mode::Console : Mode::Failed, error);
        }
    });

    Mode mode = Mode::Undecided;
    DWORD error = 0;
    {
        std::unique_lock<std::mutex> lock(s.mutex);
        s.modeChanged.wait(lock, [&s] { return s.mode != Mode::Undecided; });
        mode = s.mode;
        error = s.dispatcherError;
    }

    int code = 0;
    switch (mode) {
    case Mode::Console:
        dispatcher.join();
        code = runInConsole(argc, argv);
        break;
    case Mode::Service:
        code = runUnderScm(argc, argv);
        {
            std::lock_guard<std::mutex> lock(s.mutex);
            s.exitCode = code;
        }
        ::SetEvent(s.finished); // lets ServiceMain report SERVICE_STOPPED and the dispatcher return
        dispatcher.join();
        break;
    case Mode::HandlerFailed: {
        // The dispatcher thread cannot return (see Mode): end the process instead of waiting for it.
        const std::wstring text =
            L"postfix-rest-connector: cannot register the service control handler (error "
            + std::to_wstring(error) + L")";
        eventLog().report(WindowsEventLog::Type::Error, WindowsEventLog::ControlManagerError, text);
        std::fprintf(stderr, "%ls\n", text.c_str());
        std::fflush(stderr);
        ::ExitProcess(UINT(ExitStartError));
    }
    case Mode::Failed:
    case Mode::Undecided:
        ::SetEvent(s.finished);
        dispatcher.join();
        std::fprintf(stderr,
                     "postfix-rest-connector: cannot connect to the service control manager (error %lu)\n",
                     static_cast<unsigned long>(error));
        code = ExitStartError;
        break;
    }
    ::CloseHandle(s.finished);
    s.finished = nullptr;
    return code;
}

} // namespace prc

int main(int argc, char **argv)
{
    return prc::WindowsService::run(argc, argv);
}
