#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the demo: builds postfix-rest-connector and the example REST backend, starts both with
# examples/demo-config.json, and asks them real questions with Postfix's own client (postmap) and a raw
# policy request. Every answer is checked, so the demo doubles as a smoke test: the exit status is non-zero
# when any answer is wrong. See docs/demo.md.
#
# Usage: scripts/demo.sh [--keep-running]
#   --keep-running   leave the backend and the connector running after the checks (e.g. for the admin GUI)
#                    until Ctrl-C
# Environment:
#   PRC_BUILD_DIR    build directory (default: <repository>/build)
#   PRC_BUILD_JOBS   parallel build jobs (default: number of CPUs)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${PRC_BUILD_DIR:-$ROOT/build}
JOBS=${PRC_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}
CONFIG=$ROOT/examples/demo-config.json
DATA=$ROOT/examples/backend/data.json
TOKEN=demo-token
# These match examples/demo-config.json: the backend, then the endpoints domains, aliases, socketmap, policy.
BACKEND_PORT=9100
DOMAINS_PORT=9101
ALIASES_PORT=9102
SOCKETMAP_PORT=9103
POLICY_PORT=9104
ALL_PORTS=("$BACKEND_PORT" "$DOMAINS_PORT" "$ALIASES_PORT" "$SOCKETMAP_PORT" "$POLICY_PORT")
STARTUP_TIMEOUT=20 # seconds

KEEP_RUNNING=0
for arg in "$@"; do
    case $arg in
    --keep-running) KEEP_RUNNING=1 ;;
    -h | --help)
        sed -n '4,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "demo.sh: unknown argument '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
done

section() { printf '\n==> %s\n' "$*"; }
fail() {
    echo "demo.sh: $*" >&2
    exit 1
}

# --- 1. packages --------------------------------------------------------------------------------------------

# shellcheck source=scripts/packages.sh
source "$ROOT/scripts/packages.sh"
section "Checking packages: ${BUILD_PACKAGES[*]} ${TEST_PACKAGES[*]}"
"$ROOT/scripts/ensure-packages.sh" "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" || fail "missing packages (see above)"
echo "All present."

POSTMAP=$(command -v postmap || echo /usr/sbin/postmap)
[[ -x $POSTMAP ]] || fail "postmap (from Postfix) not found"

# --- 2. build -----------------------------------------------------------------------------------------------

section "Building postfix-rest-connector and prc-example-backend in $BUILD_DIR"
mkdir -p "$BUILD_DIR"
if [[ -f $BUILD_DIR/CMakeCache.txt ]]; then
    # An existing build tree keeps its own settings; it only needs the example backend switched on.
    configure=(cmake -S "$ROOT" -B "$BUILD_DIR" -DPRC_BUILD_EXAMPLES=ON)
else
    configure=(cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
        -DPRC_BUILD_EXAMPLES=ON -DPRC_BUILD_GUI=OFF -DPRC_BUILD_TESTS=OFF -DPRC_BUILD_BENCH=OFF)
fi
if ! "${configure[@]}" >"$BUILD_DIR/demo-configure.log" 2>&1; then
    cat "$BUILD_DIR/demo-configure.log" >&2
    fail "configuring failed (log: $BUILD_DIR/demo-configure.log)"
fi
cmake --build "$BUILD_DIR" --target postfix-rest-connector prc-example-backend -j "$JOBS"

find_executable() {
    local name=$1 preferred=$2
    if [[ -x $preferred ]]; then
        echo "$preferred"
    else
        find "$BUILD_DIR" -type f -name "$name" -perm -u+x -print -quit
    fi
}
CONNECTOR=$(find_executable postfix-rest-connector "$BUILD_DIR/service/postfix-rest-connector")
BACKEND=$(find_executable prc-example-backend "$BUILD_DIR/examples/backend/prc-example-backend")
[[ -n $CONNECTOR && -n $BACKEND ]] || fail "built executables not found in $BUILD_DIR"

# --- 3. start the backend and the connector -----------------------------------------------------------------

RUN_DIR=$BUILD_DIR/demo
mkdir -p "$RUN_DIR/postfix"
BACKEND_LOG=$RUN_DIR/backend.log
CONNECTOR_LOG=$RUN_DIR/connector.log
# postmap reads a main.cf even for a plain query; a throw-away one keeps the machine's Postfix out of it.
echo "compatibility_level = 3.6" >"$RUN_DIR/postfix/main.cf"
export MAIL_CONFIG=$RUN_DIR/postfix

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for port in "${ALL_PORTS[@]}"; do
    port_open "$port" && fail "port $port on 127.0.0.1 is already in use (is another demo still running?)"
done

BACKEND_PID=
CONNECTOR_PID=
stop_services() {
    local pid
    for pid in $CONNECTOR_PID $BACKEND_PID; do
        kill "$pid" 2>/dev/null || continue
        for _ in {1..50}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "Starting the example backend and the connector (logs in $RUN_DIR)"
show() { printf '  $ %s\n' "$*"; }
show "prc-example-backend --port $BACKEND_PORT --token $TOKEN --data examples/backend/data.json &"
"$BACKEND" --port "$BACKEND_PORT" --token "$TOKEN" --data "$DATA" >"$BACKEND_LOG" 2>&1 &
BACKEND_PID=$!
show "postfix-rest-connector examples/demo-config.json &"
"$CONNECTOR" "$CONFIG" >"$CONNECTOR_LOG" 2>&1 &
CONNECTOR_PID=$!

print_logs() {
    local log
    for log in "$BACKEND_LOG" "$CONNECTOR_LOG"; do
        echo "--- last lines of $log" >&2
        tail -n 20 "$log" >&2 || true
    done
}

deadline=$((SECONDS + STARTUP_TIMEOUT))
while true; do
    waiting=()
    for port in "${ALL_PORTS[@]}"; do
        port_open "$port" || waiting+=("$port")
    done
    ((${#waiting[@]} == 0)) && break
    if ! kill -0 "$BACKEND_PID" 2>/dev/null || ! kill -0 "$CONNECTOR_PID" 2>/dev/null; then
        print_logs
        fail "a service exited during startup"
    fi
    if ((SECONDS >= deadline)); then
        print_logs
        fail "ports ${waiting[*]} not listening after ${STARTUP_TIMEOUT}s"
    fi
    sleep 0.2
done
echo "  Listening: backend on $BACKEND_PORT, endpoints on $DOMAINS_PORT $ALIASES_PORT $SOCKETMAP_PORT $POLICY_PORT."

# --- 4. ask questions ---------------------------------------------------------------------------------------

PASSED=0
FAILED=0
verdict() { # ok(0|1) message
    if (($1 == 0)); then
        PASSED=$((PASSED + 1))
        printf '  [pass] %s\n' "$2"
    else
        FAILED=$((FAILED + 1))
        printf '  [FAIL] %s\n' "$2"
    fi
}

# lookup DESCRIPTION EXPECTED KEY TABLE: runs postmap -q KEY TABLE. EXPECTED is the value Postfix should get,
# or "-" for "not found" (postmap prints nothing and exits with status 1; a failed query also exits with 1,
# but it prints a warning, so stderr must stay empty).
lookup() {
    local description=$1 expected=$2 key=$3 table=$4 output status errors ok
    printf '\n  %s\n' "$description"
    show "postmap -q $key $table"
    set +e
    output=$(timeout 60 "$POSTMAP" -q "$key" "$table" 2>"$RUN_DIR/postmap.err")
    status=$?
    set -e
    errors=$(cat "$RUN_DIR/postmap.err")
    if [[ -n $output ]]; then printf '  %s\n' "$output"; else echo "  (no output)"; fi
    if [[ -n $errors ]]; then printf '  (stderr) %s\n' "$errors"; fi
    if [[ $expected == - ]]; then
        [[ $status == 1 && -z $output && -z $errors ]] && ok=0 || ok=1
        verdict $ok "not found: exit status $status, which postmap uses for \"no such key\" (errors print a warning)"
    else
        [[ $status == 0 && $output == "$expected" && -z $errors ]] && ok=0 || ok=1
        verdict $ok "found: exit status $status, expected \"$expected\""
    fi
}

section "Lookups with Postfix's own client (postmap reads a throw-away main.cf: MAIL_CONFIG=$MAIL_CONFIG)"
lookup "Is example.com one of our domains? (tcp_table, endpoint \"domains\" -> GET /domain?key=example.com)" \
    OK example.com "tcp:127.0.0.1:$DOMAINS_PORT"
lookup "Where does mail to postmaster@example.com go? (tcp_table, endpoint \"aliases\" -> GET /alias)" \
    admin@example.com,ops@example.com postmaster@example.com "tcp:127.0.0.1:$ALIASES_PORT"
lookup "The same domain question over socketmap (map name \"domain\" -> GET /socketmap?name=domain&key=...)" \
    OK example.com "socketmap:inet:127.0.0.1:$SOCKETMAP_PORT:domain"
lookup "One socketmap endpoint serves every map: map name \"alias\" selects the alias table" \
    admin@example.com,ops@example.com postmaster@example.com "socketmap:inet:127.0.0.1:$SOCKETMAP_PORT:alias"
lookup "An unknown key: the backend answers 404, the connector says \"not found\" (tcp 500 reply)" \
    - nobody@example.com "tcp:127.0.0.1:$ALIASES_PORT"
lookup "A key the data file maps to an empty list: the backend answers 200 [], which also means \"not found\"" \
    - retired@example.com "tcp:127.0.0.1:$ALIASES_PORT"
lookup "An unknown key over socketmap (NOTFOUND reply)" \
    - example.net "socketmap:inet:127.0.0.1:$SOCKETMAP_PORT:domain"

section "Policy requests over one connection to 127.0.0.1:$POLICY_PORT (plain bash /dev/tcp, as smtpd would send them)"
echo "  Each request is name=value lines and an empty line; the reply is \"action=...\" and an empty line."
# A connection the connector closed must fail the check, not kill the script.
trap '' PIPE
POLICY_FD=
exec {POLICY_FD}<>"/dev/tcp/127.0.0.1/$POLICY_PORT" || fail "cannot connect to the policy endpoint"

# policy DESCRIPTION EXPECTED_ACTION SENDER RECIPIENT
policy() {
    local description=$1 expected=$2 sender=$3 recipient=$4 reply="" blank=x ok payload
    local request=(request=smtpd_access_policy protocol_state=RCPT protocol_name=ESMTP
        client_address=192.0.2.10 client_name=mx.client.example helo_name=mx.client.example
        recipient_count=0 size=1234 "sender=$sender" "recipient=$recipient")
    printf '\n  %s\n' "$description"
    printf '  > %s\n' "${request[@]:0:2}" "... (${#request[@]} attributes in all)" "${request[@]: -2}" "(empty line)"
    # One write, as smtpd does: bash's printf would send a line per argument, and Nagle's algorithm would then
    # hold the rest of the request back for a delayed ACK (~40 ms).
    payload=$(printf '%s\n' "${request[@]}")$'\n\n'
    if printf '%s' "$payload" 1>&"$POLICY_FD" 2>/dev/null; then
        read -r -t 10 -u "$POLICY_FD" reply || reply=
        read -r -t 10 -u "$POLICY_FD" blank || blank=x
    fi
    printf '  < %s\n' "${reply:-(no reply)}"
    [[ $reply == "action=$expected" && -z $blank ]] && ok=0 || ok=1
    verdict $ok "expected action=$expected"
}

policy "An ordinary recipient: no rule matches, the default action" \
    DUNNO alice@example.org bob@example.com
policy "A recipient on the block list" \
    "REJECT 5.7.1 Recipient address rejected by policy" alice@example.org blocked@example.com
policy "A sender from the greylisted domain" \
    "DEFER_IF_PERMIT 4.7.1 Greylisted, please try again later" someone@greylist.example.net bob@example.com
exec {POLICY_FD}>&-
trap - PIPE

section "What the backend saw (its log: one line per HTTP request, with the connector's X-Request-Id)"
grep -v ' listening on ' "$BACKEND_LOG" | sed 's/^/  /' || true

# --- 5. result ----------------------------------------------------------------------------------------------

section "Result"
if ((FAILED > 0)); then
    echo "  $FAILED of $((PASSED + FAILED)) checks FAILED."
    print_logs
    exit 1
fi
echo "  All $PASSED checks passed."

if ((KEEP_RUNNING)); then
    section "Services left running (--keep-running); press Ctrl-C to stop them"
    echo "  backend:   http://127.0.0.1:$BACKEND_PORT (X-Auth-Token: $TOKEN), pid $BACKEND_PID, log $BACKEND_LOG"
    echo "  connector: examples/demo-config.json, pid $CONNECTOR_PID, log $CONNECTOR_LOG"
    echo "  Try:  MAIL_CONFIG=$MAIL_CONFIG $POSTMAP -q example.org tcp:127.0.0.1:$DOMAINS_PORT"
    # Returns when either service exits, or on Ctrl-C (then the EXIT trap stops the other one).
    wait -n "$BACKEND_PID" "$CONNECTOR_PID" || true
    fail "a service stopped; see $RUN_DIR"
fi
