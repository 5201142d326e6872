// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/redisconnection.h"

#include "servicelogging.h"

#include <QFile>
#include <QSocketNotifier>

#ifdef PRC_WITH_HIREDIS
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#endif

#include <algorithm>
#include <vector>

namespace prc {

QString RedisConnection::Settings::describe() const
{
    if (!unixPath.isEmpty())
        return QStringLiteral("unix:") + unixPath;
    const QString hostPart =
        host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("redis://%1:%2/%3").arg(hostPart).arg(port).arg(database);
}

#ifdef PRC_WITH_HIREDIS

namespace {

/// A connection that holds calls but has answered none for this long is dropped and opened again: Redis hung
/// or the network lost it, and TCP alone would wait for minutes.
qint64 stallLimitMs(int timeoutMs)
{
    return std::max<qint64>(1000, qint64(timeoutMs) * 10);
}

QString contextError(const redisAsyncContext *ac)
{
    return ac->c.err ? QString::fromLocal8Bit(ac->c.errstr) : QStringLiteral("connection closed by Redis");
}

} // namespace

RedisConnection::RedisConnection(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{
    m_clock.start();
    m_reconnect.setSingleShot(true);
    m_timeouts.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RedisConnection::open);
    connect(&m_timeouts, &QTimer::timeout, this, &RedisConnection::expire);
    open();
}

RedisConnection::~RedisConnection()
{
    m_reconnect.stop();
    m_timeouts.stop();
    // Nobody is told: the owners of the callbacks are going away with us.
    for (Pending *pending : m_waiting)
        pending->answered = true;
    m_waiting.clear();
    if (m_context) {
        redisAsyncContext *ac = m_context;
        m_context = nullptr;
        detach(ac);
        redisAsyncFree(ac); // runs onReply(nullptr) for every call it holds, which frees them
    }
}

void RedisConnection::command(const QList<QByteArray> &arguments, QObject *context, Callback callback)
{
    auto *pending = new Pending;
    pending->context = context;
    pending->callback = std::move(callback);
    send(arguments, pending);
}

void RedisConnection::open()
{
    if (m_context)
        return;
    redisAsyncContext *ac = m_settings.unixPath.isEmpty()
                                ? redisAsyncConnect(m_settings.host.toUtf8().constData(), m_settings.port)
                                : redisAsyncConnectUnix(QFile::encodeName(m_settings.unixPath).constData());
    if (!ac) {
        lost(QStringLiteral("out of memory"));
        return;
    }
    if (ac->err) {
        const QString reason = contextError(ac);
        redisAsyncFree(ac);
        lost(reason);
        return;
    }
    m_context = ac;
    ac->data = this;
    ac->ev.data = this;
    ac->ev.addRead = &RedisConnection::addRead;
    ac->ev.delRead = &RedisConnection::delRead;
    ac->ev.addWrite = &RedisConnection::addWrite;
    ac->ev.delWrite = &RedisConnection::delWrite;
    ac->ev.cleanup = &RedisConnection::cleanup;
    redisAsyncSetConnectCallback(ac, &RedisConnection::onConnect);
    redisAsyncSetDisconnectCallback(ac, &RedisConnection::onDisconnect);
    m_lastReplyAt = now();

    // hiredis sends in order, so these run before any call made after them. PING also starts the connect:
    // hiredis learns that connect(2) finished only when it has something to write.
    if (!m_settings.password.isEmpty()) {
        command(
            {QByteArrayLiteral("AUTH"), m_settings.password.toUtf8()}, this, [this](const RedisReply &reply) {
                if (reply.kind == RedisReply::Kind::Error)
                    drop(QStringLiteral("Redis refused the password: %1").arg(QString::fromUtf8(reply.text)));
            });
    }
    if (m_settings.database != 0 && m_context) {
        command({QByteArrayLiteral("SELECT"), QByteArray::number(m_settings.database)}, this,
                [this](const RedisReply &reply) {
                    if (reply.kind == RedisReply::Kind::Error)
                        drop(QStringLiteral("SELECT %1 failed: %2")
                                 .arg(m_settings.database)
                                 .arg(QString::fromUtf8(reply.text)));
                });
    }
    if (m_context)
        command({QByteArrayLiteral("PING")}, this, [](const RedisReply &) {});
}

void RedisConnection::send(const QList<QByteArray> &arguments, Pending *pending)
{
    QString failure;
    if (!m_context) {
        failure = m_lastError.isEmpty() ? QStringLiteral("not connected") : m_lastError;
    } else if (m_outstanding >= MaxOutstanding) {
        failure = QStringLiteral("too many calls waiting for Redis");
    } else {
        std::vector<const char *> argv;
        std::vector<size_t> lengths;
        argv.reserve(size_t(arguments.size()));
        lengths.reserve(size_t(arguments.size()));
        for (const QByteArray &argument : arguments) {
            argv.push_back(argument.constData());
            lengths.push_back(size_t(argument.size()));
        }
        if (redisAsyncCommandArgv(m_context, &RedisConnection::onReply, pending, int(argv.size()),
                                  argv.data(), lengths.data())
            == REDIS_OK) {
            ++m_outstanding;
            pending->deadline = now() + m_settings.timeoutMs;
            m_waiting.push_back(pending);
            // The first call in line sets the timer (it may have been set for the stall check, much later);
            // later ones have later deadlines.
            if (m_waiting.size() == 1)
                armTimer();
            return;
        }
        failure = QStringLiteral("connection closing");
    }
    pending->answered = true;
    const Callback callback = std::move(pending->callback);
    const QPointer<QObject> context = pending->context;
    delete pending;
    if (context)
        callback(RedisReply{RedisReply::Kind::Failed, failure.toUtf8(), 0});
}

void RedisConnection::deliver(Pending *pending, const RedisReply &reply)
{
    pending->answered = true;
    const auto it = std::find(m_waiting.begin(), m_waiting.end(), pending);
    if (it != m_waiting.end())
        m_waiting.erase(it);
    // Moved out: hiredis still owns the record and frees it later.
    const Callback callback = std::move(pending->callback);
    pending->callback = nullptr;
    if (pending->context)
        callback(reply);
}

void RedisConnection::onReply(redisAsyncContext *ac, void *r, void *privdata)
{
    auto *pending = static_cast<Pending *>(privdata);
    auto *self = static_cast<RedisConnection *>(ac->data);
    if (self) {
        --self->m_outstanding;
        const auto *reply = static_cast<const redisReply *>(r);
        RedisReply converted;
        if (!reply) {
            converted.kind = RedisReply::Kind::Failed;
            converted.text = contextError(ac).toUtf8();
        } else {
            self->m_lastReplyAt = self->now();
            switch (reply->type) {
            case REDIS_REPLY_NIL:
                converted.kind = RedisReply::Kind::Nil;
                break;
            case REDIS_REPLY_STRING:
                converted.kind = RedisReply::Kind::String;
                converted.text = QByteArray(reply->str, qsizetype(reply->len));
                break;
            case REDIS_REPLY_STATUS:
                converted.kind = RedisReply::Kind::Status;
                converted.text = QByteArray(reply->str, qsizetype(reply->len));
                break;
            case REDIS_REPLY_INTEGER:
                converted.kind = RedisReply::Kind::Integer;
                converted.integer = reply->integer;
                break;
            case REDIS_REPLY_ERROR:
                converted.kind = RedisReply::Kind::Error;
                converted.text = QByteArray(reply->str, qsizetype(reply->len));
                break;
            default:
                converted.kind = RedisReply::Kind::Other;
                break;
            }
            if (converted.kind == RedisReply::Kind::Error) {
                if (!self->m_connected)
                    self->m_lastError = QString::fromUtf8(converted.text);
            } else {
                self->setConnected(true);
            }
        }
        if (!pending->answered)
            self->deliver(pending, converted);
    }
    delete pending;
}

void RedisConnection::onConnect(const redisAsyncContext *ac, int status)
{
    auto *self = static_cast<RedisConnection *>(ac->data);
    if (!self || status == REDIS_OK)
        return;
    // hiredis frees the context after this returns, answering its calls with no reply first.
    self->m_lastError = contextError(ac);
}

void RedisConnection::onDisconnect(const redisAsyncContext *ac, int status)
{
    Q_UNUSED(status);
    auto *self = static_cast<RedisConnection *>(ac->data);
    if (!self)
        return;
    self->m_context = nullptr;
    self->lost(contextError(ac));
}

void RedisConnection::cleanup(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (!self)
        return;
    self->releaseNotifiers();
    // A failed connect ends here without onDisconnect (hiredis calls that only for established ones).
    if (self->m_context && (self->m_context->c.flags & REDIS_CONNECTED) == 0) {
        self->m_context = nullptr;
        self->lost(self->m_lastError.isEmpty() ? QStringLiteral("connection failed") : self->m_lastError);
    }
}

void RedisConnection::addRead(void *data)
{
    static_cast<RedisConnection *>(data)->setNotifier(static_cast<RedisConnection *>(data)->m_read,
                                                      QSocketNotifier::Read, true);
}

void RedisConnection::delRead(void *data)
{
    static_cast<RedisConnection *>(data)->setNotifier(static_cast<RedisConnection *>(data)->m_read,
                                                      QSocketNotifier::Read, false);
}

void RedisConnection::addWrite(void *data)
{
    static_cast<RedisConnection *>(data)->setNotifier(static_cast<RedisConnection *>(data)->m_write,
                                                      QSocketNotifier::Write, true);
}

void RedisConnection::delWrite(void *data)
{
    static_cast<RedisConnection *>(data)->setNotifier(static_cast<RedisConnection *>(data)->m_write,
                                                      QSocketNotifier::Write, false);
}

void RedisConnection::setNotifier(QSocketNotifier *&notifier, int type, bool on)
{
    if (!notifier) {
        if (!on || !m_context)
            return;
        // One notifier per direction and context; hiredis asks to stop watching from inside our own
        // activated() handler, so they are only ever disabled there, never deleted.
        notifier = new QSocketNotifier(qintptr(m_context->c.fd), QSocketNotifier::Type(type), this);
        const bool read = type == QSocketNotifier::Read;
        connect(notifier, &QSocketNotifier::activated, this, [this, read] {
            if (!m_context)
                return;
            if (read)
                redisAsyncHandleRead(m_context);
            else
                redisAsyncHandleWrite(m_context);
        });
    }
    notifier->setEnabled(on);
}

void RedisConnection::releaseNotifiers()
{
    for (QSocketNotifier **notifier : {&m_read, &m_write}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
            *notifier = nullptr;
        }
    }
}

void RedisConnection::detach(redisAsyncContext *ac)
{
    releaseNotifiers();
    ac->data = nullptr;
    ac->ev.data = nullptr;
    ac->ev.addRead = nullptr;
    ac->ev.delRead = nullptr;
    ac->ev.addWrite = nullptr;
    ac->ev.delWrite = nullptr;
    ac->ev.cleanup = nullptr;
}

void RedisConnection::drop(const QString &reason)
{
    if (!m_context)
        return;
    redisAsyncContext *ac = m_context;
    m_context = nullptr;
    detach(ac);
    // Answered before the context goes: a callback that sends again finds no connection and fails at once.
    std::deque<Pending *> waiting;
    waiting.swap(m_waiting);
    for (Pending *pending : waiting)
        pending->answered = true;
    m_lastError = reason;
    for (Pending *pending : waiting) {
        const Callback callback = std::move(pending->callback);
        pending->callback = nullptr;
        if (pending->context)
            callback(RedisReply{RedisReply::Kind::Failed, reason.toUtf8(), 0});
    }
    redisAsyncFree(ac); // inside a hiredis callback this waits until the callback returns
    lost(reason);
}

void RedisConnection::lost(const QString &reason)
{
    m_outstanding = 0;
    m_lastError = reason;
    setConnected(false);
    if (!m_reportedDown) {
        m_reportedDown = true;
        qCWarning(lcSharedCache).noquote() << "Redis at" << m_settings.describe() << "unavailable:" << reason
                                           << "- lookups go to the backend; reconnecting in the background";
    } else {
        qCDebug(lcSharedCache).noquote()
            << "Redis at" << m_settings.describe() << "still unavailable:" << reason;
    }
    scheduleReconnect();
}

void RedisConnection::scheduleReconnect()
{
    if (m_reconnect.isActive())
        return;
    m_reconnect.start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, int(MaxBackoffMs));
}

void RedisConnection::setConnected(bool connected)
{
    if (connected == m_connected)
        return;
    m_connected = connected;
    if (connected) {
        m_backoffMs = MinBackoffMs;
        m_lastError.clear();
        qCInfo(lcSharedCache).noquote()
            << "connected to Redis at" << m_settings.describe() << (m_reportedDown ? "(again)" : "");
        m_reportedDown = false;
    }
    Q_EMIT connectedChanged(connected);
}

void RedisConnection::expire()
{
    const qint64 t = now();
    while (!m_waiting.empty() && m_waiting.front()->deadline <= t) {
        Pending *pending = m_waiting.front();
        deliver(pending, RedisReply{RedisReply::Kind::Timeout, QByteArrayLiteral("timed out"), 0});
    }
    if (m_context && m_outstanding > 0 && t - m_lastReplyAt >= stallLimitMs(m_settings.timeoutMs)) {
        drop(QStringLiteral("no reply for %1 ms").arg(t - m_lastReplyAt));
        return;
    }
    armTimer();
}

void RedisConnection::armTimer()
{
    const qint64 t = now();
    if (!m_waiting.empty())
        m_timeouts.start(int(std::max<qint64>(0, m_waiting.front()->deadline - t)));
    else if (m_context && m_outstanding > 0)
        m_timeouts.start(int(std::max<qint64>(0, m_lastReplyAt + stallLimitMs(m_settings.timeoutMs) - t)));
    else
        m_timeouts.stop();
}

#else // PRC_WITH_HIREDIS

// Built without hiredis: every call fails at once, so cache.shared only costs a warning.
RedisConnection::RedisConnection(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_lastError(QStringLiteral("this build has no Redis support (hiredis)"))
{
    qCWarning(lcSharedCache).noquote()
        << "cache.shared is set, but" << m_lastError << "- lookups go to the backend";
}

RedisConnection::~RedisConnection() = default;

void RedisConnection::command(const QList<QByteArray> &arguments, QObject *context, Callback callback)
{
    Q_UNUSED(arguments);
    Q_UNUSED(context);
    callback(RedisReply{RedisReply::Kind::Failed, m_lastError.toUtf8(), 0});
}

#endif // PRC_WITH_HIREDIS

} // namespace prc
