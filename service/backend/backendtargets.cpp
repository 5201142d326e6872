// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/backendtargets.h"

#include "metrics/endpointmetrics.h"
#include "servicelogging.h"

#include <chrono>

namespace prc {
namespace {

qint64 steadyNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

BackendTargets::BackendTargets(const EndpointConfig &config, std::shared_ptr<EndpointMetrics> metrics,
                               CircuitBreaker::Now now)
    : m_endpoint(config.name)
    , m_first(config.target)
    , m_notFoundStatuses(config.notFoundStatuses)
    , m_breakerEnabled(config.circuitBreaker.enabled)
    , m_metrics(std::move(metrics))
{
    if (!now)
        now = steadyNowMs;
    const QList<QUrl> urls = config.targets();
    const bool exposed = urls.size() > 1 || m_breakerEnabled;
    QList<EndpointMetrics::Target> previous;
    if (m_metrics) {
        // A reload starts every breaker closed; the transition counts of a target that stays are kept.
        previous = m_metrics->targets;
        m_metrics->targets.clear();
    }
    for (int i = 0; i < urls.size(); ++i) {
        Target target;
        target.url = urls.at(i);
        target.breaker = std::make_unique<CircuitBreaker>(config.circuitBreaker.failures,
                                                          config.circuitBreaker.openForMs, now);
        if (m_metrics && exposed) {
            EndpointMetrics::Target entry;
            entry.url = label(target.url).toUtf8();
            for (const EndpointMetrics::Target &old : std::as_const(previous)) {
                if (old.url == entry.url)
                    entry.entered = old.entered;
            }
            m_metrics->targets.append(entry);
        }
        target.breaker->setTransitionHandler([this, i](CircuitBreaker::State from, CircuitBreaker::State to) {
            const CircuitBreaker &breaker = *m_targets.at(size_t(i)).breaker;
            const QString url = label(m_targets.at(size_t(i)).url);
            // One line per transition, so an operator sees when a backend went away and came back.
            if (to == CircuitBreaker::State::Open)
                qCWarning(lcBackend).noquote() << m_endpoint << "target" << url << "circuit"
                                               << CircuitBreaker::stateName(from) << "-> open"
                                               << (from == CircuitBreaker::State::HalfOpen
                                                       ? QStringLiteral("(trial call failed)")
                                                       : QStringLiteral("after %1 failed calls in a row")
                                                             .arg(breaker.consecutiveFailures()));
            else
                qCInfo(lcBackend).noquote()
                    << m_endpoint << "target" << url << "circuit" << CircuitBreaker::stateName(from) << "->"
                    << CircuitBreaker::stateName(to);
            if (m_metrics && i < m_metrics->targets.size()) {
                EndpointMetrics::Target &entry = m_metrics->targets[i];
                entry.state = int(to);
                ++entry.entered[size_t(to)];
            }
        });
        m_targets.push_back(std::move(target));
    }
}

BackendTargets::~BackendTargets() = default;

QString BackendTargets::label(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

BackendCall BackendTargets::callFor(const BackendCall &call, int index) const
{
    if (index == 0)
        return call;
    // The handler appended its parameters to the first target's own query; move them to this target's.
    QString added = call.url.query(QUrl::FullyEncoded);
    const QString own = m_first.query(QUrl::FullyEncoded);
    if (!own.isEmpty() && added.startsWith(own)) {
        added = added.mid(own.size());
        if (added.startsWith(QLatin1Char('&')))
            added.remove(0, 1);
    }
    BackendCall moved = call;
    moved.url = url(index);
    if (!added.isEmpty()) {
        const QString query = moved.url.query(QUrl::FullyEncoded);
        moved.url.setQuery(query.isEmpty() ? added : query + QLatin1Char('&') + added, QUrl::StrictMode);
    }
    return moved;
}

int BackendTargets::acquire(int from, bool *trial)
{
    *trial = false;
    for (int i = qMax(0, from); i < count(); ++i) {
        if (!m_breakerEnabled)
            return i;
        CircuitBreaker &breaker = *m_targets.at(size_t(i)).breaker;
        if (breaker.tryAcquire()) {
            *trial = breaker.state() == CircuitBreaker::State::HalfOpen;
            return i;
        }
    }
    return -1;
}

bool BackendTargets::isTargetFailure(const BackendResult &result) const
{
    switch (result.outcome) {
    case BackendResult::Outcome::Timeout:
    case BackendResult::Outcome::NetworkError:
        return true;
    case BackendResult::Outcome::TooLarge:
        // The target answered; another one would send the same oversized answer.
        return false;
    case BackendResult::Outcome::Response:
        break;
    }
    return result.status >= 500 && !m_notFoundStatuses.contains(result.status);
}

void BackendTargets::report(int index, const BackendResult &result)
{
    if (!m_breakerEnabled)
        return;
    CircuitBreaker &breaker = *m_targets.at(size_t(index)).breaker;
    if (isTargetFailure(result))
        breaker.recordFailure();
    else
        breaker.recordSuccess();
}

void BackendTargets::noteFailover()
{
    if (m_metrics)
        ++m_metrics->failovers;
}

void BackendTargets::noteAllOpen()
{
    if (m_metrics)
        ++m_metrics->circuitRejected;
}

void BackendTargets::abandon(int index, bool trial)
{
    if (m_breakerEnabled && trial)
        m_targets.at(size_t(index)).breaker->recordAbandoned();
}

} // namespace prc
