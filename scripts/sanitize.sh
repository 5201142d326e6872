#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan and runs the full
# ctest suite under them. Non-interactive; exits non-zero on a build failure, a failed test or any sanitizer
# report (every report aborts the process under test).
#   scripts/sanitize.sh [extra ctest arguments]     env: BUILD_DIR (build-asan), JOBS (2), CMAKE_ARGS
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-asan}
JOBS=${JOBS:-2}

for tool in cmake ninja; do
    command -v "$tool" >/dev/null || { echo "sanitize.sh: $tool is missing (apt-get install cmake ninja-build)" >&2; exit 2; }
done

echo "== configure $BUILD_DIR (address,undefined)"
# shellcheck disable=SC2086
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPRC_SANITIZE=address,undefined \
    -DPRC_BUILD_TESTS=ON -DPRC_BUILD_FUZZ=OFF ${CMAKE_ARGS:-}
echo "== build"
cmake --build "$BUILD_DIR" --parallel "$JOBS"

# halt_on_error: the first finding fails the test that triggered it, with its stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_init_order=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Leaks inside Qt's and the system libraries' own one-time allocations; see the file for why each is there.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0}
# Tests spawn the service executable and helpers: they inherit these, so their findings fail the test too.

echo "== ctest"
cd "$BUILD_DIR"
ctest --output-on-failure --parallel "$JOBS" "$@"
