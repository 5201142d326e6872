// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "latencyrecorder.h"
#include "options.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace prc::bench {

/// Closed-loop client on one epoll loop: every connection has exactly one request outstanding, as Postfix's
/// lookup clients and smtpd's policy client do. Single-threaded on purpose: on a small machine a second
/// thread would take CPU from the server being measured.
class LoadGenerator
{
public:
    struct Report
    {
        std::string mode;
        int connections = 0;
        int ready = 0;           ///< connections that got their first reply before measuring started
        double readySeconds = 0; ///< time until they did
        double seconds = 0;      ///< measured (or held) time
        std::uint64_t requests = 0;
        std::uint64_t totalReplies = 0; ///< including the warm-up, for CPU-per-request figures
        double totalSeconds = 0;        ///< from the first connect to the end
        double rps = 0;
        LatencyRecorder::Summary latency;
        std::map<std::string, std::uint64_t> errors;
        std::map<std::string, std::uint64_t> statuses;
        std::uint64_t errorTotal() const;
        std::string toJson() const;
        std::string toText() const;
    };

    explicit LoadGenerator(const Options &options);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator &) = delete;
    LoadGenerator &operator=(const LoadGenerator &) = delete;

    /// Measures for options.duration, or with options.idle holds the connections for options.hold seconds.
    /// onReady runs once every connection is ready (idle mode: before holding).
    Report run(const std::function<void(const Report &)> &onReady = {});

private:
    struct Connection;
    enum class Phase { Warm, Measure, Hold };

    static std::int64_t nowNs();
    void startConnection(std::size_t index, std::int64_t now);
    void closeConnection(Connection &c);
    void fail(std::size_t index, const std::string &kind, std::int64_t now);
    void sendRequest(Connection &c, std::size_t index, std::int64_t now);
    void flush(Connection &c, std::size_t index, std::int64_t now);
    void onReadable(std::size_t index, std::int64_t now);
    void onConnected(std::size_t index, std::int64_t now);
    void scan(std::int64_t now);
    void sendNextFirstRequest(std::int64_t now);

    Options m_options;
    bool m_idleMode = false;
    std::vector<std::string> m_requests; ///< one per key (--keys), sent in turn
    std::size_t m_nextRequest = 0;
    int m_epoll = -1;
    std::vector<Connection> m_connections;
    Phase m_phase = Phase::Warm;
    int m_ready = 0;
    int m_idleInFlight = 0;                ///< idle mode: first requests outstanding
    std::deque<std::size_t> m_idleWaiting; ///< idle mode: connected, first request not sent yet
    LatencyRecorder m_latency;
    Report m_report;
    std::vector<char> m_readBuffer;
    unsigned m_addressFamily = 0;
    std::vector<unsigned char> m_address; ///< sockaddr bytes
};

} // namespace prc::bench
