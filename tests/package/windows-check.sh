#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What of the Windows packaging can be checked on Linux:
#  1. CPack generates the NSIS installer script with the Windows install layout (PRC_PACKAGING_WINDOWS_LAYOUT=ON)
#     and makensis (Debian's nsis package) compiles it. The Linux executables stand in for the Windows ones, so
#     the resulting .exe is not a usable installer; the point is that the script, including the service
#     registration snippets, is valid NSIS. makensis may only warn about the two functions of CPack's own
#     template that are never referenced (warning 6010).
#  2. service/windows/windowsservice.cpp compiles with the MinGW-w64 cross compiler against the project's
#     headers and Qt's (Linux) headers, with -Wall -Wextra -Werror. It is compiled to an object file, not linked:
#     there is no Qt for Windows on this machine.
#
# Usage: tests/package/windows-check.sh   (PRC_WINDOWS_CHECK_BUILD_DIR: build dir, default <source>/build-windows-check)
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero when anything failed.

set -uo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${PRC_WINDOWS_CHECK_BUILD_DIR:-$SRC/build-windows-check}"
JOBS="${PRC_WINDOWS_CHECK_JOBS:-2}"
passed=0
failed=0
WORK="$(mktemp -d /tmp/prc-windows-check.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
    echo
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

if ! command -v makensis >/dev/null || ! command -v x86_64-w64-mingw32-g++-posix >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q nsis g++-mingw-w64-x86-64-posix >"$WORK/apt.log" 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q nsis g++-mingw-w64-x86-64-posix >"$WORK/apt.log" 2>&1; }
    fi
fi

# --- 1. NSIS ---------------------------------------------------------------------------------------------
if command -v makensis >/dev/null; then
    if cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPRC_PACKAGING_WINDOWS_LAYOUT=ON \
        -DPRC_BUILD_TESTS=OFF -DPRC_BUILD_BENCH=OFF -DPRC_BUILD_FUZZ=OFF -DPRC_BUILD_EXAMPLES=OFF \
        >"$WORK/configure.log" 2>&1; then
        pass "configure with PRC_PACKAGING_WINDOWS_LAYOUT=ON"
    else
        cat "$WORK/configure.log"
        fail "configure"
        finish
    fi
    targets=(postfix-rest-connector)
    ninja -C "$BUILD" -t targets all 2>/dev/null | grep -c '^postfix-rest-connector-admin:' >/dev/null &&
        targets+=(postfix-rest-connector-admin)
    if ninja -C "$BUILD" -j "$JOBS" "${targets[@]}" >"$WORK/build.log" 2>&1; then
        pass "build ${targets[*]}"
    else
        tail -30 "$WORK/build.log"
        fail "build"
        finish
    fi
    rm -rf "$BUILD/_CPack_Packages/Linux/NSIS64" "$BUILD"/*.exe
    if (cd "$BUILD" && cpack -G NSIS64) >"$WORK/cpack.log" 2>&1; then
        pass "cpack -G NSIS64 (makensis ran): $(basename "$(ls "$BUILD"/*.exe)")"
    else
        cat "$WORK/cpack.log"
        fail "cpack -G NSIS64"
    fi
    nsi="$BUILD/_CPack_Packages/Linux/NSIS64/project.nsi"
    if [ -f "$nsi" ]; then
        (cd "$(dirname "$nsi")" && makensis -V2 project.nsi) >"$WORK/makensis.log" 2>&1
        status=$?
        unexpected="$(grep -i 'warning' "$WORK/makensis.log" | grep -v -E 'warning 6010: (un\.)?install function "(un\.)?select_NT_profile"|warning 6010: uninstall function "un\.select_NT_profile"|^[0-9]+ warnings?:|PATH too long|ShowPathWarning')"
        if [ "$status" -eq 0 ] && [ -z "$unexpected" ]; then
            pass "makensis project.nsi: exit 0, only CPack template warnings"
        else
            echo "$unexpected"
            fail "makensis project.nsi (exit $status)"
        fi
        for snippet in 'sc.exe create postfix-rest-connector' 'sc.exe delete postfix-rest-connector' \
            'net.exe stop postfix-rest-connector' 'Postfix REST Connector Admin.lnk' 'config.sample.json' \
            'InstallDir "$PROGRAMFILES64\postfix-rest-connector"' 'sc.exe failureflag postfix-rest-connector 1' \
            'sc.exe sidtype postfix-rest-connector unrestricted' '"NT SERVICE\postfix-rest-connector:(OI)(CI)RX"' \
            'EventLog\Application\postfix-rest-connector' 'SetErrorLevel 3'; do
            if grep -qF "$snippet" "$nsi"; then pass "project.nsi contains: $snippet"; else fail "project.nsi lacks: $snippet"; fi
        done
        # Only this service's SID may read the configuration, not every LocalService service (S-1-5-19).
        if grep -F 'icacls' "$nsi" | grep -F -e '/grant' | grep -qF 'S-1-5-19'; then
            fail "project.nsi grants LocalService (S-1-5-19) access"
        else
            pass "project.nsi grants no access to LocalService (S-1-5-19) as a whole"
        fi
        # Upgrades install over the old version: its uninstaller (which deletes the service) must not run first.
        # CPack's template keeps that code in .onInit behind CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL, as a
        # comparison of the option's value with "ON".
        if grep -qF 'StrCmp "OFF" "ON" 0 inst' "$nsi"; then
            pass "project.nsi does not run the previous uninstaller (the service registration is kept)"
        else
            fail "project.nsi runs the previous uninstaller before installing"
        fi
        # Every sc.exe/icacls call is followed by a check of its exit code: direct calls by StrCmp on the popped
        # result, the rest through the PRC_RUN macro, whose body must count and report a failure.
        unchecked="$(awk '
            /nsExec::ExecToLog .*(sc\.exe|icacls)/ { pending = $0; next }
            pending != "" && /Pop \$R1/ { next }
            pending != "" { if ($0 !~ /StrCmp \$R1 "0"/) print pending; pending = "" }' "$nsi")"
        macro_body="$(sed -n '/!macro PRC_RUN/,/!macroend/p' "$nsi")"
        runs="$(grep -c '!insertmacro PRC_RUN' "$nsi")"
        if [ -z "$unchecked" ] && printf '%s' "$macro_body" | grep -q 'StrCmp \$R1 "0"' &&
            printf '%s' "$macro_body" | grep -q 'IntOp \$R9 \$R9 + 1' && [ "$runs" -ge 10 ]; then
            pass "every sc.exe/icacls result in the installer is checked ($runs through PRC_RUN)"
        else
            echo "$unchecked"
            fail "unchecked sc.exe/icacls results (PRC_RUN used $runs times)"
        fi
    fi
    deploy_script="$(ls "$BUILD"/prc-deploy-qt-*.cmake 2>/dev/null | head -1)"
    if [ -n "$deploy_script" ] && [ "$(grep -c 'qt_deploy_runtime_dependencies' "$deploy_script")" -eq 1 ] &&
        grep -q 'postfix-rest-connector-admin' "$deploy_script"; then
        pass "one Qt deployment for both executables ($(basename "$deploy_script"))"
    else
        fail "the Qt deployment script covers both executables once"
    fi
    if grep -rq 'qt_generate_deploy_app_script' "$SRC/cmake" "$SRC/installer"; then
        fail "a per-component Qt deployment (qt_generate_deploy_app_script) is left"
    else
        pass "no per-component Qt deployment"
    fi
else
    fail "makensis not available (apt-get install nsis)"
fi

# --- 2. Windows service wrapper ----------------------------------------------------------------------------
if command -v x86_64-w64-mingw32-g++-posix >/dev/null; then
    qt="$(qmake6 -query QT_INSTALL_HEADERS 2>/dev/null || echo /usr/include/x86_64-linux-gnu/qt6)"
    # version.h is generated into the build tree by common/CMakeLists.txt.
    version_dir="$(dirname "$(find "$BUILD" -path '*/common/version.h' -print -quit 2>/dev/null || true)")"
    compiled=()
    for source in "$SRC"/service/windows/*.cpp; do
        object="$WORK/$(basename "$source" .cpp).o"
        if x86_64-w64-mingw32-g++-posix -std=c++17 -c -O2 -Wall -Wextra -Werror -Wno-attributes \
            -DQT_NO_CAST_FROM_ASCII -DQT_NO_CAST_TO_ASCII -DQT_USE_QSTRINGBUILDER -DQT_NO_KEYWORDS -DUNICODE -D_UNICODE \
            -I"$qt" -I"$qt/QtCore" -I"$qt/QtNetwork" -I"$SRC/service" -I"$SRC/common" -I"$version_dir" \
            "$source" -o "$object" >"$WORK/mingw.log" 2>&1; then
            pass "x86_64-w64-mingw32-g++ -c service/windows/$(basename "$source") (-Wall -Wextra -Werror)"
            compiled+=("$object")
        else
            grep -v '^\s*|' "$WORK/mingw.log" | head -40
            fail "mingw compile of service/windows/$(basename "$source")"
        fi
    done
    # symbol_in NAME: some compiled object calls the Windows API function NAME.
    symbol_in() { ((${#compiled[@]})) && x86_64-w64-mingw32-nm "${compiled[@]}" | grep -c "U __imp_$1\$" >/dev/null; }
    for symbol in StartServiceCtrlDispatcherW RegisterServiceCtrlHandlerExW SetServiceStatus ExitProcess \
        RegisterEventSourceW ReportEventW MoveFileExW; do
        if symbol_in "$symbol"; then pass "the wrapper calls $symbol"; else fail "the wrapper does not call $symbol"; fi
    done
    # The Windows headers' values, so the check does not depend on how the source spells them.
    if grep -q 'SERVICE_ACCEPT_PRESHUTDOWN' "$SRC/service/windows/windowsservice.cpp" &&
        grep -q 'case SERVICE_CONTROL_PRESHUTDOWN:' "$SRC/service/windows/windowsservice.cpp"; then
        pass "the wrapper accepts and handles SERVICE_CONTROL_PRESHUTDOWN"
    else
        fail "the wrapper does not handle SERVICE_CONTROL_PRESHUTDOWN"
    fi
else
    fail "x86_64-w64-mingw32-g++-posix not available (apt-get install g++-mingw-w64-x86-64-posix)"
fi

finish
