// SPDX-License-Identifier: GPL-3.0-or-later
#include "stubserver.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

namespace prc::bench {
namespace {

/// Length of the first complete request at the front of buffer, 0 if incomplete, -1 if it cannot be framed.
long frameLength(Mode mode, std::string_view buffer)
{
    switch (mode) {
    case Mode::Tcp: {
        const auto newline = buffer.find('\n');
        return newline == std::string_view::npos ? 0 : static_cast<long>(newline + 1);
    }
    case Mode::Socketmap: {
        const auto colon = buffer.find(':');
        if (colon == std::string_view::npos)
            return buffer.size() > 7 ? -1 : 0;
        long length = 0;
        for (std::size_t i = 0; i < colon; ++i) {
            if (buffer[i] < '0' || buffer[i] > '9')
                return -1;
            length = length * 10 + (buffer[i] - '0');
        }
        const auto end = colon + 1 + static_cast<std::size_t>(length);
        if (buffer.size() <= end)
            return 0;
        return buffer[end] == ',' ? static_cast<long>(end + 1) : -1;
    }
    case Mode::Policy: {
        const auto end = buffer.find("\n\n");
        return end == std::string_view::npos ? 0 : static_cast<long>(end + 2);
    }
    case Mode::Http: {
        const auto end = buffer.find("\r\n\r\n");
        return end == std::string_view::npos ? 0 : static_cast<long>(end + 4);
    }
    }
    return -1;
}

std::string_view replyFor(Mode mode, bool malformed)
{
    switch (mode) {
    case Mode::Tcp:
        return malformed ? "2x0 v\n" : "200 v\n";
    case Mode::Socketmap:
        return malformed ? "4:OK v;" : "4:OK v,";
    case Mode::Policy:
        return malformed ? "action=\n\n" : "action=DUNNO\n\n";
    case Mode::Http:
        return malformed
                   ? "HTTP/1.1 200 OK\r\n\r\n"
                   : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n[\"v\"]";
    }
    return {};
}

} // namespace

StubServer::StubServer(Mode mode, bool malformedReplies)
    : m_mode(mode)
    , m_malformed(malformedReplies)
{
}

StubServer::~StubServer()
{
    if (m_listener >= 0)
        ::close(m_listener);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool StubServer::listen(std::uint16_t port)
{
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_listener < 0)
        return false;
    const int one = 1;
    setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) < 0
        || ::listen(m_listener, 4096) < 0)
        return false;
    socklen_t length = sizeof address;
    getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
    m_port = ntohs(address.sin_port);
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = m_listener;
    return m_epoll >= 0 && epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listener, &ev) == 0;
}

void StubServer::run(const std::atomic<bool> &stop)
{
    std::unordered_map<int, std::string> buffers;
    epoll_event events[256];
    char chunk[16384];
    const std::string_view reply = replyFor(m_mode, m_malformed);
    auto drop = [&](int fd) {
        ::close(fd);
        buffers.erase(fd);
    };
    while (!stop.load(std::memory_order_relaxed)) {
        const int n = epoll_wait(m_epoll, events, 256, 20);
        for (int e = 0; e < n; ++e) {
            const int fd = events[e].data.fd;
            if (fd == m_listener) {
                for (;;) {
                    const int client = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (client < 0)
                        break;
                    const int one = 1;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.fd = client;
                    epoll_ctl(m_epoll, EPOLL_CTL_ADD, client, &ev);
                    buffers[client];
                }
                continue;
            }
            const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
            if (got <= 0) {
                if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                    drop(fd);
                continue;
            }
            std::string &buffer = buffers[fd];
            buffer.append(chunk, static_cast<std::size_t>(got));
            std::string out;
            std::size_t offset = 0;
            bool bad = false;
            for (;;) {
                const long length = frameLength(m_mode, std::string_view(buffer).substr(offset));
                if (length < 0)
                    bad = true;
                if (length <= 0)
                    break;
                offset += static_cast<std::size_t>(length);
                out.append(reply);
            }
            buffer.erase(0, offset);
            // Replies are a few bytes and the client waits for each; a short write would be a broken client.
            if (!out.empty()
                && ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()))
                bad = true;
            if (bad)
                drop(fd);
        }
    }
    for (const auto &[fd, buffer] : buffers)
        ::close(fd);
}

} // namespace prc::bench
