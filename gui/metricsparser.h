// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

namespace prc {

/// One sample line of a Prometheus text exposition: `name{label="value",...} 1.5`.
struct MetricSample
{
    QByteArray name;
    QMap<QByteArray, QByteArray> labels;
    double value = 0;
};

/// The samples of one /metrics page, parsed (text format 0.0.4: what the service's MetricsWriter writes),
/// with the sums the service view needs.
class MetricsSnapshot
{
public:
    /// Parses a whole page. A line that is not a comment, not empty and not a sample makes the page invalid:
    /// `error` names the line.
    static MetricsSnapshot parse(const QByteArray &text, QString *error);

    const QList<MetricSample> &samples() const { return m_samples; }
    bool isEmpty() const { return m_samples.isEmpty(); }

    /// The sum of all samples called `name` whose labels include every pair of `match`; 0 without any.
    double sum(const QByteArray &name, const QMap<QByteArray, QByteArray> &match = {}) const;
    /// True if any sample is called `name` (with those labels).
    bool has(const QByteArray &name, const QMap<QByteArray, QByteArray> &match = {}) const;
    /// The values of `label` over the samples called `name`, in page order, without repeats.
    QList<QByteArray> labelValues(const QByteArray &name, const QByteArray &label) const;
    /// The value of `label` on the first sample called `name`.
    QByteArray label(const QByteArray &name, const QByteArray &label) const;

private:
    QList<MetricSample> m_samples;
};

} // namespace prc
