// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>

struct redisAsyncContext;
class QSocketNotifier;

namespace prc {

/// One Redis reply, or why there is none.
struct RedisReply
{
    enum class Kind {
        Nil,     ///< the key does not exist
        String,  ///< a bulk string (GET)
        Status,  ///< +OK and the like
        Integer, ///< DEL, ...
        Error,   ///< -ERR ... from Redis
        Other,   ///< an array or anything else this client does not read
        Timeout, ///< no reply within the call timeout
        Failed,  ///< not connected, connection refused or lost
    };

    Kind kind = Kind::Failed;
    QByteArray text; ///< the string, status or error text; the reason for Failed
    qint64 integer = 0;

    bool isReply() const { return kind != Kind::Timeout && kind != Kind::Failed; }
};

/// An asynchronous connection to one Redis server on the Qt event loop (hiredis' async API with our own
/// socket notifiers: the adapter hiredis ships in adapters/qt.h connects to a Qt 5 signal that Qt 6 no longer
/// has and deletes a notifier inside its own signal). Every call gets exactly one reply within the call
/// timeout; the connection is opened at once and reopened with backoff after it fails or is lost; AUTH and
/// SELECT run first on every new connection. Nothing here knows what the values mean.
class RedisConnection : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        QString host; ///< TCP: host name or address
        quint16 port = 6379;
        QString unixPath; ///< set for a Unix socket (host is ignored)
        int database = 0;
        QString password; ///< empty: no AUTH. Never logged.
        int timeoutMs = 50;

        QString describe() const; ///< for logs: redis://host:port/db or unix:/path, never the password
    };

    /// The first reconnect waits this long; each failure doubles it up to MaxBackoffMs.
    static constexpr int MinBackoffMs = 100;
    static constexpr int MaxBackoffMs = 5000;
    /// Calls waiting for Redis (timed out ones included) before new calls fail at once: bounds memory when
    /// Redis stops reading.
    static constexpr int MaxOutstanding = 10000;

    using Callback = std::function<void(const RedisReply &reply)>;

    explicit RedisConnection(Settings settings, QObject *parent = nullptr);
    ~RedisConnection() override;

    /// Sends a command (arguments as Redis sees them). The callback runs exactly once, within the call
    /// timeout: at once (before this returns) when there is no connection, later otherwise. It does not run
    /// once `context` is destroyed.
    void command(const QList<QByteArray> &arguments, QObject *context, Callback callback);

    bool isConnected() const { return m_connected; }
    /// Why the last connection attempt failed or the connection was lost; empty while connected.
    QString lastError() const { return m_lastError; }
    const Settings &settings() const { return m_settings; }

Q_SIGNALS:
    void connectedChanged(bool connected);

private:
    struct Pending
    {
        bool answered = false; ///< by a reply, a timeout or a dropped connection; hiredis frees it later
        QPointer<QObject> context;
        Callback callback;
        qint64 deadline = 0;
    };

    static void onConnect(const redisAsyncContext *ac, int status);
    static void onDisconnect(const redisAsyncContext *ac, int status);
    static void onReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void addRead(void *data);
    static void delRead(void *data);
    static void addWrite(void *data);
    static void delWrite(void *data);
    static void cleanup(void *data);

    void open();
    void detach(redisAsyncContext *ac);
    void releaseNotifiers();
    void lost(const QString &reason);
    void drop(const QString &reason);
    void scheduleReconnect();
    void send(const QList<QByteArray> &arguments, Pending *pending);
    void deliver(Pending *pending, const RedisReply &reply);
    void expire();
    void armTimer();
    void setNotifier(QSocketNotifier *&notifier, int type, bool on);
    void setConnected(bool connected);
    qint64 now() const { return m_clock.elapsed(); }

    Settings m_settings;
    redisAsyncContext *m_context = nullptr;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
    QTimer m_reconnect;
    QTimer m_timeouts;
    QElapsedTimer m_clock;
    /// Calls not yet answered, in the order sent (Redis answers in that order, and all share one timeout, so
    /// the front has the earliest deadline).
    std::deque<Pending *> m_waiting;
    int m_outstanding = 0; ///< calls hiredis still holds, timed out ones included
    qint64 m_lastReplyAt = 0;
    int m_backoffMs = MinBackoffMs;
    bool m_connected = false;
    bool m_reportedDown = false;
    QString m_lastError;
};

} // namespace prc
