// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

namespace prc {

/// A small live line chart drawn with QPainter: a few named series sharing one time axis (one point per
/// poll, the newest on the right) and a value axis from 0 to the largest visible value. A NaN point is a gap
/// (e.g. no backend call in that interval, so no latency).
class TimeSeriesChart : public QWidget
{
    Q_OBJECT
public:
    static constexpr int DefaultCapacity = 60;

    TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent = nullptr);

    /// Adds a series; returns its index.
    int addSeries(const QString &name, const QColor &color);
    /// Appends one point to every series (missing values are gaps); the oldest point drops out when full.
    void append(const QList<double> &values);
    void clear();

    int seriesCount() const { return int(m_series.size()); }
    const QList<double> &values(int series) const { return m_series.at(series).values; }
    /// The newest value of a series (NaN when there is none).
    double latest(int series) const;

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Series
    {
        QString name;
        QColor color;
        QList<double> values;
    };

    QString m_title;
    QString m_unit;
    QList<Series> m_series;
    int m_capacity = DefaultCapacity;
};

} // namespace prc
