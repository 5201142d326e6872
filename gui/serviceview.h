// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricsparser.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QNetworkAccessManager;
class QNetworkReply;
class QPushButton;
class QTableWidget;

namespace prc {

class ConfigDocument;
class TimeSeriesChart;

/// A live view of a running service, read from its admin listener (the open config's `admin` section or an
/// address typed in): per-endpoint health and backend probe (/healthz), and charts of request rates, backend
/// latency and cache hit rate, open connections and requests in flight (/metrics). Polls only while shown.
class ServiceView : public QWidget
{
    Q_OBJECT
public:
    enum class State {
        Off,           ///< following the config, which has no admin listener
        Waiting,       ///< first answer not in yet
        Unreachable,   ///< connection refused, timeout, ...
        NotConnector,  ///< something answers, but not a connector's admin listener
        NotThisConfig, ///< a connector answers, with other endpoints than the open config
        Connected,
    };
    Q_ENUM(State)

    enum Column {
        NameColumn,
        ModeColumn,
        HealthColumn,
        ProbeColumn,
        ConnectionsColumn,
        InFlightColumn,
        RateColumn,
        LatencyColumn,
        CacheColumn,
        ColumnCount
    };

    static constexpr int DefaultIntervalMs = 1000;

    explicit ServiceView(ConfigDocument *document, QWidget *parent = nullptr);
    ~ServiceView() override;

    State state() const { return m_state; }
    /// The admin listener asked, e.g. http://127.0.0.1:9180 (empty when there is none).
    QUrl baseUrl() const { return m_base; }
    void setInterval(int milliseconds);

    TimeSeriesChart *requestsChart() const { return m_requestsChart; }
    TimeSeriesChart *latencyChart() const { return m_latencyChart; }
    TimeSeriesChart *cacheChart() const { return m_cacheChart; }

    /// Asks /healthz?probe=1: every endpoint's backend once.
    void probe();

Q_SIGNALS:
    void stateChanged(prc::ServiceView::State state);
    /// Each /metrics answer (or failure) handled.
    void polled();
    void probed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void updateAddress();
    void restart();
    void poll();
    void onMetrics(QNetworkReply *reply);
    void onHealth(QNetworkReply *reply, bool probe);
    void setState(State state, const QString &message);
    void updateTable(const MetricsSnapshot &snapshot, double seconds);
    int rowFor(const QByteArray &endpoint);
    QNetworkReply *get(const QString &path);

    ConfigDocument *m_document;
    QNetworkAccessManager *m_network;
    QCheckBox *m_fromConfig;
    QLineEdit *m_address;
    QPushButton *m_probe;
    QLabel *m_stateLabel;
    QLabel *m_summary;
    QTableWidget *m_table;
    TimeSeriesChart *m_requestsChart;
    TimeSeriesChart *m_latencyChart;
    TimeSeriesChart *m_cacheChart;

    QUrl m_base;
    QTimer m_timer;
    State m_state = State::Waiting;
    QPointer<QNetworkReply> m_metricsReply;
    QPointer<QNetworkReply> m_healthReply;
    MetricsSnapshot m_previous;
    QElapsedTimer m_previousTime;
    QHash<QByteArray, QString> m_probeResults;
};

} // namespace prc
