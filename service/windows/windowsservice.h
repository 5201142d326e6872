// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace prc {

/// Runs postfix-rest-connector as a native Windows service, or as a console program when the process was not
/// started by the Service Control Manager (SCM).
///
/// The Qt event loop (prc::serviceMain) always runs on the process's main thread, as Qt expects. A helper
/// thread calls StartServiceCtrlDispatcherW: under the SCM that call blocks and runs ServiceMain and the
/// control handler on threads of its own; from a console it fails at once and the program runs in the
/// foreground.
///
/// Under the SCM:
///  - SERVICE_CONTROL_STOP, SERVICE_CONTROL_PRESHUTDOWN and SERVICE_CONTROL_SHUTDOWN post
///    ServiceApplication::shutdown() to the event loop (finish requests in flight, then exit) and report
///    STOP_PENDING until the loop has ended. PRESHUTDOWN comes first at system shutdown and Windows waits for
///    it (the preshutdown timeout), so the drain fits into the shutdown;
///  - SERVICE_CONTROL_PARAMCHANGE (`sc control postfix-rest-connector paramchange`) reloads the
///  configuration,
///    like SIGHUP on Unix;
///  - stderr, where the service logs, goes to
///  %ProgramData%\postfix-rest-connector\log\postfix-rest-connector.log
///    because a service has no console; the file is rotated to postfix-rest-connector.log.1 beyond 10 MiB;
///  - start, stop and failure also go to the Windows Event Log (Application, source postfix-rest-connector);
///  - a non-zero exit code (invalid configuration, port in use) is reported to the SCM as a service-specific
///    error, for which the installer turns the recovery actions on (failure-actions flag);
///  - if the control handler cannot be registered the process ends with exit code 3 instead of waiting for a
///    dispatcher that cannot return.
/// In the console, Ctrl+C, Ctrl+Break and closing the window stop the service gracefully.
class WindowsService
{
public:
    static constexpr const wchar_t *ServiceName = L"postfix-rest-connector";

    /// The whole program; returns the process exit code.
    static int run(int argc, char **argv);

    WindowsService() = delete;
};

} // namespace prc
