// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace prc {

/// Writes the service's start, stop and failure to the Windows Event Log (Application log, source
/// "postfix-rest-connector"), where an admin and monitoring look first; the detailed log stays in the log
/// file.
///
/// The installer registers the source with a message file whose every event ID formats as "%1", so Event
/// Viewer shows the text as written. Reporting is best effort: without the registration the text still lands
/// in the log, only with Windows' "description cannot be found" preamble. Thread-safe (ReportEventW is).
class WindowsEventLog
{
public:
    enum class Type { Information, Warning, Error };
    /// Event IDs, stable for filters in monitoring tools.
    enum Event : unsigned short { Started = 1, Stopped = 2, Failed = 3, ControlManagerError = 4 };

    explicit WindowsEventLog(const wchar_t *source);
    ~WindowsEventLog();
    WindowsEventLog(const WindowsEventLog &) = delete;
    WindowsEventLog &operator=(const WindowsEventLog &) = delete;

    void report(Type type, Event event, const std::wstring &text) const;

private:
    void *m_handle = nullptr; // HANDLE from RegisterEventSourceW
};

} // namespace prc
