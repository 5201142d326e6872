// SPDX-License-Identifier: GPL-3.0-or-later
#include "logging.h"

Q_LOGGING_CATEGORY(lcConfig, "prc.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProtocol, "prc.protocol", QtInfoMsg)
