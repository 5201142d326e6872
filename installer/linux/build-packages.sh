#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The release build of the Linux packages, exactly as docs/installing.md documents it and as
# tests/package/deb-test.sh (CI) builds and tests it: Debian's build flags with every hardening feature
# (DEB_BUILD_MAINT_OPTIONS=hardening=+all: fortify, stack protector, PIE, RELRO and BIND_NOW), one optimisation
# level (dpkg-buildflags' -O2; CMake's Release flags are reduced to -DNDEBUG), prefix /usr, then CPack.
#
# Usage: installer/linux/build-packages.sh BUILD_DIR [CMAKE_ARGUMENT...]
# Environment:
#   PRC_PACKAGE_GENERATORS   CPack generators (default "DEB"; e.g. "DEB;TGZ;RPM")
#   PRC_BUILD_JOBS           parallel build jobs (default: number of CPUs)
# The packages are written to BUILD_DIR.
set -euo pipefail

if (($# < 1)); then
    sed -n '4,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$1
shift
GENERATORS=${PRC_PACKAGE_GENERATORS:-DEB}
JOBS=${PRC_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}

command -v dpkg-buildflags >/dev/null || {
    echo "build-packages.sh: dpkg-buildflags not found (apt-get install dpkg-dev)" >&2
    exit 1
}
export DEB_BUILD_MAINT_OPTIONS="hardening=+all"
cxxflags="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)

cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-DNDEBUG \
    -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" -DCMAKE_SHARED_LINKER_FLAGS="$ldflags" \
    -DPRC_BUILD_TESTS=OFF -DPRC_BUILD_BENCH=OFF -DPRC_BUILD_FUZZ=OFF "$@"
cmake --build "$BUILD" -j "$JOBS"
(cd "$BUILD" && cpack -G "$GENERATORS")
