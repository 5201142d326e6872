// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/curl/curlmulti.h"

#include "servicelogging.h"

#include <QSocketNotifier>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <unistd.h>
#endif

namespace prc {

/// The notifiers of one curl socket, for as long as the socket is open. curl stops watching a pooled
/// connection after every transfer and watches it again for the next one: the notifiers are only disabled
/// in between, so a call costs no allocation and no deferred delete. When curl closes the socket (possibly
/// while one of these notifiers is delivering its signal) the watch is disabled at once and deleted later.
class CurlMulti::SocketWatch : public QObject
{
public:
    SocketWatch(curl_socket_t fd, CurlMulti *multi)
        : QObject(multi)
        , m_read(qintptr(fd), QSocketNotifier::Read, this)
        , m_write(qintptr(fd), QSocketNotifier::Write, this)
    {
        m_read.setEnabled(false);
        m_write.setEnabled(false);
        connect(&m_read, &QSocketNotifier::activated, multi,
                [multi, fd] { multi->onSocketReady(fd, CURL_CSELECT_IN); });
        connect(&m_write, &QSocketNotifier::activated, multi,
                [multi, fd] { multi->onSocketReady(fd, CURL_CSELECT_OUT); });
    }

    /// CURL_POLL_IN, _OUT, _INOUT, or anything else (CURL_POLL_REMOVE) for neither.
    void watch(int what)
    {
        setEnabled(m_read, what == CURL_POLL_IN || what == CURL_POLL_INOUT);
        setEnabled(m_write, what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
    }

    void retire()
    {
        watch(CURL_POLL_REMOVE);
        deleteLater();
    }

private:
    // Registering a notifier with the event dispatcher is not free: only when it changes.
    static void setEnabled(QSocketNotifier &notifier, bool enabled)
    {
        if (notifier.isEnabled() != enabled)
            notifier.setEnabled(enabled);
    }

    QSocketNotifier m_read;
    QSocketNotifier m_write;
};

CurlMulti::CurlMulti(DoneCallback done, QObject *parent)
    : QObject(parent)
    , m_multi(curl_multi_init())
    , m_done(std::move(done))
{
    m_clock.start();
    m_timer.setSingleShot(true);
    // curl's timeouts are short (0 ms "run now", a few ms for connects): a coarse timer would add up to 5 %
    // and batch them with others.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &CurlMulti::onTimeout);

    curl_multi_setopt(m_multi, CURLMOPT_SOCKETFUNCTION, &CurlMulti::socketCallback);
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERFUNCTION, &CurlMulti::timerCallback);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti()
{
    // The owner has removed every transfer. Cleaning up closes the cached connections, which calls the
    // socket callback: the watches are our children and go with us.
    curl_multi_cleanup(m_multi);
}

void CurlMulti::prepare(CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMulti::closeSocketCallback);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
}

bool CurlMulti::add(CURL *easy)
{
    // Adding asks for a timeout of 0 ms through the timer callback: the transfer starts on the next pass
    // of the event loop, never inside the caller.
    return curl_multi_add_handle(m_multi, easy) == CURLM_OK;
}

void CurlMulti::remove(CURL *easy)
{
    curl_multi_remove_handle(m_multi, easy);
}

int CurlMulti::socketCallback(CURL *, curl_socket_t fd, int what, void *userp, void *)
{
    auto *self = static_cast<CurlMulti *>(userp);
    SocketWatch *&watch = self->m_watches[fd];
    if (!watch) {
        if (what == CURL_POLL_REMOVE) {
            self->m_watches.remove(fd);
            return 0;
        }
        watch = new SocketWatch(fd, self);
    }
    watch->watch(what);
    return 0;
}

int CurlMulti::closeSocketCallback(void *clientp, curl_socket_t fd)
{
    auto *self = static_cast<CurlMulti *>(clientp);
    if (SocketWatch *watch = self->m_watches.take(fd))
        watch->retire();
#ifdef Q_OS_WIN
    return ::closesocket(fd);
#else
    return ::close(fd);
#endif
}

int CurlMulti::timerCallback(CURLM *, long timeoutMs, void *userp)
{
    // Never drive curl from inside its own callback: the timer fires on the next pass of the event loop.
    // curl asks for one timeout at a time, replacing the last, and a timer that fires early costs only a
    // call that finds nothing due (curl then asks for the rest). So a timer already armed to fire no later
    // than asked stays as it is: restarting a Qt timer searches all of the thread's timers, one per
    // connection, and curl asks several times per call.
    auto *self = static_cast<CurlMulti *>(userp);
    if (timeoutMs < 0)
        return 0;
    const qint64 due = self->m_clock.elapsed() + timeoutMs;
    if (self->m_timer.isActive() && self->m_timerDue <= due)
        return 0;
    self->m_timerDue = due;
    self->m_timer.start(int(std::min<long>(timeoutMs, std::numeric_limits<int>::max())));
    return 0;
}

void CurlMulti::onSocketReady(curl_socket_t fd, int eventMask)
{
    int running = 0;
    curl_multi_socket_action(m_multi, fd, eventMask, &running);
    takeFinished();
}

void CurlMulti::onTimeout()
{
    int running = 0;
    curl_multi_socket_action(m_multi, CURL_SOCKET_TIMEOUT, 0, &running);
    takeFinished();
}

void CurlMulti::takeFinished()
{
    int queued = 0;
    while (CURLMsg *message = curl_multi_info_read(m_multi, &queued)) {
        if (message->msg != CURLMSG_DONE)
            continue;
        // The message belongs to curl and is gone once its handle is removed: read it first.
        CURL *easy = message->easy_handle;
        const CURLcode result = message->data.result;
        curl_multi_remove_handle(m_multi, easy);
        // May remove other transfers (and their queued messages) or add new ones: curl_multi_info_read
        // copes with both.
        m_done(easy, result);
    }
}

} // namespace prc
