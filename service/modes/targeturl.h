// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QUrl>

namespace prc {

/// Builds backend URLs: the target with extra query parameters, keeping a query the target already has.
class TargetUrl
{
public:
    using Parameters = QList<QPair<QByteArray, QByteArray>>;

    /// Values are raw bytes (keys may be invalid UTF-8); they are percent-encoded byte by byte.
    static QUrl withQuery(const QUrl &target, const Parameters &parameters);
};

} // namespace prc
