// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.h"

#include <atomic>
#include <cstdint>

namespace prc::bench {

/// A minimal server for one mode on 127.0.0.1 that answers every request at once with a fixed reply
/// (tcp "200 v", socketmap "OK v", policy "action=DUNNO"), or with a malformed one. It lets the load
/// generator be tried, and its own ceiling measured, without the connector.
class StubServer
{
public:
    StubServer(Mode mode, bool malformedReplies);
    ~StubServer();
    StubServer(const StubServer &) = delete;
    StubServer &operator=(const StubServer &) = delete;

    /// Binds 127.0.0.1:port (0: any). Returns false on failure.
    bool listen(std::uint16_t port);
    std::uint16_t port() const { return m_port; }

    /// Serves until stop becomes true (checked every 20 ms).
    void run(const std::atomic<bool> &stop);

private:
    Mode m_mode;
    bool m_malformed;
    int m_listener = -1;
    int m_epoll = -1;
    std::uint16_t m_port = 0;
};

} // namespace prc::bench
