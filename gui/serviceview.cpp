// SPDX-License-Identifier: GPL-3.0-or-later
#include "serviceview.h"

#include "configdocument.h"
#include "postfixsnippet.h"
#include "timeserieschart.h"

#include <QCheckBox>
#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace prc {
namespace {

constexpr int RequestTimeoutMs = 3000;
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

/// The result classes of prc_requests_total, in the service's order, with a colour each.
struct ResultSeries
{
    const char *label;
    const char *name;
    QColor color;
};
const ResultSeries ResultClasses[] = {
    {"found", "found", QColor(0x1b, 0x7f, 0x3b)},
    {"not_found", "not found", QColor(0x44, 0x54, 0x6a)},
    {"temp_error", "temporary error", QColor(0xb3, 0x59, 0x00)},
    {"perm_error", "permanent error", QColor(0xb0, 0x00, 0x20)},
    {"policy_action", "policy action", QColor(0x1f, 0x5f, 0xbf)},
    {"malformed", "malformed", QColor(0x7a, 0x1f, 0xa2)},
};

using Labels = QMap<QByteArray, QByteArray>;

Labels endpointLabel(const QByteArray &endpoint)
{
    return {{QByteArrayLiteral("endpoint"), endpoint}};
}

QString rateText(double value)
{
    return std::isfinite(value) ? QString::number(value, 'f', value < 10 ? 1 : 0) : QStringLiteral("–");
}

} // namespace

ServiceView::ServiceView(ConfigDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setProxy(QNetworkProxy::NoProxy); // the admin listener is local; never send it to a proxy

    auto *layout = new QVBoxLayout(this);
    auto *addressRow = new QHBoxLayout;
    m_fromConfig = new QCheckBox(tr("Fro&m the open config"), this);
    m_fromConfig->setObjectName(QStringLiteral("from-config"));
    m_fromConfig->setChecked(true);
    m_fromConfig->setToolTip(tr("Use the admin listener of the open config (its \"admin\" section)"));
    m_address = new QLineEdit(this);
    m_address->setObjectName(QStringLiteral("admin-address"));
    m_address->setPlaceholderText(tr("host:port of a running service's admin listener"));
    auto *addressLabel = new QLabel(tr("Admin listener a&ddress:"), this);
    addressLabel->setBuddy(m_address);
    m_probe = new QPushButton(tr("Probe &backends"), this);
    m_probe->setObjectName(QStringLiteral("probe"));
    m_probe->setToolTip(tr("Ask every endpoint's backend once (/healthz?probe=1)"));
    addressRow->addWidget(addressLabel);
    addressRow->addWidget(m_address, 1);
    addressRow->addWidget(m_fromConfig);
    addressRow->addWidget(m_probe);
    layout->addLayout(addressRow);

    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("state"));
    m_stateLabel->setWordWrap(true);
    m_stateLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_stateLabel->font();
    big.setBold(true);
    m_stateLabel->setFont(big);
    layout->addWidget(m_stateLabel);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    m_table = new QTableWidget(0, ColumnCount, splitter);
    m_table->setObjectName(QStringLiteral("endpoints"));
    m_table->setHorizontalHeaderLabels({tr("Endpoint"), tr("Protocol"), tr("Health"), tr("Backend probe"),
                                        tr("Open connections"), tr("In flight"), tr("Requests/s"),
                                        tr("Backend latency"), tr("Cache hit rate")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ProbeColumn, QHeaderView::Stretch);
    m_table->setMinimumHeight(m_table->fontMetrics().height() * 6);

    auto *charts = new QWidget(splitter);
    auto *chartLayout = new QGridLayout(charts);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    m_requestsChart = new TimeSeriesChart(tr("Requests per second, by result"), tr("/s"), charts);
    m_requestsChart->setObjectName(QStringLiteral("chart-requests"));
    for (const ResultSeries &series : ResultClasses)
        m_requestsChart->addSeries(tr(series.name), series.color);
    m_latencyChart = new TimeSeriesChart(tr("Backend latency (mean per interval)"), tr("ms"), charts);
    m_latencyChart->setObjectName(QStringLiteral("chart-latency"));
    m_latencyChart->addSeries(tr("mean"), QColor(0x1f, 0x5f, 0xbf));
    m_cacheChart = new TimeSeriesChart(tr("Cache hit rate"), tr("%"), charts);
    m_cacheChart->setObjectName(QStringLiteral("chart-cache"));
    m_cacheChart->addSeries(tr("hits"), QColor(0x1b, 0x7f, 0x3b));
    chartLayout->addWidget(m_requestsChart, 0, 0, 1, 2);
    chartLayout->addWidget(m_latencyChart, 1, 0);
    chartLayout->addWidget(m_cacheChart, 1, 1);
    splitter->addWidget(m_table);
    splitter->addWidget(charts);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    setTabOrder(m_address, m_fromConfig);
    setTabOrder(m_fromConfig, m_probe);
    setTabOrder(m_probe, m_table);

    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ServiceView::poll);
    connect(m_fromConfig, &QCheckBox::toggled, this, [this](bool on) {
        m_address->setReadOnly(on);
        updateAddress();
    });
    connect(m_address, &QLineEdit::editingFinished, this, [this] {
        if (!m_fromConfig->isChecked())
            updateAddress();
    });
    connect(m_probe, &QPushButton::clicked, this, &ServiceView::probe);
    connect(document, &ConfigDocument::changed, this, [this] {
        if (m_fromConfig->isChecked())
            updateAddress();
    });
    m_address->setReadOnly(true);
    updateAddress();
}

ServiceView::~ServiceView() = default;

void ServiceView::setInterval(int milliseconds)
{
    m_timer.setInterval(milliseconds);
}

void ServiceView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_base.isValid()) {
        poll();
        m_timer.start();
    }
}

void ServiceView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer.stop();
}

void ServiceView::updateAddress()
{
    QUrl base;
    if (m_fromConfig->isChecked()) {
        const QJsonObject admin = m_document->root().value(QStringLiteral("admin")).toObject();
        const int port = admin.value(QStringLiteral("bind-port")).toInt();
        if (port > 0) {
            const QString address =
                PostfixSnippet::connectAddress(admin.value(QStringLiteral("bind-address")).toString(), port);
            m_address->setText(address);
            base = QUrl(QStringLiteral("http://") + address);
        } else {
            m_address->clear();
        }
    } else {
        const QString text = m_address->text().trimmed();
        if (!text.isEmpty()) {
            base = QUrl(text.contains(QLatin1String("://")) ? text : QStringLiteral("http://") + text);
            if (base.host().isEmpty() || base.port() <= 0)
                base = QUrl();
            else
                base.setPath(QString());
        }
    }
    if (base == m_base && (m_base.isValid() || m_state == State::Off || !m_fromConfig->isChecked()))
        return;
    m_base = base;
    restart();
}

void ServiceView::restart()
{
    if (m_metricsReply)
        m_metricsReply->abort();
    if (m_healthReply)
        m_healthReply->abort();
    m_previous = MetricsSnapshot();
    m_probeResults.clear();
    m_table->setRowCount(0);
    m_summary->clear();
    m_requestsChart->clear();
    m_latencyChart->clear();
    m_cacheChart->clear();
    m_timer.stop();
    if (!m_base.isValid()) {
        if (m_fromConfig->isChecked())
            setState(
                State::Off,
                tr("Admin listener off: the open config has no \"admin\" section, so the service offers no "
                   "/metrics or /healthz. Turn it on in the config editor (Admin listener), save and "
                   "reload the service, or untick \"From the open config\" and type the address of a "
                   "running service's admin listener."));
        else
            setState(State::Off, tr("Type the admin listener's address as host:port, e.g. 127.0.0.1:9180."));
        return;
    }
    setState(State::Waiting, tr("Asking %1…").arg(m_base.toString()));
    if (isVisible()) {
        poll();
        m_timer.start();
    }
}

QNetworkReply *ServiceView::get(const QString &path)
{
    QUrl url = m_base;
    const qsizetype question = path.indexOf(QLatin1Char('?'));
    url.setPath(question < 0 ? path : path.left(question));
    if (question >= 0)
        url.setQuery(path.mid(question + 1));
    QNetworkRequest request(url);
    request.setTransferTimeout(RequestTimeoutMs);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    return m_network->get(request);
}

void ServiceView::poll()
{
    if (!m_base.isValid() || m_metricsReply)
        return;
    QNetworkReply *metrics = get(QStringLiteral("/metrics"));
    m_metricsReply = metrics;
    connect(metrics, &QNetworkReply::finished, this, [this, metrics] {
        metrics->deleteLater();
        onMetrics(metrics);
    });
    if (!m_healthReply) {
        QNetworkReply *health = get(QStringLiteral("/healthz"));
        m_healthReply = health;
        connect(health, &QNetworkReply::finished, this, [this, health] {
            health->deleteLater();
            onHealth(health, false);
        });
    }
}

void ServiceView::probe()
{
    if (!m_base.isValid())
        return;
    m_probe->setEnabled(false);
    m_probe->setText(tr("Probing…"));
    QNetworkReply *reply = get(QStringLiteral("/healthz?probe=1"));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_probe->setEnabled(true);
        m_probe->setText(tr("Probe &backends"));
        onHealth(reply, true);
        Q_EMIT probed();
    });
}

void ServiceView::setState(State state, const QString &message)
{
    m_stateLabel->setText(message);
    QString color;
    switch (state) {
    case State::Connected:
        color = QStringLiteral("#1b7f3b");
        break;
    case State::Off:
    case State::Waiting:
        color = QStringLiteral("#44546a");
        break;
    case State::NotThisConfig:
        color = QStringLiteral("#b35900");
        break;
    case State::Unreachable:
    case State::NotConnector:
        color = QStringLiteral("#b00020");
        break;
    }
    m_stateLabel->setStyleSheet(QStringLiteral("color: %1;").arg(color));
    m_probe->setEnabled(state == State::Connected || state == State::NotThisConfig);
    if (state != m_state) {
        m_state = state;
        Q_EMIT stateChanged(state);
    }
}

void ServiceView::onMetrics(QNetworkReply *reply)
{
    if (reply != m_metricsReply.data())
        return; // an answer from the address asked before
    m_metricsReply.clear();
    if (reply->error() == QNetworkReply::OperationCanceledError && !m_base.isValid())
        return;
    const QString where = m_base.authority();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError && status == 0) {
        setState(State::Unreachable,
                 tr("Unreachable: nothing answers at %1 (%2). Is the service running, with "
                    "this admin listener?")
                     .arg(where, reply->errorString()));
        Q_EMIT polled();
        return;
    }
    QString error;
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(reply->readAll(), &error);
    if (status != 200 || !error.isEmpty() || !snapshot.has("prc_build_info")) {
        setState(State::NotConnector,
                 tr("Something answers at %1, but not a postfix-rest-connector admin listener (HTTP %2%3).")
                     .arg(where)
                     .arg(status)
                     .arg(error.isEmpty() ? QString() : QStringLiteral(", ") + error));
        Q_EMIT polled();
        return;
    }

    // A restarted service starts its counters from zero: start the rates afresh.
    const double seconds = m_previousTime.isValid() ? double(m_previousTime.elapsed()) / 1000.0 : 0;
    if (m_previous.sum("process_start_time_seconds") != snapshot.sum("process_start_time_seconds")
        || m_previous.sum("prc_reloads_total") != snapshot.sum("prc_reloads_total"))
        m_previous = MetricsSnapshot();
    updateTable(snapshot, seconds);

    // Which config does the service run? Its endpoint names against the open document's.
    const QList<QByteArray> running = snapshot.labelValues("prc_endpoint_up", "endpoint");
    QStringList runningNames;
    for (const QByteArray &name : running)
        runningNames.append(QString::fromUtf8(name));
    QStringList configNames;
    const QJsonArray endpoints = m_document->endpoints();
    for (const QJsonValue &endpoint : endpoints)
        configNames.append(endpoint.toObject().value(QStringLiteral("name")).toString());
    QStringList sortedRunning = runningNames;
    QStringList sortedConfig = configNames;
    sortedRunning.sort();
    sortedConfig.sort();

    const QString version = QString::fromUtf8(snapshot.label("prc_build_info", "version"));
    const qint64 startMs = qint64(snapshot.sum("process_start_time_seconds") * 1000);
    const qint64 upSeconds = (QDateTime::currentMSecsSinceEpoch() - startMs) / 1000;
    const QString uptime = upSeconds >= 3600
                               ? tr("%1 h %2 min").arg(upSeconds / 3600).arg(upSeconds % 3600 / 60)
                               : tr("%1 min %2 s").arg(upSeconds / 60).arg(upSeconds % 60);
    if (sortedRunning != sortedConfig) {
        setState(State::NotThisConfig,
                 tr("Not this config: the service at %1 runs the endpoints %2; the open config has %3. "
                    "Maybe it still runs an older file (reload it), or this is another service.")
                     .arg(where,
                          runningNames.isEmpty() ? tr("(none)") : runningNames.join(QStringLiteral(", ")),
                          configNames.isEmpty() ? tr("(none)") : configNames.join(QStringLiteral(", "))));
    } else {
        setState(State::Connected, tr("Connected to %1: postfix-rest-connector %2, up %3, %n reload(s).",
                                      nullptr, int(snapshot.sum("prc_reloads_total")))
                                       .arg(where, version, uptime));
    }
    m_previous = snapshot;
    m_previousTime.start();
    Q_EMIT polled();
}

int ServiceView::rowFor(const QByteArray &endpoint)
{
    const QString name = QString::fromUtf8(endpoint);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        if (m_table->item(row, NameColumn)->text() == name)
            return row;
    }
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    for (int column = 0; column < ColumnCount; ++column)
        m_table->setItem(row, column, new QTableWidgetItem);
    m_table->item(row, NameColumn)->setText(name);
    return row;
}

void ServiceView::updateTable(const MetricsSnapshot &snapshot, double seconds)
{
    const bool rates = !m_previous.isEmpty() && seconds > 0;
    const QList<QByteArray> endpoints = snapshot.labelValues("prc_endpoint_up", "endpoint");
    // Rows of endpoints a reload removed go away.
    for (int row = m_table->rowCount() - 1; row >= 0; --row) {
        if (!endpoints.contains(m_table->item(row, NameColumn)->text().toUtf8()))
            m_table->removeRow(row);
    }

    double openConnections = 0;
    double inFlight = 0;
    for (const QByteArray &endpoint : endpoints) {
        const Labels label = endpointLabel(endpoint);
        const int row = rowFor(endpoint);
        m_table->item(row, ModeColumn)->setText(QString::fromUtf8([&] {
            for (const MetricSample &sample : snapshot.samples()) {
                if (sample.name == "prc_endpoint_up" && sample.labels.value("endpoint") == endpoint)
                    return sample.labels.value("mode");
            }
            return QByteArray();
        }()));
        const double connections = snapshot.sum("prc_connections_open", label);
        const double pending = snapshot.sum("prc_requests_in_flight", label);
        openConnections += connections;
        inFlight += pending;
        m_table->item(row, ConnectionsColumn)->setText(QString::number(connections, 'f', 0));
        m_table->item(row, InFlightColumn)->setText(QString::number(pending, 'f', 0));
        if (m_table->item(row, HealthColumn)->text().isEmpty())
            m_table->item(row, HealthColumn)
                ->setText(snapshot.sum("prc_endpoint_up", label) > 0 ? tr("listening") : tr("not listening"));
        m_table->item(row, ProbeColumn)->setText(m_probeResults.value(endpoint, tr("not probed yet")));

        double rate = NaN;
        double latency = NaN;
        double hitRate = NaN;
        if (rates) {
            rate = (snapshot.sum("prc_requests_total", label) - m_previous.sum("prc_requests_total", label))
                   / seconds;
            const double calls = snapshot.sum("prc_backend_request_duration_seconds_count", label)
                                 - m_previous.sum("prc_backend_request_duration_seconds_count", label);
            if (calls > 0)
                latency = (snapshot.sum("prc_backend_request_duration_seconds_sum", label)
                           - m_previous.sum("prc_backend_request_duration_seconds_sum", label))
                          / calls * 1000.0;
            const double hits =
                snapshot.sum("prc_cache_hits_total", label) - m_previous.sum("prc_cache_hits_total", label);
            const double misses = snapshot.sum("prc_cache_misses_total", label)
                                  - m_previous.sum("prc_cache_misses_total", label);
            if (hits + misses > 0)
                hitRate = hits / (hits + misses) * 100.0;
        }
        m_table->item(row, RateColumn)->setText(rateText(rate));
        m_table->item(row, LatencyColumn)
            ->setText(std::isfinite(latency) ? tr("%1 ms").arg(latency, 0, 'f', 1) : QStringLiteral("–"));
        m_table->item(row, CacheColumn)
            ->setText(snapshot.sum("prc_cache_enabled", label) <= 0 ? tr("cache off")
                      : std::isfinite(hitRate)                      ? tr("%1 %").arg(hitRate, 0, 'f', 0)
                                                                    : QStringLiteral("–"));
    }

    m_summary->setText(
        tr("%n open connection(s), %1 request(s) in flight, %2 request(s) answered since the start.", nullptr,
           int(openConnections))
            .arg(inFlight, 0, 'f', 0)
            .arg(snapshot.sum("prc_requests_total"), 0, 'f', 0));

    if (!rates)
        return;
    QList<double> perClass;
    for (const ResultSeries &series : ResultClasses) {
        const Labels label{{QByteArrayLiteral("result"), QByteArray(series.label)}};
        perClass.append(
            (snapshot.sum("prc_requests_total", label) - m_previous.sum("prc_requests_total", label))
            / seconds);
    }
    m_requestsChart->append(perClass);
    const double calls = snapshot.sum("prc_backend_request_duration_seconds_count")
                         - m_previous.sum("prc_backend_request_duration_seconds_count");
    m_latencyChart->append({calls > 0 ? (snapshot.sum("prc_backend_request_duration_seconds_sum")
                                         - m_previous.sum("prc_backend_request_duration_seconds_sum"))
                                            / calls * 1000.0
                                      : NaN});
    const double hits = snapshot.sum("prc_cache_hits_total") - m_previous.sum("prc_cache_hits_total");
    const double misses = snapshot.sum("prc_cache_misses_total") - m_previous.sum("prc_cache_misses_total");
    m_cacheChart->append({hits + misses > 0 ? hits / (hits + misses) * 100.0 : NaN});
}

void ServiceView::onHealth(QNetworkReply *reply, bool probe)
{
    if (!probe) {
        if (reply != m_healthReply.data())
            return;
        m_healthReply.clear();
    }
    if (reply->error() != QNetworkReply::NoError
        && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 0) {
        if (probe)
            m_summary->setText(tr("The backend probe failed: %1").arg(reply->errorString()));
        return;
    }
    // "ok" or "unhealthy", then one "name: detail" line per endpoint (and per backend when probed).
    const QList<QByteArray> lines = reply->readAll().split('\n');
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(": ");
        if (colon <= 0)
            continue;
        const QByteArray endpoint = line.left(colon);
        const QString detail = QString::fromUtf8(line.mid(colon + 2));
        if (detail.startsWith(QLatin1String("backend "))) {
            m_probeResults.insert(endpoint, tr("%1 (at %2)").arg(detail, time));
            for (int row = 0; row < m_table->rowCount(); ++row) {
                if (m_table->item(row, NameColumn)->text().toUtf8() == endpoint) {
                    m_table->item(row, ProbeColumn)->setText(m_probeResults.value(endpoint));
                    m_table->item(row, ProbeColumn)
                        ->setForeground(
                            QColor(detail.startsWith(QLatin1String("backend ok")) ? 0x1b7f3b : 0xb00020));
                }
            }
        } else {
            for (int row = 0; row < m_table->rowCount(); ++row) {
                if (m_table->item(row, NameColumn)->text().toUtf8() == endpoint) {
                    m_table->item(row, HealthColumn)->setText(detail);
                    m_table->item(row, HealthColumn)
                        ->setForeground(QColor(detail == QLatin1String("listening") ? 0x1b7f3b : 0xb00020));
                }
            }
        }
    }
}

} // namespace prc
