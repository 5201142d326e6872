// SPDX-License-Identifier: GPL-3.0-or-later
#include "clientlogging.h"

Q_LOGGING_CATEGORY(lcClient, "prc.client", QtInfoMsg)
