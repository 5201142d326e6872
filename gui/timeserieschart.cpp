// SPDX-License-Identifier: GPL-3.0-or-later
#include "timeserieschart.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>
#include <limits>

namespace prc {
namespace {

/// 1, 2 or 5 times a power of ten, at least `value`: an axis maximum that reads well.
double niceCeiling(double value)
{
    if (value <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= value)
            return step * magnitude;
    }
    return 10 * magnitude;
}

QString formatValue(double value)
{
    if (value >= 100 || value == std::floor(value))
        return QString::number(value, 'f', 0);
    return QString::number(value, 'g', 3);
}

} // namespace

TimeSeriesChart::TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent)
    : QWidget(parent)
    , m_title(title)
    , m_unit(unit)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAccessibleName(title);
}

int TimeSeriesChart::addSeries(const QString &name, const QColor &color)
{
    m_series.append({name, color, {}});
    return int(m_series.size()) - 1;
}

void TimeSeriesChart::append(const QList<double> &values)
{
    for (int i = 0; i < m_series.size(); ++i) {
        QList<double> &series = m_series[i].values;
        series.append(i < values.size() ? values.at(i) : std::numeric_limits<double>::quiet_NaN());
        while (series.size() > m_capacity)
            series.removeFirst();
    }
    update();
}

void TimeSeriesChart::clear()
{
    for (Series &series : m_series)
        series.values.clear();
    update();
}

double TimeSeriesChart::latest(int series) const
{
    const QList<double> &values = m_series.at(series).values;
    return values.isEmpty() ? std::numeric_limits<double>::quiet_NaN() : values.constLast();
}

QSize TimeSeriesChart::minimumSizeHint() const
{
    const int line = fontMetrics().height();
    return {line * 14, line * 7};
}

QSize TimeSeriesChart::sizeHint() const
{
    const int line = fontMetrics().height();
    return {line * 24, line * 11};
}

void TimeSeriesChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    painter.fillRect(rect(), pal.base());
    const QFontMetrics metrics = fontMetrics();
    const int line = metrics.height();

    double maximum = 0;
    for (const Series &series : m_series) {
        for (const double value : series.values) {
            if (std::isfinite(value))
                maximum = std::max(maximum, value);
        }
    }
    maximum = niceCeiling(maximum);

    // Title and legend on top, axis labels on the left.
    painter.setPen(pal.color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.drawText(QPoint(4, line - 3), m_title);
    painter.setFont(font());
    int x = 4;
    const int legendY = 2 * line - 3;
    for (const Series &series : m_series) {
        const double latest =
            series.values.isEmpty() ? std::numeric_limits<double>::quiet_NaN() : series.values.constLast();
        const QString text = QStringLiteral("%1 %2").arg(
            series.name, std::isfinite(latest) ? formatValue(latest) : QStringLiteral("–"));
        painter.fillRect(QRect(x, legendY - line / 2 - 2, line / 2, line / 2), series.color);
        x += line / 2 + 3;
        painter.setPen(pal.color(QPalette::Text));
        painter.drawText(QPoint(x, legendY), text);
        x += metrics.horizontalAdvance(text) + line;
    }

    const QString topLabel = QStringLiteral("%1 %2").arg(formatValue(maximum), m_unit);
    const int left = metrics.horizontalAdvance(topLabel) + 8;
    const QRect plot(left, 2 * line + 4, width() - left - 6, height() - 2 * line - 10);
    if (plot.width() < 10 || plot.height() < 10)
        return;
    painter.setPen(pal.color(QPalette::Mid));
    painter.drawRect(plot);
    for (int i = 1; i < 4; ++i) {
        const int y = plot.bottom() - plot.height() * i / 4;
        painter.setPen(QPen(pal.color(QPalette::Midlight), 1, Qt::DotLine));
        painter.drawLine(plot.left(), y, plot.right(), y);
    }
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(QRect(0, plot.top() - line / 2, left - 4, line), Qt::AlignRight | Qt::AlignVCenter,
                     topLabel);
    painter.drawText(QRect(0, plot.bottom() - line / 2, left - 4, line), Qt::AlignRight | Qt::AlignVCenter,
                     QStringLiteral("0"));

    const double step = double(plot.width()) / double(std::max(1, m_capacity - 1));
    for (const Series &series : m_series) {
        QPainterPath path;
        bool drawing = false;
        const int offset = m_capacity - int(series.values.size());
        for (int i = 0; i < series.values.size(); ++i) {
            const double value = series.values.at(i);
            if (!std::isfinite(value)) {
                drawing = false;
                continue;
            }
            const QPointF point(plot.left() + (offset + i) * step,
                                plot.bottom() - value / maximum * plot.height());
            if (drawing) {
                path.lineTo(point);
            } else {
                path.moveTo(point);
                path.addEllipse(point, 1.5, 1.5);
                path.moveTo(point);
            }
            drawing = true;
        }
        painter.setPen(QPen(series.color, 2));
        painter.drawPath(path);
    }
}

} // namespace prc
