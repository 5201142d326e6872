// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace prc {

/// Builds a Prometheus text exposition (format 0.0.4): a HELP and TYPE line per metric family followed by
/// its samples. Label values are escaped; names are the caller's (constant) business.
class MetricsWriter
{
public:
    using Labels = QList<QPair<QByteArray, QByteArray>>;

    void family(const QByteArray &name, const char *type, const char *help);
    void sample(const QByteArray &name, const Labels &labels, quint64 value);
    void sample(const QByteArray &name, const Labels &labels, double value);

    const QByteArray &text() const { return m_text; }

    /// Escapes a label value: backslash, double quote and line feed.
    static QByteArray escapeLabelValue(const QByteArray &value);
    /// A float as Prometheus reads it (shortest exact form, +Inf/-Inf/NaN spelt its way).
    static QByteArray formatDouble(double value);

private:
    void labels(const Labels &labels);

    QByteArray m_text;
};

} // namespace prc
