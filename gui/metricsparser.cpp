// SPDX-License-Identifier: GPL-3.0-or-later
#include "metricsparser.h"

#include <cmath>
#include <limits>

namespace prc {
namespace {

bool isNameChar(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
           || (!first && c >= '0' && c <= '9');
}

bool parseValue(const QByteArray &text, double *value)
{
    if (text == "+Inf" || text == "Inf") {
        *value = std::numeric_limits<double>::infinity();
        return true;
    }
    if (text == "-Inf") {
        *value = -std::numeric_limits<double>::infinity();
        return true;
    }
    if (text == "NaN") {
        *value = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    bool ok = false;
    *value = text.toDouble(&ok);
    return ok;
}

/// Parses one sample line; returns an error message or an empty string.
QString parseSample(const QByteArray &line, MetricSample *sample)
{
    qsizetype i = 0;
    while (i < line.size() && isNameChar(line.at(i), i == 0))
        ++i;
    if (i == 0)
        return QStringLiteral("expected a metric name");
    sample->name = line.left(i);
    if (i < line.size() && line.at(i) == '{') {
        ++i;
        while (true) {
            while (i < line.size() && line.at(i) == ' ')
                ++i;
            if (i < line.size() && line.at(i) == '}') {
                ++i;
                break;
            }
            const qsizetype nameStart = i;
            while (i < line.size() && isNameChar(line.at(i), i == nameStart))
                ++i;
            if (i == nameStart || i + 1 >= line.size() || line.at(i) != '=' || line.at(i + 1) != '"')
                return QStringLiteral("expected label=\"value\"");
            const QByteArray name = line.mid(nameStart, i - nameStart);
            i += 2;
            QByteArray value;
            bool closed = false;
            while (i < line.size()) {
                const char c = line.at(i++);
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < line.size()) {
                    const char escaped = line.at(i++);
                    value += escaped == 'n' ? '\n' : escaped;
                } else {
                    value += c;
                }
            }
            if (!closed)
                return QStringLiteral("unterminated label value");
            sample->labels.insert(name, value);
            if (i < line.size() && line.at(i) == ',')
                ++i;
            else if (i >= line.size() || line.at(i) != '}')
                return QStringLiteral("expected , or } after a label");
        }
    }
    const QList<QByteArray> rest = line.mid(i).simplified().split(' ');
    if (rest.isEmpty() || rest.size() > 2 || !parseValue(rest.first(), &sample->value))
        return QStringLiteral("expected a value after the name");
    return {};
}

} // namespace

MetricsSnapshot MetricsSnapshot::parse(const QByteArray &text, QString *error)
{
    MetricsSnapshot snapshot;
    const QList<QByteArray> lines = text.split('\n');
    for (int number = 0; number < lines.size(); ++number) {
        const QByteArray line = lines.at(number).trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        MetricSample sample;
        const QString problem = parseSample(line, &sample);
        if (!problem.isEmpty()) {
            if (error)
                *error = QStringLiteral("line %1: %2").arg(number + 1).arg(problem);
            return {};
        }
        snapshot.m_samples.append(sample);
    }
    return snapshot;
}

namespace {

bool matches(const MetricSample &sample, const QByteArray &name, const QMap<QByteArray, QByteArray> &match)
{
    if (sample.name != name)
        return false;
    for (auto it = match.cbegin(); it != match.cend(); ++it) {
        if (sample.labels.value(it.key()) != it.value())
            return false;
    }
    return true;
}

} // namespace

double MetricsSnapshot::sum(const QByteArray &name, const QMap<QByteArray, QByteArray> &match) const
{
    double total = 0;
    for (const MetricSample &sample : m_samples) {
        if (matches(sample, name, match) && std::isfinite(sample.value))
            total += sample.value;
    }
    return total;
}

bool MetricsSnapshot::has(const QByteArray &name, const QMap<QByteArray, QByteArray> &match) const
{
    for (const MetricSample &sample : m_samples) {
        if (matches(sample, name, match))
            return true;
    }
    return false;
}

QList<QByteArray> MetricsSnapshot::labelValues(const QByteArray &name, const QByteArray &label) const
{
    QList<QByteArray> values;
    for (const MetricSample &sample : m_samples) {
        if (sample.name == name && sample.labels.contains(label)
            && !values.contains(sample.labels.value(label)))
            values.append(sample.labels.value(label));
    }
    return values;
}

QByteArray MetricsSnapshot::label(const QByteArray &name, const QByteArray &label) const
{
    for (const MetricSample &sample : m_samples) {
        if (sample.name == name)
            return sample.labels.value(label);
    }
    return {};
}

} // namespace prc
