// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace prc::bench {

/// Checks the reply validation and runs the load generator against its own stub server, good and malformed,
/// in every mode. Returns the number of failed checks.
class SelfTest
{
public:
    static int run();
};

} // namespace prc::bench
