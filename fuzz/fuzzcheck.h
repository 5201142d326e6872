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

} // namespace prc::fuzz
