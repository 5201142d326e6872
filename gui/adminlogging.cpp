// SPDX-License-Identifier: GPL-3.0-or-later
#include "adminlogging.h"

Q_LOGGING_CATEGORY(lcAdmin, "prc.admin", QtInfoMsg)
