// SPDX-License-Identifier: GPL-3.0-or-later
// SMTPD policy delegation request path: framing at the empty line, attribute parsing, the form body sent to
// the backend, and the sanitising of the backend's answer into one action line.
#include "fuzzcheck.h"
#include "protocol/policycodec.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstddef>
#include <cstdint>

using prc::Frame;
using prc::PolicyCodec;

namespace {

using prc::fuzz::Taken;

constexpr qsizetype MaxRequest = 2048;

QList<Taken> drain(QByteArray &buffer)
{
    return prc::fuzz::drainFrames(
        buffer, [](QByteArray &b) { return PolicyCodec::takeRequest(b, MaxRequest); },
        [](const QByteArray &before, const Frame &frame, const QByteArray &after) {
            const qsizetype consumed = before.size() - after.size();
            PRC_FUZZ_CHECK(frame.payload.size() <= MaxRequest);
            PRC_FUZZ_CHECK(before.startsWith(frame.payload));
            PRC_FUZZ_CHECK(!frame.payload.contains("\n\n") && !frame.payload.contains("\n\r\n"));
            // Only line breaks lie between the payload and the next request.
            const QByteArray separator = before.mid(frame.payload.size(), consumed - frame.payload.size());
            PRC_FUZZ_CHECK(separator.endsWith('\n'));
            for (const char c : separator)
                PRC_FUZZ_CHECK(c == '\r' || c == '\n');
        });
}

/// application/x-www-form-urlencoded, split back into its pairs.
PolicyCodec::Attributes formDecode(const QByteArray &body)
{
    PolicyCodec::Attributes out;
    if (body.isEmpty())
        return out;
    for (const QByteArray &pair : body.split('&')) {
        const qsizetype equals = pair.indexOf('=');
        PRC_FUZZ_CHECK(equals > 0);
        out.append({QByteArray::fromPercentEncoding(pair.left(equals)),
                    QByteArray::fromPercentEncoding(pair.mid(equals + 1))});
    }
    return out;
}

void checkRequest(const QByteArray &payload)
{
    QString error;
    const auto attributes = PolicyCodec::parseAttributes(payload, &error);
    if (!attributes) {
        PRC_FUZZ_CHECK(!error.isEmpty());
        return;
    }
    PRC_FUZZ_CHECK(!attributes->isEmpty());
    for (const auto &[name, value] : *attributes) {
        PRC_FUZZ_CHECK(!name.isEmpty() && !name.contains('=') && !name.contains('\n'));
        PRC_FUZZ_CHECK(!value.contains('\n'));
    }

    // The body only uses the form alphabet, and the backend decodes exactly the bytes Postfix sent.
    const QByteArray body = PolicyCodec::formEncode(*attributes);
    for (const char c : body) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                           || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '='
                           || c == '&';
        PRC_FUZZ_CHECK(plain);
    }
    PRC_FUZZ_CHECK(formDecode(body) == *attributes);

    // A client re-sending the attributes frames one request that parses to the same list.
    QByteArray wire = PolicyCodec::request(*attributes);
    const Frame frame = PolicyCodec::takeRequest(wire, wire.size());
    PRC_FUZZ_CHECK(frame.status == Frame::Status::Complete && wire.isEmpty());
    const auto again = PolicyCodec::parseAttributes(frame.payload, &error);
    PRC_FUZZ_CHECK(again.has_value());
    // parseAttributes drops one trailing CR per line, so only values without one survive unchanged.
    bool trailingCr = false;
    for (const auto &[name, value] : *attributes)
        trailingCr = trailingCr || value.endsWith('\r');
    if (!trailingCr)
        PRC_FUZZ_CHECK(*again == *attributes);
}

void checkAction(const QByteArray &body)
{
    // Whatever the backend answers becomes one printable line, or nothing (the caller then sends an error).
    const QByteArray action = PolicyCodec::firstLine(body);
    for (const char c : action)
        PRC_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    PRC_FUZZ_CHECK(action == action.trimmed());
    if (action.isEmpty())
        return;
    const QByteArray reply = PolicyCodec::reply(action);
    PRC_FUZZ_CHECK(reply.endsWith("\n\n") && reply.count('\n') == 2);
    QString error;
    const auto parsed = PolicyCodec::parseReply(reply.chopped(2), &error);
    PRC_FUZZ_CHECK(parsed && *parsed == action);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    prc::fuzz::checkStream(input, drain, checkRequest);

    checkAction(input);
    return 0;
}
