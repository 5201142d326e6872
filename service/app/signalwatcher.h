// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSocketNotifier;

namespace prc {

/// Turns POSIX signals into Qt signals with the self-pipe trick: the handler only writes one byte to a socket
/// pair, and a QSocketNotifier reads it in the event loop, where anything may be done.
/// One instance per process (signal dispositions are process-wide).
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    bool isActive() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void reloadRequested();    ///< SIGHUP
    void terminateRequested(); ///< SIGTERM, SIGINT

private:
    void readSignals();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace prc
