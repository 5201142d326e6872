// SPDX-License-Identifier: GPL-3.0-or-later
// socketmap_table(5) request path: netstring framing with a length limit, then "name key".
#include "fuzzcheck.h"
#include "protocol/netstring.h"
#include "protocol/socketmapcodec.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstddef>
#include <cstdint>

using prc::Frame;
using prc::Netstring;
using prc::SocketmapCodec;

namespace {

using prc::fuzz::Taken;

constexpr qsizetype MaxLength = 1000;

QList<Taken> drain(QByteArray &buffer)
{
    return prc::fuzz::drainFrames(
        buffer, [](QByteArray &b) { return Netstring::take(b, MaxLength); },
        [](const QByteArray &before, const Frame &frame, const QByteArray &after) {
            const qsizetype consumed = before.size() - after.size();
            PRC_FUZZ_CHECK(frame.payload.size() <= MaxLength);
            // The frame was exactly "LEN:payload," with LEN the payload's length (leading zeros allowed).
            const qsizetype colon = before.indexOf(':');
            PRC_FUZZ_CHECK(colon > 0 && consumed == colon + 1 + frame.payload.size() + 1);
            PRC_FUZZ_CHECK(before.left(colon).toLongLong() == frame.payload.size());
            PRC_FUZZ_CHECK(before.mid(colon + 1, frame.payload.size()) == frame.payload);
            PRC_FUZZ_CHECK(before.at(consumed - 1) == ',');
        });
}

void checkRequest(const QByteArray &payload)
{
    QString error;
    const auto request = SocketmapCodec::parseRequest(payload, &error);
    if (!request) {
        PRC_FUZZ_CHECK(!error.isEmpty());
        return;
    }
    PRC_FUZZ_CHECK(!request->name.isEmpty() && !request->name.contains(' '));
    PRC_FUZZ_CHECK(request->name + ' ' + request->key == payload);
    // What a client would send for it frames and parses back to the same request.
    QByteArray wire = SocketmapCodec::request(request->name, request->key);
    const Frame frame = Netstring::take(wire, payload.size());
    PRC_FUZZ_CHECK(frame.status == Frame::Status::Complete && wire.isEmpty());
    const auto again = SocketmapCodec::parseRequest(frame.payload, &error);
    PRC_FUZZ_CHECK(again && again->name == request->name && again->key == request->key);
}

void checkCodec(const QByteArray &raw)
{
    // take(encode(x)) == x, and the limit is exact.
    QByteArray wire = Netstring::encode(raw);
    const Frame frame = Netstring::take(wire, raw.size());
    PRC_FUZZ_CHECK(frame.status == Frame::Status::Complete && frame.payload == raw && wire.isEmpty());
    if (!raw.isEmpty()) {
        QByteArray tooLong = Netstring::encode(raw);
        PRC_FUZZ_CHECK(Netstring::take(tooLong, raw.size() - 1).status == Frame::Status::Invalid);
    }
    // Every proper prefix of a netstring is incomplete, never invalid or complete.
    const QByteArray encoded = Netstring::encode(raw);
    QByteArray prefix =
        encoded.left(raw.isEmpty() ? 0 : static_cast<unsigned char>(raw.at(0)) % encoded.size());
    PRC_FUZZ_CHECK(Netstring::take(prefix, raw.size()).status == Frame::Status::Incomplete);

    // Replies carry any bytes and parse back.
    QByteArray ok = SocketmapCodec::ok(raw);
    const Frame reply = Netstring::take(ok, SocketmapCodec::MaxReplySize + 1000000);
    PRC_FUZZ_CHECK(reply.status == Frame::Status::Complete);
    const auto parsed = SocketmapCodec::parseReply(reply.payload);
    PRC_FUZZ_CHECK(parsed.status == "OK" && parsed.data == raw);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    prc::fuzz::checkStream(input, drain, checkRequest);

    checkCodec(input);
    return 0;
}
