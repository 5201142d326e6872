// SPDX-License-Identifier: GPL-3.0-or-later
#include "lookupresult.h"

namespace prc {
namespace {

/// access(5) actions grouped by what they do to the mail; the first word decides.
QString policyActionExplanation(const QByteArray &action)
{
    const QByteArray word = action.split(' ').value(0).toUpper();
    if (word.isEmpty())
        return QStringLiteral("An empty action: Postfix logs a warning and lets the mail pass. "
                              "The backend should never answer with an empty body.");
    if (word == "OK" || word == "PERMIT")
        return QStringLiteral(
            "Postfix accepts the recipient; later restrictions in the same list are skipped.");
    if (word == "DUNNO")
        return QStringLiteral("No decision: Postfix goes on with the next restriction.");
    if (word == "REJECT" || word.startsWith('5'))
        return QStringLiteral("Postfix rejects the request with a permanent (5xx) error.");
    if (word == "DEFER" || word.startsWith('4'))
        return QStringLiteral(
            "Postfix rejects the request with a temporary (4xx) error; the sender retries later.");
    if (word == "DEFER_IF_PERMIT" || word == "DEFER_IF_REJECT")
        return QStringLiteral(
            "Postfix defers the request only if a later restriction would permit (or reject) it.");
    if (word == "HOLD")
        return QStringLiteral("Postfix accepts the mail and puts it on the hold queue.");
    if (word == "DISCARD")
        return QStringLiteral("Postfix accepts the mail and silently discards it.");
    if (word == "PREPEND")
        return QStringLiteral("Postfix adds the header and goes on with the next restriction.");
    if (word == "REDIRECT" || word == "FILTER" || word == "BCC")
        return QStringLiteral("Postfix accepts the mail and changes its routing (%1).")
            .arg(QString::fromLatin1(word).toLower());
    return QStringLiteral("Postfix applies this access(5) action.");
}

} // namespace

QString LookupResult::meaningName(Meaning meaning)
{
    switch (meaning) {
    case Meaning::NoAnswer:
        return QStringLiteral("no answer");
    case Meaning::ProtocolError:
        return QStringLiteral("malformed reply");
    case Meaning::Found:
        return QStringLiteral("found");
    case Meaning::NotFound:
        return QStringLiteral("not found");
    case Meaning::TemporaryError:
        return QStringLiteral("temporary error");
    case Meaning::PermanentError:
        return QStringLiteral("permanent error");
    case Meaning::PolicyAction:
        return QStringLiteral("policy action");
    }
    return {};
}

QString LookupResult::explanation() const
{
    switch (meaning) {
    case Meaning::NoAnswer:
        if (mode == EndpointMode::Policy)
            return QStringLiteral("Postfix would retry and then apply smtpd_policy_service_default_action "
                                  "(by default \"451 4.3.5 Server configuration problem\").");
        return QStringLiteral("Postfix would log a lookup error and defer the mail "
                              "(\"451 4.3.0 Temporary lookup failure\").");
    case Meaning::ProtocolError:
        return QStringLiteral("Postfix could not parse this reply; it treats it as a temporary failure.");
    case Meaning::Found:
        return QStringLiteral("Postfix uses the value as the table's result.");
    case Meaning::NotFound:
        return QStringLiteral("Postfix continues as if the table had no entry for this key.");
    case Meaning::TemporaryError:
        return QStringLiteral("Postfix defers the mail (\"451 4.3.0 Temporary lookup failure\"); "
                              "the sender retries later.");
    case Meaning::PermanentError:
        return QStringLiteral("Postfix treats this as a configuration error and defers the mail "
                              "(\"451 4.3.5 Server configuration error\"); nothing bounces.");
    case Meaning::PolicyAction:
        return policyActionExplanation(value);
    }
    return {};
}

QString LookupResult::escaped(const QByteArray &bytes)
{
    QString out;
    out.reserve(bytes.size() + 16);
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        switch (byte) {
        case '\n':
            out += QLatin1String("\\n\n");
            break;
        case '\r':
            out += QLatin1String("\\r");
            break;
        case '\t':
            out += QLatin1String("\\t");
            break;
        case '\\':
            out += QLatin1String("\\\\");
            break;
        default:
            if (byte < 0x20 || byte >= 0x7f)
                out += QStringLiteral("\\x%1").arg(byte, 2, 16, QLatin1Char('0'));
            else
                out += QLatin1Char(c);
        }
    }
    return out;
}

} // namespace prc
