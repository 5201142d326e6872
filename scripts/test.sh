#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds everything (service, admin GUI, example backend, tests) and runs the whole test suite with ctest.
# Installs missing Debian packages when run as root.
#
# Usage: scripts/test.sh            (build directory: build/, or $PRC_BUILD_DIR)
#
# The build directory may have been configured before with parts switched off (scripts/demo.sh turns the tests,
# the GUI and the bench off in a fresh build/): the options below are forced on every run, so the whole suite is
# built whatever ran first, and ctest fails when it finds no tests instead of passing on an empty run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${PRC_BUILD_DIR:-$ROOT/build}
JOBS=${PRC_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}

# shellcheck source=scripts/packages.sh
source "$ROOT/scripts/packages.sh"
"$ROOT/scripts/ensure-packages.sh" "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"

configure=(cmake -S "$ROOT" -B "$BUILD_DIR" -DPRC_BUILD_TESTS=ON -DPRC_BUILD_GUI=ON -DPRC_BUILD_EXAMPLES=ON
    -DPRC_BUILD_BENCH=ON)
if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
    # Generator and build type can only be chosen for a new build tree; an existing one keeps its own.
    configure+=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
    command -v ccache >/dev/null && configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
"${configure[@]}"
cmake --build "$BUILD_DIR" -j "$JOBS"
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j "$JOBS"
