// SPDX-License-Identifier: GPL-3.0-or-later
// tcp_table(5) request path: framing a stream into lines, parsing "get KEY", and the %XX codec.
#include "fuzzcheck.h"
#include "protocol/tcptablecodec.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstddef>
#include <cstdint>

using prc::Frame;
using prc::TcpTableCodec;

namespace {

using prc::fuzz::Taken;

constexpr qsizetype MaxLine = 2048;

/// Takes frames until one is incomplete or invalid, checking what the framer promises about the buffer.
QList<Taken> drain(QByteArray &buffer)
{
    return prc::fuzz::drainFrames(
        buffer, [](QByteArray &b) { return TcpTableCodec::takeLine(b, MaxLine); },
        [](const QByteArray &before, const Frame &frame, const QByteArray &after) {
            const qsizetype consumed = before.size() - after.size();
            PRC_FUZZ_CHECK(!frame.payload.contains('\n'));
            PRC_FUZZ_CHECK(frame.payload.size() <= MaxLine);
            // Exactly the line, its optional CR and the newline were removed from the front.
            // Only one CR before the newline is dropped; a second one belongs to the line (Postfix would send
            // %0D).
            PRC_FUZZ_CHECK(
                consumed == frame.payload.size() + 1
                || (consumed == frame.payload.size() + 2 && before.at(frame.payload.size()) == '\r'));
            PRC_FUZZ_CHECK(before.startsWith(frame.payload));
            PRC_FUZZ_CHECK(before.mid(consumed) == after);
        });
}

void checkRequest(const QByteArray &line)
{
    QString error;
    const auto request = TcpTableCodec::parseRequest(line, &error);
    if (!request) {
        PRC_FUZZ_CHECK(!error.isEmpty());
        return;
    }
    // What a client would send for this key parses back to the same key.
    const QByteArray wire = TcpTableCodec::requestLine(request->key);
    QByteArray buffer = wire;
    const Frame frame = TcpTableCodec::takeLine(buffer, wire.size());
    PRC_FUZZ_CHECK(frame.status == Frame::Status::Complete && buffer.isEmpty());
    const auto again = TcpTableCodec::parseRequest(frame.payload, &error);
    PRC_FUZZ_CHECK(again && again->key == request->key);
}

void checkCodec(const QByteArray &raw)
{
    const QByteArray encoded = TcpTableCodec::encode(raw);
    for (const char c : encoded) {
        const auto byte = static_cast<unsigned char>(c);
        PRC_FUZZ_CHECK(byte > 0x20 && byte < 0x7f); // no whitespace or control bytes on the wire
    }
    const auto decoded = TcpTableCodec::decode(encoded);
    PRC_FUZZ_CHECK(decoded && *decoded == raw);

    // A reply carrying raw as text is one line that parses back to raw.
    const QByteArray reply = TcpTableCodec::reply(200, raw);
    PRC_FUZZ_CHECK(reply.endsWith('\n') && reply.count('\n') == 1);
    QString error;
    const auto parsed = TcpTableCodec::parseReply(reply.chopped(1), &error);
    PRC_FUZZ_CHECK(parsed && parsed->code == 200 && parsed->text == raw);

    // Decoding arbitrary text never yields more bytes than it was given.
    if (const auto any = TcpTableCodec::decode(raw))
        PRC_FUZZ_CHECK(any->size() <= raw.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    prc::fuzz::checkStream(input, drain, checkRequest);

    checkCodec(input);
    return 0;
}
