#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds everything (service, admin GUI, example backend, tests) and runs the whole test suite with ctest.
# Installs missing Debian packages when run as root.
#
# Usage: scripts/test.sh            (build directory: build/, or $PRC_BUILD_DIR)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${PRC_BUILD_DIR:-$ROOT/build}
JOBS=${PRC_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}

# shellcheck source=scripts/packages.sh
source "$ROOT/scripts/packages.sh"
"$ROOT/scripts/ensure-packages.sh" "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"

cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j "$JOBS"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
