// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

namespace prc {

class ServiceApplication;

/// Exit codes of the service executable.
enum ExitCode { ExitOk = 0, ExitConfigError = 1, ExitUsage = 2, ExitStartError = 3 };

/// The whole program behind `postfix-rest-connector [options] CONFIG.json`: parses the command line, loads
/// and validates the config, listens, and runs the event loop until SIGTERM/SIGINT (or
/// ServiceApplication::shutdown()) has drained every endpoint. onStarted is called once everything listens
/// (platform service wrappers use it to learn the ServiceApplication they must stop).
int serviceMain(int argc, char **argv, const std::function<void(ServiceApplication *)> &onStarted = {});

} // namespace prc
