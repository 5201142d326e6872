// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace prc {

/// A service has no console: stderr, where the log handler writes, goes to a file instead, and that file is
/// bounded. When it has grown beyond maxBytes it becomes "<file>.1" (replacing an older one) and a new file
/// is started, so the log takes at most about twice maxBytes on disk however long the service runs.
///
/// rotateIfLarger() runs at start and then periodically from the Qt thread. Reopening stderr takes the CRT's
/// stream lock, so a message written by another thread meanwhile waits and is not torn.
class StderrLogFile
{
public:
    static constexpr std::int64_t DefaultMaxBytes = 10 * 1024 * 1024;

    StderrLogFile(std::wstring path, std::int64_t maxBytes = DefaultMaxBytes);

    /// Points stderr at the file (appending), unbuffered. Returns false if the file cannot be opened.
    bool open();
    /// Rotates when the file is larger than maxBytes. Returns true if it rotated.
    bool rotateIfLarger();

    const std::wstring &path() const { return m_path; }

private:
    std::wstring m_path;
    std::int64_t m_maxBytes;
};

} // namespace prc
