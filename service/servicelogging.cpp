// SPDX-License-Identifier: GPL-3.0-or-later
#include "servicelogging.h"

// Info and above by default; per-request lines are debug (QT_LOGGING_RULES="prc.*.debug=true" shows them).
Q_LOGGING_CATEGORY(lcService, "prc.service", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEndpoint, "prc.service.endpoint", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "prc.service.session", QtInfoMsg)
Q_LOGGING_CATEGORY(lcBackend, "prc.service.backend", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSharedCache, "prc.service.cache.shared", QtInfoMsg)
