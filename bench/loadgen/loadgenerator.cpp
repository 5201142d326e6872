// SPDX-License-Identifier: GPL-3.0-or-later
#include "loadgenerator.h"

#include "replyparser.h"
#include "requestbuilder.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sstream>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace prc::bench {
namespace {

constexpr std::int64_t Ms = 1000000;
// So a refused port or a server that closes every connection does not turn into a busy loop.
constexpr std::int64_t ReconnectDelay = 100 * Ms;
constexpr std::int64_t ReopenDelay = 10 * Ms;

std::string jsonEscape(const std::string &s)
{
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

std::string jsonMap(const std::map<std::string, std::uint64_t> &map)
{
    std::string out = "{";
    for (const auto &[k, v] : map) {
        if (out.size() > 1)
            out += ',';
        out += '"' + jsonEscape(k) + "\":" + std::to_string(v);
    }
    return out + '}';
}

std::vector<std::string> buildRequests(const Options &options)
{
    if (options.keys <= 1)
        return {RequestBuilder::build(options.mode, options.key, options.map, options.path)};
    std::vector<std::string> requests;
    requests.reserve(std::size_t(options.keys));
    for (int i = 1; i <= options.keys; ++i) {
        requests.push_back(RequestBuilder::build(options.mode, "k" + std::to_string(i) + "-" + options.key,
                                                 options.map, options.path));
    }
    return requests;
}

} // namespace

struct LoadGenerator::Connection
{
    enum class State { Closed, Connecting, Sending, Waiting, Idle };
    int fd = -1;
    State state = State::Closed;
    std::size_t sendOffset = 0;
    std::size_t request = 0; ///< index into m_requests of what is being sent
    std::string rx;
    std::int64_t since = 0;   ///< connect start or request sent
    std::int64_t retryAt = 0; ///< for Closed: when to reconnect (0: never)
    bool hadReply = false;
};

std::uint64_t LoadGenerator::Report::errorTotal() const
{
    std::uint64_t total = 0;
    for (const auto &[k, v] : errors)
        total += v;
    return total;
}

std::string LoadGenerator::Report::toJson() const
{
    char numbers[512];
    std::snprintf(numbers, sizeof numbers,
                  "\"connections\":%d,\"ready\":%d,\"ready_s\":%.3f,\"seconds\":%.3f,\"requests\":%llu,"
                  "\"rps\":%.1f,\"p50_us\":%u,\"p90_us\":%u,\"p99_us\":%u,\"max_us\":%u,\"mean_us\":%.1f,"
                  "\"error_total\":%llu,\"total_replies\":%llu,\"total_s\":%.3f",
                  connections, ready, readySeconds, seconds, static_cast<unsigned long long>(requests), rps,
                  latency.p50, latency.p90, latency.p99, latency.max, latency.mean,
                  static_cast<unsigned long long>(errorTotal()),
                  static_cast<unsigned long long>(totalReplies), totalSeconds);
    return "{\"mode\":\"" + mode + "\"," + numbers + ",\"errors\":" + jsonMap(errors)
           + ",\"statuses\":" + jsonMap(statuses) + "}";
}

std::string LoadGenerator::Report::toText() const
{
    std::ostringstream out;
    out << "mode " << mode << ", " << connections << " connections (" << ready << " ready after "
        << readySeconds << " s), " << seconds << " s\n";
    out << "  requests " << requests << ", " << static_cast<std::uint64_t>(rps) << " req/s\n";
    out << "  latency us: p50 " << latency.p50 << ", p90 " << latency.p90 << ", p99 " << latency.p99
        << ", max " << latency.max << ", mean " << static_cast<std::uint64_t>(latency.mean) << "\n";
    out << "  statuses:";
    for (const auto &[k, v] : statuses)
        out << ' ' << k << '=' << v;
    out << "\n  errors: " << errorTotal();
    for (const auto &[k, v] : errors)
        out << ' ' << k << '=' << v;
    out << '\n';
    return out.str();
}

LoadGenerator::LoadGenerator(const Options &options)
    : m_options(options)
    , m_idleMode(options.idle > 0)
    , m_requests(buildRequests(options))
    , m_readBuffer(64 * 1024)
{
    m_connections.resize(static_cast<std::size_t>(m_idleMode ? options.idle : options.connections));
    m_report.mode = modeName(options.mode);
    m_report.connections = static_cast<int>(m_connections.size());

    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET, options.host.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(options.port);
        m_addressFamily = AF_INET;
        m_address.assign(reinterpret_cast<unsigned char *>(&v4), reinterpret_cast<unsigned char *>(&v4 + 1));
    } else if (inet_pton(AF_INET6, options.host.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(options.port);
        m_addressFamily = AF_INET6;
        m_address.assign(reinterpret_cast<unsigned char *>(&v6), reinterpret_cast<unsigned char *>(&v6 + 1));
    } else {
        throw std::runtime_error("--host must be a numeric IPv4 or IPv6 address: " + options.host);
    }
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0)
        throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

LoadGenerator::~LoadGenerator()
{
    for (auto &c : m_connections)
        closeConnection(c);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

std::int64_t LoadGenerator::nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void LoadGenerator::closeConnection(Connection &c)
{
    if (c.fd >= 0)
        ::close(c.fd); // also removes it from the epoll set
    c.fd = -1;
    c.state = Connection::State::Closed;
    c.rx.clear();
    c.sendOffset = 0;
}

void LoadGenerator::fail(std::size_t index, const std::string &kind, std::int64_t now)
{
    ++m_report.errors[kind];
    Connection &c = m_connections[index];
    const bool wasWaiting = c.state == Connection::State::Sending || c.state == Connection::State::Waiting;
    closeConnection(c);
    // Idle connections are not replaced: the point of holding them is to count what the server keeps.
    c.retryAt = m_phase == Phase::Hold ? 0 : now + (kind == "connect" ? ReconnectDelay : ReopenDelay);
    if (m_idleMode && wasWaiting) {
        --m_idleInFlight;
        sendNextFirstRequest(now);
    }
}

void LoadGenerator::startConnection(std::size_t index, std::int64_t now)
{
    Connection &c = m_connections[index];
    c.retryAt = 0;
    c.fd = ::socket(static_cast<int>(m_addressFamily), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        // Out of descriptors is a setup problem, not a server error; still count it.
        ++m_report.errors[std::string("socket: ") + std::strerror(errno)];
        c.retryAt = now + ReconnectDelay;
        return;
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.since = now;
    const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr *>(m_address.data()),
                             static_cast<socklen_t>(m_address.size()));
    if (rc < 0 && errno != EINPROGRESS) {
        fail(index, "connect", now);
        return;
    }
    c.state = Connection::State::Connecting;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u64 = index;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev);
    if (rc == 0)
        onConnected(index, now);
}

void LoadGenerator::onConnected(std::size_t index, std::int64_t now)
{
    Connection &c = m_connections[index];
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = index;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
    if (m_phase == Phase::Hold || (m_idleMode && !m_options.idleRequest)) {
        c.state = Connection::State::Idle;
        if (!c.hadReply) {
            c.hadReply = true;
            ++m_ready;
        }
        return;
    }
    if (m_idleMode) {
        c.state = Connection::State::Idle; // not ready until its first reply
        m_idleWaiting.push_back(index);
        sendNextFirstRequest(now);
        return;
    }
    sendRequest(c, index, now);
}

void LoadGenerator::sendNextFirstRequest(std::int64_t now)
{
    while (m_idleInFlight < m_options.idleConcurrency && !m_idleWaiting.empty()) {
        const std::size_t index = m_idleWaiting.front();
        m_idleWaiting.pop_front();
        Connection &c = m_connections[index];
        if (c.fd < 0 || c.state != Connection::State::Idle || c.hadReply)
            continue; // closed and reopened meanwhile; its new connection queued itself again
        ++m_idleInFlight;
        sendRequest(c, index, now);
    }
}

void LoadGenerator::sendRequest(Connection &c, std::size_t index, std::int64_t now)
{
    c.sendOffset = 0;
    c.request = m_nextRequest++ % m_requests.size();
    c.since = now;
    flush(c, index, now);
}

void LoadGenerator::flush(Connection &c, std::size_t index, std::int64_t now)
{
    const std::string &request = m_requests[c.request];
    while (c.sendOffset < request.size()) {
        const ssize_t n =
            ::send(c.fd, request.data() + c.sendOffset, request.size() - c.sendOffset, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (c.state != Connection::State::Sending) {
                    c.state = Connection::State::Sending;
                    epoll_event ev{};
                    ev.events = EPOLLIN | EPOLLOUT;
                    ev.data.u64 = index;
                    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
                }
                return;
            }
            fail(index, "reset", now);
            return;
        }
        c.sendOffset += static_cast<std::size_t>(n);
    }
    if (c.state == Connection::State::Sending) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = index;
        epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
    }
    c.state = Connection::State::Waiting;
}

void LoadGenerator::onReadable(std::size_t index, std::int64_t now)
{
    Connection &c = m_connections[index];
    const ssize_t n = ::recv(c.fd, m_readBuffer.data(), m_readBuffer.size(), 0);
    if (n == 0) {
        fail(index, m_phase == Phase::Hold ? "closed-while-idle" : "closed", now);
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            fail(index, "reset", now);
        return;
    }
    c.rx.append(m_readBuffer.data(), static_cast<std::size_t>(n));
    std::size_t offset = 0;
    while (offset < c.rx.size()) {
        const auto r = ReplyParser::parse(m_options.mode, c.rx.data() + offset, c.rx.size() - offset);
        if (r.kind == ReplyParser::Result::Kind::Incomplete)
            break;
        if (r.kind == ReplyParser::Result::Kind::Malformed) {
            if (!m_options.quiet && m_report.errors["malformed"] == 0)
                std::fprintf(stderr, "prc-loadgen: first malformed reply: %s\n", r.error.c_str());
            fail(index, "malformed", now);
            return;
        }
        offset += r.consumed;
        if (c.state != Connection::State::Waiting) {
            fail(index, "unsolicited", now);
            return;
        }
        if (!c.hadReply) {
            c.hadReply = true;
            ++m_ready;
        }
        ++m_report.totalReplies;
        if (m_phase == Phase::Measure) {
            const std::int64_t micros = (now - c.since) / 1000;
            m_latency.record(static_cast<std::uint32_t>(std::min<std::int64_t>(micros, UINT32_MAX)));
            ++m_report.requests;
            ++m_report.statuses[r.status];
            if (!m_options.expect.empty()) {
                if (r.status.compare(0, m_options.expect.size(), m_options.expect) != 0)
                    ++m_report.errors["status-" + r.status];
            } else if (ReplyParser::isTemporaryFailure(m_options.mode, r.status)) {
                ++m_report.errors["status-" + r.status];
            }
        }
        if (m_idleMode) {
            c.state = Connection::State::Idle;
            --m_idleInFlight;
            sendNextFirstRequest(now);
        } else {
            sendRequest(c, index, now);
            if (c.fd < 0)
                return;
        }
    }
    c.rx.erase(0, offset);
}

void LoadGenerator::scan(std::int64_t now)
{
    const std::int64_t timeout = static_cast<std::int64_t>(m_options.timeoutMs) * Ms;
    for (std::size_t i = 0; i < m_connections.size(); ++i) {
        Connection &c = m_connections[i];
        switch (c.state) {
        case Connection::State::Closed:
            if (c.retryAt != 0 && now >= c.retryAt)
                startConnection(i, now);
            break;
        case Connection::State::Connecting:
        case Connection::State::Sending:
        case Connection::State::Waiting:
            if (now - c.since > timeout)
                fail(i, c.state == Connection::State::Connecting ? "connect-timeout" : "timeout", now);
            break;
        case Connection::State::Idle:
            break;
        }
    }
}

LoadGenerator::Report LoadGenerator::run(const std::function<void(const Report &)> &onReady)
{
    const std::int64_t start = nowNs();
    for (std::size_t i = 0; i < m_connections.size(); ++i)
        startConnection(i, start);

    std::vector<epoll_event> events(1024);
    std::int64_t phaseStart = start;
    std::int64_t phaseEnd = start + static_cast<std::int64_t>(m_options.readyTimeout * 1e9);
    std::int64_t lastScan = start;
    const int total = static_cast<int>(m_connections.size());
    for (;;) {
        const int n = epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 10);
        if (n < 0 && errno != EINTR)
            throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
        std::int64_t now = nowNs();
        for (int e = 0; e < n; ++e) {
            const auto index = static_cast<std::size_t>(events[e].data.u64);
            Connection &c = m_connections[index];
            if (c.fd < 0)
                continue;
            const std::uint32_t what = events[e].events;
            if (c.state == Connection::State::Connecting) {
                int error = 0;
                socklen_t length = sizeof error;
                getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
                if (error != 0 || (what & (EPOLLERR | EPOLLHUP)) != 0)
                    fail(index, "connect", now);
                else if ((what & EPOLLOUT) != 0)
                    onConnected(index, now);
                continue;
            }
            if ((what & EPOLLIN) != 0) {
                onReadable(index, now);
            } else if ((what & (EPOLLERR | EPOLLHUP)) != 0) {
                fail(index, "reset", now);
                continue;
            }
            if (c.fd >= 0 && c.state == Connection::State::Sending && (what & EPOLLOUT) != 0)
                flush(c, index, now);
        }
        if (now - lastScan >= 10 * Ms) {
            scan(now);
            lastScan = now;
        }
        if (m_phase == Phase::Warm && (m_ready == total || now >= phaseEnd)) {
            m_report.ready = m_ready;
            m_report.readySeconds = static_cast<double>(now - start) / 1e9;
            phaseStart = now;
            if (m_idleMode) {
                m_phase = Phase::Hold;
                phaseEnd = now + static_cast<std::int64_t>(m_options.hold * 1e9);
            } else {
                m_phase = Phase::Measure;
                phaseEnd = now + static_cast<std::int64_t>(m_options.duration * 1e9);
            }
            if (onReady)
                onReady(m_report);
            continue;
        }
        if (m_phase != Phase::Warm && now >= phaseEnd)
            break;
    }
    const std::int64_t end = nowNs();
    m_report.seconds = static_cast<double>(end - phaseStart) / 1e9;
    m_report.totalSeconds = static_cast<double>(end - start) / 1e9;
    m_report.rps = m_report.seconds > 0 ? static_cast<double>(m_report.requests) / m_report.seconds : 0;
    m_report.latency = m_latency.summarize();
    if (m_idleMode) {
        int open = 0;
        for (const auto &c : m_connections)
            open += c.state == Connection::State::Idle ? 1 : 0;
        m_report.statuses["open-at-end"] = static_cast<std::uint64_t>(open);
    }
    return m_report;
}

} // namespace prc::bench
