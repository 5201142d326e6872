// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/endpointconfig.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace prc {

/// What one test lookup produced: the bytes on the wire, the decoded answer and what Postfix would make of
/// it.
struct LookupResult
{
    /// The answer in Postfix terms.
    enum class Meaning {
        NoAnswer,       ///< connection failed, timed out or closed early; error says which
        ProtocolError,  ///< a reply arrived but Postfix could not parse it
        Found,          ///< tcp 2xx, socketmap OK
        NotFound,       ///< tcp 5xx, socketmap NOTFOUND
        TemporaryError, ///< tcp 4xx, socketmap TEMP/TIMEOUT (or an unknown status word)
        PermanentError, ///< socketmap PERM
        PolicyAction,   ///< policy: value holds the action
    };

    EndpointMode mode = EndpointMode::TcpLookup;
    QByteArray sent;
    QByteArray received;
    QByteArray status; ///< "200", "OK", "NOTFOUND", "action", ...
    QByteArray value;  ///< decoded: tcp text, socketmap data, policy action
    Meaning meaning = Meaning::NoAnswer;
    double roundTripMs = -1; ///< from writing the request to reading the whole reply; -1 without a reply
    QString error;

    bool hasAnswer() const { return meaning != Meaning::NoAnswer && meaning != Meaning::ProtocolError; }

    /// Short label: "found", "not found", "temporary error", "permanent error", "policy action", ...
    static QString meaningName(Meaning meaning);
    /// One or two sentences on what Postfix does with this answer.
    QString explanation() const;

    /// Bytes as readable text: printable ASCII as is, \n \r \t and \xHH escapes; "\n" is followed by a line
    /// break.
    static QString escaped(const QByteArray &bytes);
};

} // namespace prc

Q_DECLARE_METATYPE(prc::LookupResult)
