// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/signalwatcher.h"

#include "servicelogging.h"

#include <QSocketNotifier>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace prc {

#ifdef Q_OS_UNIX
namespace {

int g_pipe[2] = {-1, -1};

extern "C" void onSignal(int number)
{
    const int savedErrno = errno;
    const char byte = char(number);
    // If the pipe is full the signal is already pending there; dropping one is harmless.
    [[maybe_unused]] const auto written = ::write(g_pipe[0], &byte, 1);
    errno = savedErrno;
}

} // namespace
#endif

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
#ifdef Q_OS_UNIX
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_pipe) != 0) {
        qCCritical(lcService) << "cannot create the signal socket pair:" << strerror(errno);
        return;
    }
    m_notifier = new QSocketNotifier(g_pipe[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readSignals);

    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int number : {SIGHUP, SIGTERM, SIGINT})
        ::sigaction(number, &action, nullptr);
    // A Postfix client vanishing mid-write must not kill the process.
    ::signal(SIGPIPE, SIG_IGN);
#endif
}

SignalWatcher::~SignalWatcher()
{
#ifdef Q_OS_UNIX
    if (m_notifier) {
        for (int number : {SIGHUP, SIGTERM, SIGINT})
            ::signal(number, SIG_DFL);
        ::close(g_pipe[0]);
        ::close(g_pipe[1]);
        g_pipe[0] = g_pipe[1] = -1;
    }
#endif
}

void SignalWatcher::readSignals()
{
#ifdef Q_OS_UNIX
    char bytes[16];
    ssize_t count = 0;
    while ((count = ::read(g_pipe[1], bytes, sizeof bytes)) > 0) {
        for (ssize_t i = 0; i < count; ++i) {
            if (bytes[i] == SIGHUP)
                Q_EMIT reloadRequested();
            else
                Q_EMIT terminateRequested();
        }
    }
#endif
}

} // namespace prc
