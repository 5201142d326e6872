// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace prc {

/// Installs the process's Qt message handler: one line per message on stderr, "category: message".
/// Under systemd (JOURNAL_STREAM set) lines carry a "<N>" syslog priority prefix and no timestamp (journald
/// adds its own); otherwise they start with a local timestamp and the level.
void installLogHandler();

} // namespace prc
