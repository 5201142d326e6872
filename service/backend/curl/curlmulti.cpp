// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend/curl/curlmulti.h"

#include "servicelogging.h"

#include <QSocketNotifier>

namespace prc {

/// The notifiers of one curl socket. curl may tell us to forget a socket while one of these notifiers is
/// delivering its signal: then they are disabled at once and deleted later, never inside their own signal.
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

    void watch(int what)
    {
        m_read.setEnabled(what == CURL_POLL_IN || what == CURL_POLL_INOUT);
        m_write.setEnabled(what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
    }

    void retire()
    {
        m_read.setEnabled(false);
        m_write.setEnabled(false);
        deleteLater();
    }

private:
    QSocketNotifier m_read;
    QSocketNotifier m_write;
};

CurlMulti::CurlMulti(DoneCallback done, QObject *parent)
    : QObject(parent)
    , m_multi(curl_multi_init())
    , m_done(std::move(done))
{
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

int CurlMulti::socketCallback(CURL *, curl_socket_t fd, int what, void *userp, void *socketp)
{
    auto *self = static_cast<CurlMulti *>(userp);
    auto *watch = static_cast<SocketWatch *>(socketp);
    if (what == CURL_POLL_REMOVE) {
        if (watch) {
            watch->retire();
            curl_multi_assign(self->m_multi, fd, nullptr);
        }
        return 0;
    }
    if (!watch) {
        watch = new SocketWatch(fd, self);
        curl_multi_assign(self->m_multi, fd, watch);
    }
    watch->watch(what);
    return 0;
}

int CurlMulti::timerCallback(CURLM *, long timeoutMs, void *userp)
{
    // Never drive curl from inside its own callback: the timer fires on the next pass of the event loop.
    auto *self = static_cast<CurlMulti *>(userp);
    if (timeoutMs < 0)
        self->m_timer.stop();
    else
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
