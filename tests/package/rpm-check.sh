#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What of the RPM packages can be checked on Debian (no RPM-based distribution here):
#  1. CPack builds them from the release build (installer/linux/build-packages.sh; an existing build directory,
#     e.g. the one tests/package/deb-test.sh left, is reused), and rpmlint reports no errors (deliberate
#     findings are filtered, with their reasons, in installer/linux/rpm/rpmlint.toml);
#  2. their headers and file lists: the scriptlets are all there, no Debian-only file is shipped, the config is
#     %config(noreplace), the admin package's group is Applications/System;
#  3. every scriptlet runs (as /bin/sh, the way rpm runs it) for a first installation, an upgrade and a removal,
#     in a private mount namespace (a tmpfs on /run) where /run/systemd/system exists or not, with a systemctl, useradd and getent on PATH
#     that record their calls: the calls are what Fedora's systemd macros make, and the service is never started
#     by an installation. Without /run/systemd/system they call no systemctl at all.
# Not checked: rpm -i / -U / -e on a real RPM system.
#
# Usage (as root: unshare):  tests/package/rpm-check.sh
# Environment: PRC_RPM_BUILD_DIR (default <source>/build-deb-test), PRC_RPM_JOBS (default 2)
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero when anything failed.
set -uo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${PRC_RPM_BUILD_DIR:-$SRC/build-deb-test}"
JOBS="${PRC_RPM_JOBS:-2}"
UNIT=postfix-rest-connector.service
passed=0
failed=0
WORK="$(mktemp -d /tmp/prc-rpm-check.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() {
    local description="$1"
    shift
    if "$@"; then pass "$description"; else fail "$description"; fi
}
finish() {
    echo
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

if ! command -v rpmbuild >/dev/null || ! command -v rpmlint >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
            rpm rpmlint >"$WORK/apt.log" 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive \
                apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends rpm rpmlint >"$WORK/apt.log" 2>&1; }
    fi
fi
command -v rpmbuild >/dev/null || { fail "rpmbuild not available (apt-get install rpm)"; finish; }

# --- 1. build ------------------------------------------------------------------------------------------------
rm -f "$BUILD"/*.rpm
if [ -f "$BUILD/CMakeCache.txt" ] && [ -x "$BUILD/service/postfix-rest-connector" ]; then
    build=(bash -c 'cmake --build "$1" -j "$2" && cd "$1" && cpack -G RPM' _ "$BUILD" "$JOBS")
else
    build=(env PRC_BUILD_JOBS="$JOBS" PRC_PACKAGE_GENERATORS=RPM "$SRC/installer/linux/build-packages.sh" "$BUILD")
fi
if "${build[@]}" >"$WORK/build.log" 2>&1; then
    pass "cpack -G RPM"
else
    tail -40 "$WORK/build.log"
    fail "cpack -G RPM"
    finish
fi
RPM="$(ls "$BUILD"/postfix-rest-connector-[0-9]*.rpm 2>/dev/null | head -1)"
ADMIN_RPM="$(ls "$BUILD"/postfix-rest-connector-admin-[0-9]*.rpm 2>/dev/null | head -1)"
[ -f "$RPM" ] || { fail "service RPM built"; finish; }
echo "---- packages: $(basename "$RPM") ${ADMIN_RPM:+$(basename "$ADMIN_RPM")}"

if command -v rpmlint >/dev/null; then
    for rpm in "$RPM" $ADMIN_RPM; do
        rpmlint -c "$SRC/installer/linux/rpm/rpmlint.toml" "$rpm" >"$WORK/rpmlint.log" 2>&1
        echo "---- rpmlint $(basename "$rpm"):"
        sed 's/^/    /' "$WORK/rpmlint.log"
        check "rpmlint: no errors in $(basename "$rpm")" sh -c "! grep -q ': E: ' '$WORK/rpmlint.log'"
    done
else
    fail "rpmlint not available"
fi

# --- 2. headers and file lists -------------------------------------------------------------------------------
files="$(rpm -qpl "$RPM" 2>/dev/null)"
check "service RPM ships the daemon, unit and example" sh -c "printf '%s\n' \"\$1\" | grep -qx /usr/bin/postfix-rest-connector &&
    printf '%s\n' \"\$1\" | grep -q '/systemd/system/$UNIT\$' &&
    printf '%s\n' \"\$1\" | grep -qx /usr/share/postfix-rest-connector/config.example.json" _ "$files"
for rpm in "$RPM" $ADMIN_RPM; do
    check "$(basename "$rpm") ships no Debian-only file (changelog.Debian, lintian overrides)" sh -c \
        "! rpm -qpl '$rpm' 2>/dev/null | grep -E 'changelog\.Debian|/lintian/'"
done
check "config is %config(noreplace), root:postfix-rest-connector 0640" sh -c \
    "rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags} %{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME}\n]' '$RPM' 2>/dev/null |
     grep -qx '/etc/postfix-rest-connector/config.json cn -rw-r----- root:postfix-rest-connector'"
for tag in PREIN POSTIN PREUN POSTUN; do
    rpm -qp --qf "%{$tag}" "$RPM" >"$WORK/$tag.sh" 2>/dev/null
    check "service RPM has a %${tag,,} scriptlet" sh -c "[ -s '$WORK/$tag.sh' ] && ! grep -qx '(none)' '$WORK/$tag.sh'"
done
check "service RPM requires diffutils (cmp, for the example guard)" sh -c "rpm -qpR '$RPM' 2>/dev/null | grep -q '^diffutils'"
if [ -n "$ADMIN_RPM" ]; then
    check "admin RPM group is Applications/System" test "$(rpm -qp --qf '%{GROUP}' "$ADMIN_RPM" 2>/dev/null)" = "Applications/System"
fi

# --- 3. scriptlets -------------------------------------------------------------------------------------------
STUBS="$WORK/stubs"
mkdir -p "$STUBS"
for tool in systemctl useradd; do
    printf '#!/bin/sh\necho "%s $*" >>"$PRC_CALLS"\n' "$tool" >"$STUBS/$tool"
done
# getent: the user exists when PRC_USER_EXISTS=1.
printf '#!/bin/sh\n[ "${PRC_USER_EXISTS:-0}" = 1 ]\n' >"$STUBS/getent"
chmod +x "$STUBS"/*

# scriptlet TAG ARG SYSTEMD(yes|no) [USER_EXISTS]: runs the scriptlet, prints its calls one per line.
scriptlet() {
    local tag=$1 arg=$2 systemd=$3 exists=${4:-0}
    : >"$WORK/calls"
    unshare --mount sh -c '
        mount -t tmpfs none /run || exit 99
        if [ "$1" = yes ]; then mkdir -p /run/systemd/system; fi
        PATH="$2:$PATH" PRC_CALLS="$3" PRC_USER_EXISTS="$4" sh "$5" "$6"' _ \
        "$systemd" "$STUBS" "$WORK/calls" "$exists" "$WORK/$tag.sh" "$arg" >"$WORK/out" 2>&1
    local status=$?
    [ "$status" -eq 0 ] || echo "exit $status: $(cat "$WORK/out")"
    cat "$WORK/calls"
}
expect_calls() { # DESCRIPTION EXPECTED TAG ARG SYSTEMD [USER_EXISTS]
    local description=$1 expected=$2 actual
    shift 2
    actual="$(scriptlet "$@")"
    if [ "$actual" = "$expected" ]; then
        pass "$description: ${actual:-(no calls)}"
    else
        fail "$description: expected '${expected:-(no calls)}', got '${actual:-(no calls)}'"
    fi
}
expect_calls "%pre, new user" "useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /sbin/nologin --comment Postfix REST connector postfix-rest-connector" PREIN 1 yes 0
expect_calls "%pre, user exists" "" PREIN 2 yes 1
expect_calls "%post, first installation: preset, never started" "systemctl --no-reload preset $UNIT
systemctl daemon-reload" POSTIN 1 yes
expect_calls "%post, upgrade" "systemctl daemon-reload" POSTIN 2 yes
expect_calls "%preun, upgrade: nothing" "" PREUN 1 yes
expect_calls "%preun, last removal: stop and disable" "systemctl --no-reload disable --now $UNIT" PREUN 0 yes
expect_calls "%postun, upgrade: reload and restart a running service" "systemctl daemon-reload
systemctl try-restart $UNIT" POSTUN 1 yes
expect_calls "%postun, removal: reload only" "systemctl daemon-reload" POSTUN 0 yes
for tag in POSTIN PREUN POSTUN; do
    expect_calls "%${tag,,} without systemd running: no systemctl" "" "$tag" 0 no
done
if scriptlet POSTIN 1 yes | grep -q 'start\b\|enable --now'; then
    fail "%post starts the service"
else
    pass "%post never starts the service"
fi

finish
