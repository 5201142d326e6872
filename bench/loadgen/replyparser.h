// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.h"

#include <cstddef>
#include <string>

namespace prc::bench {

/// Validates reply frames the way Postfix reads them.
class ReplyParser
{
public:
    struct Result
    {
        enum class Kind { Incomplete, Complete, Malformed };
        Kind kind = Kind::Incomplete;
        std::size_t consumed = 0; ///< bytes of the frame, for Complete
        std::string status;       ///< tcp "200", socketmap "OK", policy first word of the action
        std::string error;        ///< for Malformed
    };

    static Result parse(Mode mode, const char *data, std::size_t size);

    /// Whether status is an error by itself: tcp 4xx, socketmap TEMP/TIMEOUT/PERM.
    static bool isTemporaryFailure(Mode mode, const std::string &status);
};

} // namespace prc::bench
