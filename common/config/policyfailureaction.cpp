// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/policyfailureaction.h"

#include <QStringList>

namespace prc {
namespace {

struct Known
{
    const char *name;
    enum { NoText, OptionalText, Argument } text;
    PolicyFailureAction::Risk risk;
};

using Risk = PolicyFailureAction::Risk;

// access(5), Postfix 3.x. The "restriction..." form and the all-numerical OK are left out: as a failure
// action they would only hide a typo.
const Known KnownActions[] = {
    {"OK", Known::NoText, Risk::FailsOpen},
    {"DUNNO", Known::NoText, Risk::FailsOpen},
    {"REJECT", Known::OptionalText, Risk::Bounces},
    {"DEFER", Known::OptionalText, Risk::None},
    {"DEFER_IF_REJECT", Known::OptionalText, Risk::FailsOpen},
    {"DEFER_IF_PERMIT", Known::OptionalText, Risk::None},
    {"HOLD", Known::OptionalText, Risk::None},
    {"DISCARD", Known::OptionalText, Risk::Discards},
    {"WARN", Known::OptionalText, Risk::FailsOpen},
    {"INFO", Known::OptionalText, Risk::FailsOpen},
    {"PREPEND", Known::Argument, Risk::FailsOpen},
    {"BCC", Known::Argument, Risk::FailsOpen},
    {"FILTER", Known::Argument, Risk::FailsOpen},
    {"REDIRECT", Known::Argument, Risk::FailsOpen},
};

QString firstWord(const QString &action)
{
    return action.section(QLatin1Char(' '), 0, 0, QString::SectionSkipEmpty);
}

bool hasText(const QString &action)
{
    return !action.trimmed().section(QLatin1Char(' '), 1, -1, QString::SectionSkipEmpty).isEmpty();
}

/// 4NN or 5NN; returns '4', '5' or 0.
char smtpClass(const QString &word)
{
    if (word.size() != 3 || !word.at(1).isDigit() || !word.at(2).isDigit())
        return 0;
    if (word.at(0) == QLatin1Char('4'))
        return '4';
    if (word.at(0) == QLatin1Char('5'))
        return '5';
    return 0;
}

const Known *find(const QString &word)
{
    for (const Known &known : KnownActions) {
        if (word.compare(QLatin1String(known.name), Qt::CaseInsensitive) == 0)
            return &known;
    }
    return nullptr;
}

} // namespace

QString PolicyFailureAction::problem(const QString &action)
{
    if (action.trimmed().isEmpty())
        return QStringLiteral("must not be empty");
    if (action.contains(QLatin1Char('\n')) || action.contains(QLatin1Char('\r')))
        return QStringLiteral("must be a single line");
    if (action != action.trimmed())
        return QStringLiteral("must not start or end with white space");
    if (action.size() > 512)
        return QStringLiteral("is longer than 512 characters");
    const QString word = firstWord(action);
    if (smtpClass(word))
        return {};
    if (word.at(0).isDigit())
        return QStringLiteral("\"%1\" is not an SMTP code Postfix accepts here (4NN or 5NN)").arg(word);
    const Known *known = find(word);
    if (!known)
        return QStringLiteral("\"%1\" is not a Postfix access(5) action; use e.g. \"451 4.3.0\", \"DEFER\", "
                              "\"DEFER_IF_PERMIT\", \"REJECT\" or \"DUNNO\"")
            .arg(word);
    if (known->text == Known::NoText && hasText(action))
        return QStringLiteral("%1 takes no text").arg(word);
    if (known->text == Known::Argument && !hasText(action))
        return QStringLiteral("%1 needs an argument").arg(word);
    return {};
}

bool PolicyFailureAction::acceptsText(const QString &action)
{
    const QString word = firstWord(action);
    if (smtpClass(word))
        return true;
    const Known *known = find(word);
    // PREPEND's argument is a header whose value may go on; an address or a transport may not.
    return known
           && (known->text == Known::OptionalText
               || word.compare(QLatin1String("PREPEND"), Qt::CaseInsensitive) == 0);
}

PolicyFailureAction::Risk PolicyFailureAction::risk(const QString &action)
{
    const QString word = firstWord(action);
    if (const char c = smtpClass(word))
        return c == '5' ? Risk::Bounces : Risk::None;
    const Known *known = find(word);
    return known ? known->risk : Risk::None;
}

QString PolicyFailureAction::riskWarning(const QString &action)
{
    switch (risk(action)) {
    case Risk::None:
        break;
    case Risk::FailsOpen:
        return QStringLiteral("\"%1\" fails open: while the backend fails, mail passes without the policy "
                              "check")
            .arg(action);
    case Risk::Bounces:
        return QStringLiteral("\"%1\" rejects for good: while the backend fails, mail bounces").arg(action);
    case Risk::Discards:
        return QStringLiteral("\"%1\" discards: while the backend fails, mail is accepted and thrown away")
            .arg(action);
    }
    return {};
}

} // namespace prc
