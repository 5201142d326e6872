// SPDX-License-Identifier: GPL-3.0-or-later
#include "windowseventlog.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

namespace prc {

WindowsEventLog::WindowsEventLog(const wchar_t *source)
    : m_handle(::RegisterEventSourceW(nullptr, source))
{
}

WindowsEventLog::~WindowsEventLog()
{
    if (m_handle)
        ::DeregisterEventSource(static_cast<HANDLE>(m_handle));
}

void WindowsEventLog::report(Type type, Event event, const std::wstring &text) const
{
    if (!m_handle)
        return;
    WORD eventType = EVENTLOG_INFORMATION_TYPE;
    if (type == Type::Warning)
        eventType = EVENTLOG_WARNING_TYPE;
    else if (type == Type::Error)
        eventType = EVENTLOG_ERROR_TYPE;
    const wchar_t *strings[] = {text.c_str()};
    ::ReportEventW(static_cast<HANDLE>(m_handle), eventType, 0, DWORD(event), nullptr, 1, 0, strings,
                   nullptr);
}

} // namespace prc
