// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace prc::bench {

/// Http is not a Postfix protocol: it measures an HTTP backend with the same client, as a reference.
enum class Mode { Tcp, Socketmap, Policy, Http };

const char *modeName(Mode mode);

/// Command line of prc-loadgen.
struct Options
{
    Mode mode = Mode::Tcp;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    int connections = 1;
    double duration = 10.0; ///< seconds of measurement, after every connection has had its first reply
    std::string key = "user@example.com";
    /// --keys N: cycle through N distinct keys ("k1-KEY" ... "kN-KEY") instead of repeating KEY, to reach
    /// past an answer cache.
    int keys = 1;
    std::string map = "virtual";
    std::string path = "/lookup"; ///< http mode: GET path?key=KEY
    /// Prefix the reply status must have (tcp "200", socketmap "OK", policy "DUNNO"); empty: any non-error
    /// status.
    std::string expect;
    int timeoutMs = 5000;       ///< per request
    double readyTimeout = 30.0; ///< seconds to wait for every connection's first reply
    int idle = 0;               ///< --idle C: open C connections and hold them
    double hold = 0.0;          ///< --hold S
    bool idleRequest = true; ///< send one request on each idle connection first, so the server surely has it
    /// How many of those first requests may be outstanding at once: Postfix opens connections one by one,
    /// and a burst of 1000 concurrent requests would leave the server's heap at its high-water mark.
    int idleConcurrency = 8;
    bool selfTest = false;
    bool serve = false;    ///< run the stub server instead (for trying the load generator out)
    bool serveBad = false; ///< the stub server sends malformed replies
    bool quiet = false;    ///< JSON line only

    /// Parses argv. Returns false and sets error on a bad command line; sets help for --help.
    bool parse(int argc, char **argv, std::string *error, bool *help);
    static const char *usage();
};

} // namespace prc::bench
