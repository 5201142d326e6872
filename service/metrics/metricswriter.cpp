// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metricswriter.h"

#include <QLocale>

#include <cmath>

namespace prc {

void MetricsWriter::family(const QByteArray &name, const char *type, const char *help)
{
    m_text += "# HELP " + name + ' ' + help + '\n';
    m_text += "# TYPE " + name + ' ' + type + '\n';
}

void MetricsWriter::sample(const QByteArray &name, const Labels &labels, quint64 value)
{
    m_text += name;
    this->labels(labels);
    m_text += ' ' + QByteArray::number(value) + '\n';
}

void MetricsWriter::sample(const QByteArray &name, const Labels &labels, double value)
{
    m_text += name;
    this->labels(labels);
    m_text += ' ' + formatDouble(value) + '\n';
}

void MetricsWriter::labels(const Labels &labels)
{
    if (labels.isEmpty())
        return;
    m_text += '{';
    for (qsizetype i = 0; i < labels.size(); ++i) {
        if (i > 0)
            m_text += ',';
        m_text += labels.at(i).first + "=\"" + escapeLabelValue(labels.at(i).second) + '"';
    }
    m_text += '}';
}

QByteArray MetricsWriter::escapeLabelValue(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray MetricsWriter::formatDouble(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

} // namespace prc
