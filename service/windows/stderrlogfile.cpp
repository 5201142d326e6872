// SPDX-License-Identifier: GPL-3.0-or-later
#include "stderrlogfile.h"

#include <cstdio>
#include <utility>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

namespace prc {

StderrLogFile::StderrLogFile(std::wstring path, std::int64_t maxBytes)
    : m_path(std::move(path))
    , m_maxBytes(maxBytes)
{
}

bool StderrLogFile::open()
{
    std::FILE *stream = ::_wfreopen(m_path.c_str(), L"a", stderr);
    if (!stream)
        return false;
    std::setvbuf(stream, nullptr, _IONBF, 0);
    return true;
}

bool StderrLogFile::rotateIfLarger()
{
    WIN32_FILE_ATTRIBUTE_DATA attributes = {};
    if (!::GetFileAttributesExW(m_path.c_str(), GetFileExInfoStandard, &attributes))
        return false;
    const std::int64_t size =
        (std::int64_t(attributes.nFileSizeHigh) << 32) | std::int64_t(attributes.nFileSizeLow);
    if (size <= m_maxBytes)
        return false;
    // The CRT opens files without FILE_SHARE_DELETE: stderr has to let go of the file before it can be
    // renamed.
    std::fflush(stderr);
    ::_wfreopen(L"NUL", L"a", stderr);
    const std::wstring previous = m_path + L".1";
    const bool moved = ::MoveFileExW(m_path.c_str(), previous.c_str(), MOVEFILE_REPLACE_EXISTING) != 0;
    open();
    return moved;
}

} // namespace prc
