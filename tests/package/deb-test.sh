#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# End-to-end test of the Debian packages: build them with the documented release build
# (installer/linux/build-packages.sh), check the hardening and lintian, install the service package with apt,
# check files, user and conffiles, check that the shipped example configuration is never started (the unit's own
# check) and cannot answer from a wrong server, run the INSTALLED binary as the service user against a REST
# backend, query it with postmap (tcp_table and socketmap) and a raw policy request, reload it with SIGHUP, stop it
# with SIGTERM, verify the systemd unit, then remove and purge: everything is gone but the system user and group,
# which a reinstallation reuses. apt waits for the dpkg lock when another apt runs.
#
# Usage (as root, non-interactive):  tests/package/deb-test.sh
# Environment:
#   PRC_DEB_BUILD_DIR   build directory (default: <source>/build-deb-test); configured with prefix /usr
#   PRC_DEB_BUILD_GUI   ON/OFF: build and package the admin GUI too (default ON when gui/ is part of the build)
#   PRC_DEB_JOBS        parallel build jobs (default 2)
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero when anything failed.

set -uo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${PRC_DEB_BUILD_DIR:-$SRC/build-deb-test}"
JOBS="${PRC_DEB_JOBS:-2}"
PKG=postfix-rest-connector
ADMIN_PKG=postfix-rest-connector-admin
SERVICE_USER=postfix-rest-connector
CONFIG=/etc/postfix-rest-connector/config.json
EXAMPLE_CONFIG=/usr/share/postfix-rest-connector/config.example.json
UNIT=/lib/systemd/system/postfix-rest-connector.service
TOKEN="deb-test-$$-token"
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg (unattended-upgrades, a parallel job) holds the lock for a while: wait for it, not fail.
APT=(apt-get -o DPkg::Lock::Timeout=600)

passed=0
failed=0
WORK="$(mktemp -d /tmp/prc-deb-test.XXXXXX)"
SERVICE_PID=""
BACKEND_PID=""

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: PASS if the command succeeds.
check() {
    local description="$1"
    shift
    if "$@"; then pass "$description"; else fail "$description"; fi
}
note() { echo "---- $*"; }

cleanup() {
    [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null
    [ -n "$BACKEND_PID" ] && kill "$BACKEND_PID" 2>/dev/null
    wait 2>/dev/null
    # A test that stopped half-way must not leave the packages (or their user) on the machine.
    for package in "$ADMIN_PKG" "$PKG"; do
        if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -c -E ' (installed|config-files|unpacked|half-configured)$' >/dev/null; then
            "${APT[@]}" purge -y -q "$package" >/dev/null 2>&1 || dpkg --purge "$package" >/dev/null 2>&1
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

finish() {
    echo
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

# Stops the test early when a step the rest depends on failed.
require() {
    if ! "$@"; then
        fail "prerequisite failed: $*"
        finish
    fi
}

if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL: must run as root (installs packages)"
    echo "0 passed, 1 failed"
    exit 1
fi

apt_install() {
    "${APT[@]}" install -y -q --no-install-recommends "$@" >"$WORK/apt.log" 2>&1 ||
        { "${APT[@]}" update -q >/dev/null 2>&1 &&
            "${APT[@]}" install -y -q --no-install-recommends "$@" >"$WORK/apt.log" 2>&1; }
}
for tool in lintian:lintian systemd-analyze:systemd postmap:postfix setpriv:util-linux dpkg-shlibdeps:dpkg-dev \
    cmake:cmake ninja:ninja-build python3:python3 file:file man:man-db readelf:binutils \
    desktop-file-validate:desktop-file-utils; do
    command -v "${tool%%:*}" >/dev/null || { note "installing ${tool#*:}"; apt_install "${tool#*:}" || true; }
done

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_port PORT: until something accepts connections on 127.0.0.1:PORT (10 s at most).
wait_port() {
    local _
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# wait_gone PID: until the process has exited (15 s at most); then reap it and return its exit status.
wait_exit() {
    local _
    for _ in $(seq 150); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$1" 2>/dev/null && return 255
    wait "$1"
}

# --- build ---------------------------------------------------------------------------------------------
# The documented release build, not a variant of it: same script, same flags.
gui_option=()
[ -n "${PRC_DEB_BUILD_GUI:-}" ] && gui_option=("-DPRC_BUILD_GUI=$PRC_DEB_BUILD_GUI")
note "installer/linux/build-packages.sh $BUILD ${gui_option[*]}"
rm -f "$BUILD"/*.deb
if PRC_BUILD_JOBS="$JOBS" PRC_PACKAGE_GENERATORS=DEB "$SRC/installer/linux/build-packages.sh" "$BUILD" \
    "${gui_option[@]}" >"$WORK/build.log" 2>&1; then
    pass "installer/linux/build-packages.sh (build and cpack -G DEB)"
else
    tail -40 "$WORK/build.log"
    fail "installer/linux/build-packages.sh"
    finish
fi

# grep -c reads all its input: with pipefail, grep -q could make ninja die of SIGPIPE and the test lie.
has_target() { ninja -C "$BUILD" -t targets all 2>/dev/null | grep -c "^$1:" >/dev/null; }
DEB="$(ls "$BUILD"/${PKG}_*.deb 2>/dev/null | head -1)"
ADMIN_DEB="$(ls "$BUILD"/${ADMIN_PKG}_*.deb 2>/dev/null | head -1)"
require test -f "$DEB"
note "packages: $(basename "$DEB") ${ADMIN_DEB:+$(basename "$ADMIN_DEB")}"
if has_target postfix-rest-connector-admin; then
    check "admin package built" test -f "$ADMIN_DEB"
fi

# --- static checks -------------------------------------------------------------------------------------
check "conffiles lists $CONFIG" sh -c "dpkg-deb --ctrl-tarfile '$DEB' | tar -xO ./conffiles | grep -qx '$CONFIG'"
check "Depends has shlibdeps and adduser" sh -c \
    "dpkg-deb -f '$DEB' Depends | grep -q 'libqt6core6' && dpkg-deb -f '$DEB' Depends | grep -q adduser"
check "binary is stripped" sh -c "dpkg-deb --fsys-tarfile '$DEB' | tar -xO ./usr/bin/postfix-rest-connector \
    > '$WORK/bin' && file -b '$WORK/bin' | grep -q ', stripped'"
check "binary is linked with BIND_NOW and full RELRO" sh -c \
    "readelf -d '$WORK/bin' | grep -q -E 'BIND_NOW|FLAGS_1.*NOW' && readelf -lW '$WORK/bin' | grep -q GNU_RELRO"
check "binary is PIE" sh -c "readelf -h '$WORK/bin' | grep -q 'DYN '"
release_compile_flags() { # every compile command: exactly one -O flag (-O2, from dpkg-buildflags), fortify, stack protector
    python3 - "$BUILD/compile_commands.json" <<'PY'
import json, re, sys
bad = 0
for entry in json.load(open(sys.argv[1])):
    command = entry.get("command") or " ".join(entry.get("arguments", []))
    words = command.split()
    problems = []
    if [w for w in words if re.fullmatch(r"-O.*", w)] != ["-O2"]:
        problems.append("optimisation flags %s" % [w for w in words if w.startswith("-O")])
    for flag in ("-D_FORTIFY_SOURCE=2", "-fstack-protector-strong"):
        if flag not in words:
            problems.append("no " + flag)
    if problems:
        bad += 1
        if bad <= 5:
            print("    %s: %s" % (entry["file"], ", ".join(problems)))
sys.exit(1 if bad else 0)
PY
}
check "every compile command: one optimisation level (-O2), fortify, stack protector" release_compile_flags
for deb in "$DEB" $ADMIN_DEB; do
    if command -v lintian >/dev/null; then
        # lintian warns when run as root; that line is not about the package.
        lintian --pedantic --display-info "$deb" 2>&1 | grep -v 'running with root privileges' >"$WORK/lintian.log"
        note "lintian $(basename "$deb"):"
        sed 's/^/    /' "$WORK/lintian.log"
        check "lintian: no errors in $(basename "$deb")" sh -c "! grep -q '^E:' '$WORK/lintian.log'"
    else
        fail "lintian not available"
    fi
done

# --- install -------------------------------------------------------------------------------------------
if dpkg -s "$PKG" >/dev/null 2>&1 || dpkg -s "$ADMIN_PKG" >/dev/null 2>&1; then
    note "purging a previous installation"
    "${APT[@]}" purge -y -q "$PKG" "$ADMIN_PKG" >/dev/null 2>&1 || true
fi
# Another apt holding the dpkg frontend lock (as unattended-upgrades does): the installation waits for it instead
# of failing. apt takes the lock with fcntl(F_SETLK), so the holder uses the same kind of lock.
LOCK_SECONDS=6
python3 -c 'import fcntl, sys, time
f = open("/var/lib/dpkg/lock-frontend", "w")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[1]))' "$LOCK_SECONDS" >"$WORK/lock.out" 2>&1 &
LOCK_PID=$!
for _ in $(seq 50); do grep -q locked "$WORK/lock.out" 2>/dev/null && break; sleep 0.1; done
note "apt-get install $(basename "$DEB") while another process holds the dpkg lock for ${LOCK_SECONDS}s"
install_start=$SECONDS
if "${APT[@]}" install -y -q "$DEB" ${ADMIN_DEB:+"$ADMIN_DEB"} >"$WORK/install.log" 2>&1; then
    pass "apt-get install ./$(basename "$DEB") ${ADMIN_DEB:+./$(basename "$ADMIN_DEB")}"
    check "the installation waited for the dpkg lock (held: $(cat "$WORK/lock.out"))" \
        sh -c "grep -q locked '$WORK/lock.out' && grep -q 'Waiting for cache lock' '$WORK/install.log' &&
            [ $((SECONDS - install_start)) -ge $((LOCK_SECONDS - 1)) ]"
    wait "$LOCK_PID" 2>/dev/null
else
    cat "$WORK/install.log"
    fail "apt-get install"
    finish
fi

for path in /usr/bin/postfix-rest-connector "$CONFIG" "$EXAMPLE_CONFIG" "$UNIT" /usr/lib/sysusers.d/postfix-rest-connector.conf \
    /usr/share/man/man8/postfix-rest-connector.8.gz /usr/share/doc/$PKG/copyright \
    /usr/share/doc/$PKG/changelog.Debian.gz; do
    check "installed $path" test -e "$path"
done
if [ -n "$ADMIN_DEB" ]; then
    for path in /usr/bin/postfix-rest-connector-admin /usr/share/applications/postfix-rest-connector-admin.desktop \
        /usr/share/man/man1/postfix-rest-connector-admin.1.gz; do
        check "installed $path" test -e "$path"
    done
fi
# The man pages are the reference an admin has at hand: every key the config loader knows and every option of
# the admin tool must be in them (the loader's key names are its Key:: constants).
man_documents_every_key() {
    local page keys missing=()
    page="$(MANWIDTH=200 man -l /usr/share/man/man8/postfix-rest-connector.8.gz 2>/dev/null)"
    keys="$(sed -n 's/^const QString [A-Za-z0-9]* = QStringLiteral("\([a-z0-9-]*\)");$/\1/p' "$SRC/common/config/configloader.cpp")"
    [ -n "$keys" ] || { echo "    no keys found in configloader.cpp"; return 1; }
    for key in $keys; do
        printf '%s\n' "$page" | grep -qE "(^|[^a-z0-9-])$key([^a-z0-9-]|\$)" || missing+=("$key")
    done
    [ ${#missing[@]} -eq 0 ] || { echo "    not in postfix-rest-connector(8): ${missing[*]}"; return 1; }
    echo "    $(printf '%s\n' $keys | wc -l) keys documented"
}
check "postfix-rest-connector(8) documents every configuration key" man_documents_every_key
if [ -n "$ADMIN_DEB" ]; then
    admin_man_documents_every_option() {
        local page options missing=()
        page="$(MANWIDTH=200 man -l /usr/share/man/man1/postfix-rest-connector-admin.1.gz 2>/dev/null)"
        options="$(grep -o 'QCommandLineOption [a-zA-Z]*(\?[[:space:]]*QStringLiteral("[a-z-]*")' "$SRC/gui/main.cpp" |
            sed 's/.*QStringLiteral("\([a-z-]*\)")/\1/')"
        # The options spelt over two lines: QCommandLineOption name(\n QStringLiteral("...")
        options="$options $(grep -A1 'QCommandLineOption [a-zA-Z]*($' "$SRC/gui/main.cpp" |
            sed -n 's/.*QStringLiteral("\([a-z-]*\)").*/\1/p')"
        [ -n "${options// /}" ] || { echo "    no options found in gui/main.cpp"; return 1; }
        for option in $options; do
            printf '%s\n' "$page" | grep -q -- "--$option" || missing+=("--$option")
        done
        [ ${#missing[@]} -eq 0 ] || { echo "    not in postfix-rest-connector-admin(1): ${missing[*]}"; return 1; }
        echo "    options documented:" $options
    }
    check "postfix-rest-connector-admin(1) documents every option" admin_man_documents_every_option
    check "desktop-file-validate accepts the .desktop file" \
        desktop-file-validate /usr/share/applications/postfix-rest-connector-admin.desktop
    check "the .desktop file claims no MIME type" \
        sh -c "! grep -q '^MimeType=' /usr/share/applications/postfix-rest-connector-admin.desktop"
fi
check "system user $SERVICE_USER exists" sh -c "getent passwd $SERVICE_USER >/dev/null"
check "user $SERVICE_USER is a system user with nologin" sh -c \
    "uid=\$(id -u $SERVICE_USER) && [ \$uid -lt 1000 ] && getent passwd $SERVICE_USER | grep -q ':/usr/sbin/nologin$'"
check "group $SERVICE_USER exists" sh -c "getent group $SERVICE_USER >/dev/null"
check "config is root:$SERVICE_USER 0640" test "$(stat -c '%U:%G %a' "$CONFIG")" = "root:$SERVICE_USER 640"
check "dpkg registers $CONFIG as conffile" sh -c "dpkg-query -W -f='\${Conffiles}' $PKG | grep -q ' $CONFIG '"
check "--version prints the version" sh -c "/usr/bin/postfix-rest-connector --version | grep -q '^postfix-rest-connector [0-9]'"
check "--help mentions --check-config" sh -c "/usr/bin/postfix-rest-connector --help | grep -q -- --check-config"
# Runs a command with the service user's ids and no capabilities, as the unit does (setpriv execs the command,
# so $! of a background start is the service's own pid).
AS_SERVICE_USER=(setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups --no-new-privs
    --inh-caps=-all --bounding-set=-all --)
check_shipped_config() { "${AS_SERVICE_USER[@]}" /usr/bin/postfix-rest-connector --check-config "$CONFIG" >/dev/null; }
check "shipped config passes --check-config as $SERVICE_USER" check_shipped_config
echo '{"endpoints": []}' >"$WORK/bad.json"
chmod 0644 "$WORK/bad.json"
chmod 0755 "$WORK"
check "--check-config rejects an invalid config" sh -c \
    "! /usr/bin/postfix-rest-connector --check-config '$WORK/bad.json' 2>/dev/null"

# --- systemd unit --------------------------------------------------------------------------------------
# stderr is the verdict: systemd-analyze prints every problem there and still exits 0 for some of them.
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$UNIT" >"$WORK/verify.out" 2>"$WORK/verify.err"
    verify_rc=$?
    if [ "$verify_rc" -eq 0 ] && [ ! -s "$WORK/verify.err" ]; then
        pass "systemd-analyze verify $UNIT (exit 0, empty stderr)"
    else
        sed 's/^/    /' "$WORK/verify.err"
        fail "systemd-analyze verify $UNIT (exit $verify_rc)"
    fi
    systemd-analyze security --offline=true "$UNIT" 2>/dev/null | tail -1 | sed 's/^/    security: /'
else
    fail "systemd-analyze not available"
fi
sysusers_valid() {
    local errors
    errors="$(systemd-sysusers --dry-run /usr/lib/sysusers.d/postfix-rest-connector.conf 2>&1 >/dev/null)" &&
        [ -z "$errors" ] || { echo "    $errors"; return 1; }
}
check "systemd-sysusers --dry-run accepts the sysusers.d file" sysusers_valid
check "unit reloads with SIGHUP" grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$UNIT"
check "unit checks the config before start" grep -q "^ExecStartPre=/usr/bin/postfix-rest-connector --check-config $CONFIG$" "$UNIT"
check "unit runs as $SERVICE_USER" grep -q "^User=$SERVICE_USER$" "$UNIT"
check "postinst enabled the unit (multi-user.target.wants symlink)" \
    test -L /etc/systemd/system/multi-user.target.wants/postfix-rest-connector.service

# --- first run: the shipped example is not started and cannot answer from a wrong server ----------------
check "installed config is the pristine example $EXAMPLE_CONFIG" cmp -s "$CONFIG" "$EXAMPLE_CONFIG"
check "postinst says the service is not started (unedited example)" \
    grep -q "not started: $CONFIG is the unedited example configuration" "$WORK/install.log"
# The unit's own guard, run the way systemd runs it: its ExecStartPre line, parsed by the shell (same quoting),
# as the service user.
example_guard="$(sed -n 's/^ExecStartPre=\(\/bin\/sh -c .*cmp -s .*\)$/\1/p' "$UNIT")"
require test -n "$example_guard"
# shellcheck disable=SC2120 # the arguments come from the unit line
run_example_guard() { (eval "set -- $example_guard" && "${AS_SERVICE_USER[@]}" "$@"); }
guard_refuses_example() {
    local output status
    output="$(run_example_guard 2>&1)"
    status=$?
    echo "    exit $status: $output"
    [ "$status" -ne 0 ] && printf '%s' "$output" | grep -q "^<3>postfix-rest-connector: $CONFIG is the unedited example configuration"
}
check "unit refuses to start with the unedited example, with a journal line at priority err" guard_refuses_example
shipped_example_is_harmless() { # backends that cannot exist, ports no well-known service uses
    python3 - "$CONFIG" <<'PY'
import json, socket, sys, urllib.parse
ok = True
for e in json.load(open(sys.argv[1]))["endpoints"]:
    host = urllib.parse.urlsplit(e["target"]).hostname
    try:
        service = socket.getservbyport(e["bind-port"], "tcp")
    except OSError:
        service = None
    print("    %s: %s -> %s, port %d (%s)" % (e["name"], e["bind-address"], e["target"], e["bind-port"],
                                          service or "no entry in /etc/services"))
    ok = ok and host.endswith(".invalid") and service is None and e["bind-address"] == "127.0.0.1"
sys.exit(0 if ok else 1)
PY
}
check "example: loopback only, backends under .invalid (RFC 6761), ports not in /etc/services" shipped_example_is_harmless
if [ -z "${SOURCE_DATE_EPOCH:-}" ] && git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    commit_date="$(LC_ALL=C date -u -d "@$(git -C "$SRC" log -1 --format=%ct)" '+%a, %d %b %Y %H:%M:%S +0000')"
    check "changelog is dated by the last commit ($commit_date), not by the build" sh -c \
        "zcat /usr/share/doc/$PKG/changelog.Debian.gz | grep -qF '  $commit_date'"
fi

# --- run the installed binary against a backend --------------------------------------------------------
BACKEND_PORT="$(free_port)"
if has_target prc-example-backend; then
    note "backend: prc-example-backend on port $BACKEND_PORT"
    "$BUILD/examples/backend/prc-example-backend" --bind 127.0.0.1 --port "$BACKEND_PORT" --token "$TOKEN" \
        --data "$SRC/examples/backend/data.json" >"$WORK/backend.log" 2>&1 &
else
    note "backend: tests/package/test-backend.py on port $BACKEND_PORT"
    python3 "$SRC/tests/package/test-backend.py" --port "$BACKEND_PORT" --token "$TOKEN" >"$WORK/backend.log" 2>&1 &
fi
BACKEND_PID=$!
require wait_port "$BACKEND_PORT"

TCP_PORT="$(free_port)"
SOCKETMAP_PORT="$(free_port)"
POLICY_PORT="$(free_port)"
EXTRA_PORT="$(free_port)"
# postmap needs a main.cf; an empty one in a private directory leaves the system's Postfix alone.
POSTFIX_CONF="$WORK/postfix"
mkdir -p "$POSTFIX_CONF"
: >"$POSTFIX_CONF/main.cf"
RUN="$WORK/run"
mkdir -m 0750 "$RUN"
chgrp "$SERVICE_USER" "$RUN"
# A directory the service user may create its Unix socket in.
install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$RUN/sock"
write_config() { # write_config [EXTRA_ENDPOINT_JSON]
    cat >"$RUN/config.json.new" <<EOF
{
    "user-agent": "deb-test",
    "endpoints": [
        {"name": "maps-unix", "mode": "socketmap-lookup", "target": "http://127.0.0.1:$BACKEND_PORT/socketmap",
         "bind-path": "$RUN/sock/maps", "auth-token": "$TOKEN"},
        {"name": "domains", "mode": "tcp-lookup", "target": "http://127.0.0.1:$BACKEND_PORT/domain",
         "bind-address": "127.0.0.1", "bind-port": $TCP_PORT, "auth-token": "$TOKEN"},
        {"name": "maps", "mode": "socketmap-lookup", "target": "http://127.0.0.1:$BACKEND_PORT/socketmap",
         "bind-address": "127.0.0.1", "bind-port": $SOCKETMAP_PORT, "auth-token": "$TOKEN"},
        {"name": "policy", "mode": "policy", "target": "http://127.0.0.1:$BACKEND_PORT/policy",
         "bind-address": "127.0.0.1", "bind-port": $POLICY_PORT, "auth-token": "$TOKEN"}${1:+,
        $1}
    ]
}
EOF
    chgrp "$SERVICE_USER" "$RUN/config.json.new"
    chmod 0640 "$RUN/config.json.new"
    mv "$RUN/config.json.new" "$RUN/config.json"
}
write_config

note "starting /usr/bin/postfix-rest-connector as $SERVICE_USER"
"${AS_SERVICE_USER[@]}" /usr/bin/postfix-rest-connector "$RUN/config.json" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
if wait_port "$TCP_PORT" && wait_port "$SOCKETMAP_PORT" && wait_port "$POLICY_PORT"; then
    pass "installed service listens on 127.0.0.1:$TCP_PORT, :$SOCKETMAP_PORT, :$POLICY_PORT"
else
    cat "$WORK/service.log"
    fail "installed service listens"
fi
check "service runs as $SERVICE_USER" sh -c \
    "grep -q \"^Uid:[[:space:]]*\$(id -u $SERVICE_USER)[[:space:]]\" /proc/$SERVICE_PID/status"

expect() { # expect DESCRIPTION EXPECTED COMMAND...
    local description="$1" expected="$2" actual
    shift 2
    actual="$("$@" 2>&1)"
    if [ "$actual" = "$expected" ]; then
        pass "$description -> $actual"
    else
        fail "$description: expected '$expected', got '$actual'"
    fi
}
expect_status() { # expect_status DESCRIPTION EXPECTED_STATUS COMMAND...
    local description="$1" expected="$2" status
    shift 2
    "$@" >/dev/null 2>&1
    status=$?
    if [ "$status" -eq "$expected" ]; then pass "$description (exit $status)"; else fail "$description: exit $status, expected $expected"; fi
}
expect "postmap -q example.com tcp:127.0.0.1:$TCP_PORT" "OK" \
    timeout 30 postmap -c "$POSTFIX_CONF" -q example.com "tcp:127.0.0.1:$TCP_PORT"
# postmap exits 1 and prints nothing for "not found" (a query error is a fatal message, also exit 1).
not_found() {
    local output status
    output="$(timeout 30 postmap -c "$POSTFIX_CONF" -q "$1" "$2" 2>&1)"
    status=$?
    [ "$status" -eq 1 ] && [ -z "$output" ] || { echo "    exit $status: $output"; return 1; }
}
check "postmap -q unknown.example tcp:… is not found (exit 1, no output)" \
    not_found unknown.example "tcp:127.0.0.1:$TCP_PORT"
expect "postmap -q postmaster@example.com socketmap:inet:…:alias" "admin@example.com,ops@example.com" \
    timeout 30 postmap -c "$POSTFIX_CONF" -q postmaster@example.com "socketmap:inet:127.0.0.1:$SOCKETMAP_PORT:alias"
expect "postmap -q postmaster@example.com socketmap:unix:…:alias" "admin@example.com,ops@example.com" \
    timeout 30 postmap -c "$POSTFIX_CONF" -q postmaster@example.com "socketmap:unix:$RUN/sock/maps:alias"

policy_query() { # policy_query RECIPIENT: the action line the policy endpoint answers
    timeout 15 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.1\nsender=sender@example.net\nrecipient=%s\n\n" "$2" >&3
        IFS= read -r line <&3 && printf "%s\n" "$line"' _ "$POLICY_PORT" "$1"
}
expect "policy request for blocked@example.com" "action=REJECT 5.7.1 Recipient address rejected by policy" \
    policy_query blocked@example.com
expect "policy request for alice@example.com" "action=DUNNO" policy_query alice@example.com

note "SIGHUP with an added endpoint on port $EXTRA_PORT"
write_config "{\"name\": \"mailboxes\", \"mode\": \"tcp-lookup\", \"target\": \"http://127.0.0.1:$BACKEND_PORT/mailbox\",
         \"bind-address\": \"127.0.0.1\", \"bind-port\": $EXTRA_PORT, \"auth-token\": \"$TOKEN\"}"
kill -HUP "$SERVICE_PID"
if wait_port "$EXTRA_PORT"; then pass "SIGHUP reload opened the new endpoint"; else fail "SIGHUP reload opened the new endpoint"; fi
expect "postmap -q alice@example.com tcp:…:$EXTRA_PORT after reload" "example.com/alice/" \
    timeout 30 postmap -c "$POSTFIX_CONF" -q alice@example.com "tcp:127.0.0.1:$EXTRA_PORT"
check "service still running after reload" kill -0 "$SERVICE_PID"

note "SIGTERM"
kill -TERM "$SERVICE_PID"
wait_exit "$SERVICE_PID"
term_status=$?
SERVICE_PID=""
if [ "$term_status" -eq 0 ]; then pass "SIGTERM: exit status 0"; else fail "SIGTERM: exit status $term_status"; fi
check "the log never shows the auth token" sh -c "! grep -qF '$TOKEN' '$WORK/service.log'"
note "service log:"
sed 's/^/    /' "$WORK/service.log"

note "the shipped example started by hand anyway (ports moved to free ones): every lookup is a temporary error"
python3 - "$CONFIG" "$(free_port)" "$(free_port)" "$(free_port)" >"$RUN/example.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
for endpoint, port in zip(config["endpoints"], sys.argv[2:]):
    endpoint["bind-port"] = int(port)
print(json.dumps(config, indent=4))
PY
chgrp "$SERVICE_USER" "$RUN/example.json"
chmod 0640 "$RUN/example.json"
EXAMPLE_TCP_PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoints"][0]["bind-port"])' "$RUN/example.json")"
"${AS_SERVICE_USER[@]}" /usr/bin/postfix-rest-connector "$RUN/example.json" >"$WORK/example.log" 2>&1 &
SERVICE_PID=$!
temporary_error() { # postmap exits non-zero AND complains: a query error, not "not found" (silent exit 1)
    local output status
    output="$(timeout 30 postmap -c "$POSTFIX_CONF" -q "$1" "$2" 2>&1)"
    status=$?
    echo "    exit $status: $output"
    [ "$status" -ne 0 ] && [ -n "$output" ]
}
if wait_port "$EXAMPLE_TCP_PORT"; then
    check "postmap -q example.com against the shipped example is a temporary error" \
        temporary_error example.com "tcp:127.0.0.1:$EXAMPLE_TCP_PORT"
else
    cat "$WORK/example.log"
    fail "the shipped example listens on 127.0.0.1:$EXAMPLE_TCP_PORT"
fi
kill -TERM "$SERVICE_PID"
wait_exit "$SERVICE_PID"
SERVICE_PID=""

# --- conffile handling, remove, purge ------------------------------------------------------------------
note "local change to $CONFIG survives reinstalling the package"
sed -i 's/"user-agent": "postfix-rest-connector"/"user-agent": "locally-edited"/' "$CONFIG"
if "${APT[@]}" install --reinstall -y -q "$DEB" </dev/null >"$WORK/reinstall.log" 2>&1; then
    check "edited conffile kept on reinstall" grep -q '"user-agent": "locally-edited"' "$CONFIG"
    check "config still root:$SERVICE_USER 0640 after reinstall" \
        test "$(stat -c '%U:%G %a' "$CONFIG")" = "root:$SERVICE_USER 640"
    check "unit's example guard lets an edited config start" run_example_guard
else
    cat "$WORK/reinstall.log"
    fail "apt-get install --reinstall without a conffile prompt"
fi

[ -n "$ADMIN_DEB" ] && "${APT[@]}" purge -y -q "$ADMIN_PKG" >/dev/null 2>&1
expect_status "apt-get remove $PKG" 0 "${APT[@]}" remove -y -q "$PKG"
check "remove: binary gone" test ! -e /usr/bin/postfix-rest-connector
check "remove: config kept" test -f "$CONFIG"
check "remove: user kept" sh -c "getent passwd $SERVICE_USER >/dev/null"

SERVICE_UID="$(id -u "$SERVICE_USER")"
expect_status "apt-get purge $PKG" 0 "${APT[@]}" purge -y -q "$PKG"
check "purge: dpkg no longer knows $PKG" sh -c \
    "! dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -qE ' (installed|config-files)\$'"
check "purge: binary gone" test ! -e /usr/bin/postfix-rest-connector
check "purge: config directory gone" test ! -e /etc/postfix-rest-connector
check "purge: unit gone" test ! -e "$UNIT"
# Kept on purge: a user created later must not inherit the UID of files left behind.
check "purge: system user kept" sh -c "getent passwd $SERVICE_USER >/dev/null"
check "purge: group kept" sh -c "getent group $SERVICE_USER >/dev/null"
check "purge: no enablement symlink left" sh -c "! ls /etc/systemd/system/*/postfix-rest-connector.service >/dev/null 2>&1"
if [ -n "$ADMIN_DEB" ]; then
    check "purge: admin binary gone" test ! -e /usr/bin/postfix-rest-connector-admin
fi

note "reinstall after purge"
if "${APT[@]}" install -y -q "$DEB" >"$WORK/install2.log" 2>&1; then
    check "reinstall after purge reuses the kept user (uid $SERVICE_UID)" test "$(id -u "$SERVICE_USER")" = "$SERVICE_UID"
    check "reinstall after purge: config root:$SERVICE_USER 0640" \
        test "$(stat -c '%U:%G %a' "$CONFIG")" = "root:$SERVICE_USER 640"
    expect_status "apt-get purge $PKG (again)" 0 "${APT[@]}" purge -y -q "$PKG"
else
    cat "$WORK/install2.log"
    fail "apt-get install after purge"
fi

finish
