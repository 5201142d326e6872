// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.h"

#include <string>

namespace prc::bench {

/// The bytes Postfix would send for one lookup of key in each mode.
class RequestBuilder
{
public:
    static std::string build(Mode mode, const std::string &key, const std::string &map,
                             const std::string &path = "/lookup");

    /// Postfix's hex_quote(): '%', whitespace, control and non-ASCII bytes become %XX.
    static std::string hexQuote(const std::string &raw);
};

} // namespace prc::bench
