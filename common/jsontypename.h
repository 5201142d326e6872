// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonValue>
#include <QString>

namespace prc {

/// "a string", "an array", ... for messages about a JSON value of the wrong type.
QString jsonTypeName(const QJsonValue &value);

} // namespace prc
