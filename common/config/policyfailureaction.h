// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace prc {

/// The "failure-action" of a policy endpoint: which access(5) actions it may be, whether the request id and
/// reason can follow it, and what it costs when the backend is down. Shared by the loader, the admin tool and
/// the policy handler, so all three agree.
class PolicyFailureAction
{
public:
    enum class Risk {
        None,      ///< mail waits (4NN, DEFER, DEFER_IF_PERMIT, HOLD)
        FailsOpen, ///< mail passes without the policy check (OK, DUNNO, WARN, PREPEND, ...)
        Bounces,   ///< mail is rejected for good (5NN, REJECT)
        Discards,  ///< mail is accepted and thrown away (DISCARD)
    };

    /// Empty when `action` is usable, else what is wrong with it.
    static QString problem(const QString &action);
    /// True when text after the action reaches the client or the log (4NN, REJECT, DEFER, ...); false for
    /// OK, DUNNO and the actions whose argument is an address or a transport.
    static bool acceptsText(const QString &action);
    static Risk risk(const QString &action);
    /// A sentence for the warning the loader gives for a risky action; empty for Risk::None.
    static QString riskWarning(const QString &action);
};

} // namespace prc
