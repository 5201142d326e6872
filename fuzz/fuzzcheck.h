// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/frame.h"

#include <QByteArray>
#include <QList>

#include <cstdio>
#include <cstdlib>

/// A property check that stays on in release builds (assert() is compiled out by NDEBUG); abort() is what
/// libFuzzer reports as a crash, with the input saved.
#define PRC_FUZZ_CHECK(condition)                                                                            \
    do {                                                                                                     \
        if (!(condition)) {                                                                                  \
            std::fprintf(stderr, "property violated: %s (%s:%d)\n", #condition, __FILE__, __LINE__);         \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)

namespace prc::fuzz {

/// One framer result, as the drain functions of the targets collect them.
struct Taken
{
    Frame::Status status;
    QByteArray payload;
};

/// Takes frames from the front of `buffer` with `take` until one is not Complete, and checks the contract
/// every framer shares: nothing is consumed unless a frame is complete, and Invalid says why. The framer's
/// own promises are checked by `checkComplete(before, frame, after)` for every complete frame (`after` is
/// what is left in the buffer).
template<typename Take, typename CheckComplete>
QList<Taken> drainFrames(QByteArray &buffer, Take take, CheckComplete checkComplete)
{
    QList<Taken> frames;
    for (;;) {
        const QByteArray before = buffer;
        const Frame frame = take(buffer);
        frames.append({frame.status, frame.payload});
        if (frame.status != Frame::Status::Complete) {
            PRC_FUZZ_CHECK(buffer == before);
            PRC_FUZZ_CHECK(frame.status == Frame::Status::Incomplete || !frame.error.isEmpty());
            return frames;
        }
        checkComplete(before, frame, buffer);
    }
}

/// Reads may split the stream anywhere: feeding `input` in chunks of `chunk` bytes must give the same frames
/// as feeding it whole (`whole`, from the same `drain`). `drain` takes every frame it can from a buffer and
/// ends its list with the first non-Complete result.
template<typename Drain>
void checkSplitInvariance(const QByteArray &input, const QList<Taken> &whole, qsizetype chunk, Drain drain)
{
    QByteArray buffer;
    QList<Taken> pieces;
    for (qsizetype offset = 0; offset < input.size(); offset += chunk) {
        buffer.append(input.mid(offset, chunk));
        QList<Taken> got = drain(buffer);
        const bool stop = got.last().status == Frame::Status::Invalid;
        if (!stop)
            got.removeLast();
        pieces.append(got);
        if (stop)
            break;
    }
    if (pieces.isEmpty() || pieces.last().status != Frame::Status::Invalid)
        pieces.append({Frame::Status::Incomplete, {}});
    PRC_FUZZ_CHECK(pieces.size() == whole.size());
    for (qsizetype i = 0; i < whole.size(); ++i) {
        PRC_FUZZ_CHECK(pieces.at(i).status == whole.at(i).status);
        PRC_FUZZ_CHECK(pieces.at(i).payload == whole.at(i).payload);
    }
}

/// The stream part of every protocol target: frame the whole input, check each complete request with
/// `checkRequest`, and check that a split chosen by the input's first byte frames it alike.
template<typename Drain, typename CheckRequest>
void checkStream(const QByteArray &input, Drain drain, CheckRequest checkRequest)
{
    QByteArray whole = input;
    const QList<Taken> frames = drain(whole);
    for (const Taken &frame : frames) {
        if (frame.status == Frame::Status::Complete)
            checkRequest(frame.payload);
    }
    if (input.size() > 1)
        checkSplitInvariance(input, frames, 1 + static_cast<unsigned char>(input.at(0)) % 61, drain);
}

} // namespace prc::fuzz
