// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <curl/curl.h>
#include <functional>

namespace prc {

/// One libcurl multi handle driven by this thread's Qt event loop through the multi-socket API: a
/// QSocketNotifier per socket and direction curl asks to watch (CURLMOPT_SOCKETFUNCTION), one single-shot
/// QTimer for curl's timeout (CURLMOPT_TIMERFUNCTION). Finished transfers are handed to the done callback.
class CurlMulti : public QObject
{
    Q_OBJECT

public:
    /// Called once per finished transfer, after curl_multi_remove_handle. The callback may add and remove
    /// other transfers.
    using DoneCallback = std::function<void(CURL *easy, CURLcode result)>;

    explicit CurlMulti(DoneCallback done, QObject *parent = nullptr);
    ~CurlMulti() override;

    CURLM *handle() const { return m_multi; }

    /// Sets what every easy handle used with this multi handle needs (the socket close hook).
    void prepare(CURL *easy);
    bool add(CURL *easy);
    /// Stops a transfer that has not finished. Never call it from inside a libcurl callback.
    void remove(CURL *easy);

private:
    class SocketWatch;

    static int socketCallback(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp);
    static int timerCallback(CURLM *multi, long timeoutMs, void *userp);
    static int closeSocketCallback(void *clientp, curl_socket_t fd);
    void onSocketReady(curl_socket_t fd, int eventMask);
    void onTimeout();
    void takeFinished();

    CURLM *m_multi;
    DoneCallback m_done;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_timerDue = 0;                         ///< when m_timer fires, on m_clock
    QHash<curl_socket_t, SocketWatch *> m_watches; ///< every socket curl has open, watched or not
};

} // namespace prc
