// SPDX-License-Identifier: GPL-3.0-or-later
#include "options.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace prc::bench {
namespace {

bool toNumber(const char *text, double *out)
{
    char *end = nullptr;
    *out = std::strtod(text, &end);
    return end != text && *end == '\0';
}

} // namespace

const char *modeName(Mode mode)
{
    switch (mode) {
    case Mode::Tcp:
        return "tcp";
    case Mode::Socketmap:
        return "socketmap";
    case Mode::Policy:
        return "policy";
    case Mode::Http:
        return "http";
    }
    return "?";
}

const char *Options::usage()
{
    return "usage: prc-loadgen --mode tcp|socketmap|policy|http --host ADDR --port P --connections C "
           "--duration "
           "S\n"
           "                   [--key K] [--keys N] [--map NAME] [--expect STATUS] [--timeout MS] "
           "[--ready-timeout S] "
           "[--quiet]\n"
           "       (http: GET PATH?key=KEY over keep-alive HTTP/1.1, --path /lookup; a reference for the "
           "backend)\n"
           "       prc-loadgen --mode M --port P --idle C --hold S [--no-idle-request] [--idle-concurrency "
           "N]\n"
           "       prc-loadgen --serve --mode M --port P [--bad]     stub server on 127.0.0.1, for trying it "
           "out\n"
           "       prc-loadgen --self-test\n"
           "Closed loop: each connection has one request outstanding, as Postfix does. The last line printed "
           "is JSON.\n";
}

bool Options::parse(int argc, char **argv, std::string *error, bool *help)
{
    *help = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](const char **out) {
            if (i + 1 >= argc) {
                *error = "missing value for " + arg;
                return false;
            }
            *out = argv[++i];
            return true;
        };
        auto number = [&](double *out) {
            const char *text = nullptr;
            if (!value(&text))
                return false;
            if (!toNumber(text, out)) {
                *error = "not a number for " + arg + ": " + text;
                return false;
            }
            return true;
        };
        const char *text = nullptr;
        double n = 0;
        if (arg == "--help" || arg == "-h") {
            *help = true;
            return true;
        } else if (arg == "--mode") {
            if (!value(&text))
                return false;
            if (std::strcmp(text, "tcp") == 0)
                mode = Mode::Tcp;
            else if (std::strcmp(text, "socketmap") == 0)
                mode = Mode::Socketmap;
            else if (std::strcmp(text, "policy") == 0)
                mode = Mode::Policy;
            else if (std::strcmp(text, "http") == 0)
                mode = Mode::Http;
            else {
                *error = std::string("unknown mode: ") + text;
                return false;
            }
        } else if (arg == "--host") {
            if (!value(&text))
                return false;
            host = text;
        } else if (arg == "--port") {
            if (!number(&n))
                return false;
            if (n < 0 || n > 65535) {
                *error = "port out of range";
                return false;
            }
            port = static_cast<std::uint16_t>(n);
        } else if (arg == "--connections" || arg == "-c") {
            if (!number(&n))
                return false;
            connections = static_cast<int>(n);
        } else if (arg == "--duration" || arg == "-d") {
            if (!number(&duration))
                return false;
        } else if (arg == "--key") {
            if (!value(&text))
                return false;
            key = text;
        } else if (arg == "--keys") {
            if (!number(&n) || n < 1)
                return false;
            keys = static_cast<int>(n);
        } else if (arg == "--map") {
            if (!value(&text))
                return false;
            map = text;
        } else if (arg == "--path") {
            if (!value(&text))
                return false;
            path = text;
        } else if (arg == "--expect") {
            if (!value(&text))
                return false;
            expect = text;
        } else if (arg == "--timeout") {
            if (!number(&n))
                return false;
            timeoutMs = static_cast<int>(n);
        } else if (arg == "--ready-timeout") {
            if (!number(&readyTimeout))
                return false;
        } else if (arg == "--idle") {
            if (!number(&n))
                return false;
            idle = static_cast<int>(n);
        } else if (arg == "--hold") {
            if (!number(&hold))
                return false;
        } else if (arg == "--idle-concurrency") {
            if (!number(&n))
                return false;
            idleConcurrency = std::max(1, static_cast<int>(n));
        } else if (arg == "--no-idle-request") {
            idleRequest = false;
        } else if (arg == "--self-test") {
            selfTest = true;
        } else if (arg == "--serve") {
            serve = true;
        } else if (arg == "--bad") {
            serveBad = true;
        } else if (arg == "--quiet" || arg == "-q") {
            quiet = true;
        } else {
            *error = "unknown argument: " + arg;
            return false;
        }
    }
    if (selfTest)
        return true;
    if (port == 0 && !serve) {
        *error = "--port is required";
        return false;
    }
    if (idle < 0 || connections < 1 || duration <= 0 || timeoutMs <= 0) {
        *error = "--connections, --duration and --timeout must be positive";
        return false;
    }
    if (mode == Mode::Socketmap && map.find(' ') != std::string::npos) {
        *error = "--map must not contain a space";
        return false;
    }
    return true;
}

} // namespace prc::bench
