// SPDX-License-Identifier: GPL-3.0-or-later
// prc-loadgen: closed-loop load generator for the three Postfix protocols the connector speaks.
#include "loadgenerator.h"
#include "options.h"
#include "selftest.h"
#include "stubserver.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <sys/resource.h>
#include <unistd.h>

namespace {

std::atomic<bool> g_stop{false};

void onSignal(int)
{
    g_stop = true;
}

/// Each connection is a descriptor; 1000 of them exceed the usual soft limit of 1024 with the rest.
void raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int main(int argc, char **argv)
{
    using namespace prc::bench;
    Options options;
    std::string error;
    bool help = false;
    if (!options.parse(argc, argv, &error, &help)) {
        std::fprintf(stderr, "prc-loadgen: %s\n%s", error.c_str(), Options::usage());
        return 2;
    }
    if (help) {
        std::fputs(Options::usage(), stdout);
        return 0;
    }
    raiseDescriptorLimit();
    std::signal(SIGPIPE, SIG_IGN);
    try {
        if (options.selfTest)
            return SelfTest::run() == 0 ? 0 : 1;
        if (options.serve) {
            StubServer server(options.mode, options.serveBad);
            if (!server.listen(options.port)) {
                std::perror("prc-loadgen: listen");
                return 1;
            }
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            std::printf("{\"event\":\"serving\",\"mode\":\"%s\",\"port\":%u}\n", modeName(options.mode),
                        server.port());
            std::fflush(stdout);
            server.run(g_stop);
            return 0;
        }
        LoadGenerator generator(options);
        const auto report = generator.run([&](const LoadGenerator::Report &ready) {
            if (options.idle > 0) {
                // Scripts wait for this line before they read the server's memory.
                std::printf("{\"event\":\"idle-ready\",\"connections\":%d,\"ready\":%d,\"ready_s\":%.3f}\n",
                            ready.connections, ready.ready, ready.readySeconds);
                std::fflush(stdout);
            }
        });
        if (!options.quiet)
            std::fputs(report.toText().c_str(), stderr);
        std::printf("%s\n", report.toJson().c_str());
        const bool ok = report.errorTotal() == 0 && report.ready == report.connections;
        return ok ? 0 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "prc-loadgen: %s\n", e.what());
        return 2;
    }
}
