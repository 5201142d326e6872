#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One benchmark run on this machine, loopback only:
#  (a) wrk straight at nginx (the ceiling an HTTP backend allows here),
#  (b) the connector in each mode, nginx as its backend, through prc-loadgen at 1, 64 and 1000 connections, once
#      per backend client (CLIENTS, default "curl qt"), with the connector's CPU time per request,
#  (c) the connector's RSS with 1000 idle connections,
#  (d) a fleet: two connectors sharing one redis-server (cache.shared): the Redis hit path and backend calls saved.
# Prints a markdown table and the verdict against the targets. Stops everything it started.
#   bench/run.sh          env: DURATION (s per point, 10), BUILD_DIR (build-bench), RESULTS (file for the table),
#                         PROFILE=FILE (perf profile of the connector during tcp at 64 connections), KEEP=1,
#                         ENDPOINT_EXTRA (JSON members added to every endpoint of the connector's config),
#                         CLIENTS (backend clients to measure, "curl qt"; the first one is the default's figures)
#                         FLEET=0 (skip d), FLEET_ONLY=1 (only d), FLEET_KEYS (distinct keys, 2000),
#                         FLEET_CONNECTIONS (16), FLEET_LOCK_WAIT (cache.shared.lock-wait; unset: the default)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
DURATION=${DURATION:-10}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}
CONNECTION_COUNTS=${CONNECTION_COUNTS:-"1 64 1000"}
RESULTS=${RESULTS:-/tmp/prc-bench-results.md}
KEY=user@example.com
# Extra keys for every connector endpoint, e.g. ENDPOINT_EXTRA='"backend-connections": 32,'
ENDPOINT_EXTRA=${ENDPOINT_EXTRA:-}
CLIENTS=${CLIENTS:-"curl qt"}
FIRST_CLIENT=${CLIENTS%% *}

log() { echo "== $*" >&2; }

# --- tools ------------------------------------------------------------------------------------------------
need_apt=()
command -v nginx >/dev/null || need_apt+=(nginx-light)
command -v wrk >/dev/null || need_apt+=(wrk)
[[ ${FLEET:-1} == 0 ]] || command -v redis-server >/dev/null || need_apt+=(redis-server)
if ((${#need_apt[@]})); then
    log "installing ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
NGINX=$(command -v nginx)

CONNECTOR=$BUILD_DIR/service/postfix-rest-connector
LOADGEN=$BUILD_DIR/bench/prc-loadgen
# Always bring the build up to date (a no-op when it is): figures from a stale binary are worse than none.
log "building $BUILD_DIR"
[[ -f $BUILD_DIR/build.ninja ]] || cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPRC_BUILD_GUI=OFF -DPRC_BUILD_TESTS=OFF -DPRC_BUILD_EXAMPLES=OFF -DPRC_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" --parallel 2 --target postfix-rest-connector prc-loadgen

# --- bookkeeping ---------------------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/prc-bench.XXXXXX)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n ${KEEP:-} ]]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Listening ports below the ephemeral range, so they cannot collide with the local port of one of the
# thousands of client connections the run opens; and not in use in any state.
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
USED_PORTS=" "
free_port() {
    local port span=$((EPHEMERAL_LOW - 20000))
    ((span > 1000)) || span=10000
    while :; do
        port=$((20000 + RANDOM % span))
        [[ $USED_PORTS == *" $port "* ]] && continue
        ss -Htan "sport = :$port" | grep -q . && continue
        USED_PORTS+="$port "
        echo "$port"
        return
    done
}

wait_port() { # port, seconds
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}

json_field() { # json, field -> number
    sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1"
}

# --- nginx ----------------------------------------------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    client_body_buffer_size 64k;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            default_type application/json;
            return 200 '["v"]';
        }
        location /policy {
            default_type text/plain;
            return 200 'DUNNO';
        }
    }
}
NGINX
log "nginx on 127.0.0.1:$NGINX_PORT"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
wait_port "$NGINX_PORT" 10


# --- (d) a fleet: two connectors, one Redis ------------------------------------------------------------------
# Each connector keeps one entry in memory (max-entries 1), so with FLEET_KEYS keys in turn every lookup goes past
# the in-memory cache: what is measured is the Redis hit path. Backend calls come from each connector's /metrics.
FLEET_KEYS=${FLEET_KEYS:-2000}
FLEET_CONNECTIONS=${FLEET_CONNECTIONS:-16}
FLEET_ROWS=()
metric() { # admin-port name -> value of the endpoint's sample
    curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2{endpoint=\"fleet-tcp\"}" '$1 == n {print $2}'
}
fleet_config() { # file port admin-port cache-json
    cat >"$1" <<JSON
{
    "user-agent": "prc-bench",
    "admin": {"bind-port": $3},
    "endpoints": [
        {"name": "fleet-tcp", "mode": "tcp-lookup", "target": "http://127.0.0.1:$NGINX_PORT/lookup",
         "bind-address": "127.0.0.1", "bind-port": $2, "auth-token": "bench-token",
         "max-connections": 4096, "idle-timeout": 600000, "cache": $4}
    ]
}
JSON
}
fleet_run() { # label port admin-port key keys -> one row; sets FLEET_CALLS (backend calls during the run)
    local before json after
    before=$(metric "$3" prc_backend_request_duration_seconds_count)
    json=$("$LOADGEN" --mode tcp --port "$2" --connections "$FLEET_CONNECTIONS" --duration "$FLEET_DURATION" \
        --expect 200 --key "$4" --keys "$5" --quiet | tail -1) || true
    echo "$json" >>"$WORK/fleet-loadgen.log"
    after=$(metric "$3" prc_backend_request_duration_seconds_count)
    FLEET_CALLS=$((after - before))
    FLEET_ROWS+=("$(printf '| %s | %s | %.0f | %s | %s | %s | %s | %s |' "$1" "$5" "$(json_field "$json" rps)" \
        "$(json_field "$json" p50_us)" "$(json_field "$json" p99_us)" "$(json_field "$json" total_replies)" \
        "$FLEET_CALLS" "$(json_field "$json" error_total)")")
}
run_fleet() {
    FLEET_DURATION=${FLEET_DURATION:-$DURATION}
    local redis_port a_port b_port c_port a_admin b_admin c_admin shared
    redis_port=$(free_port)
    mkdir -p "$WORK/redis"
    printf 'bind 127.0.0.1\nport %s\ndir %s\nsave ""\nappendonly no\ndaemonize no\n' "$redis_port" \
        "$WORK/redis" >"$WORK/redis/redis.conf"
    log "fleet: redis-server on 127.0.0.1:$redis_port"
    redis-server "$WORK/redis/redis.conf" >"$WORK/redis/redis.log" 2>&1 &
    PIDS+=($!)
    wait_port "$redis_port" 10
    local lock_wait=
    [[ -z ${FLEET_LOCK_WAIT:-} ]] || lock_wait=", \"lock-wait\": $FLEET_LOCK_WAIT"
    shared="{\"enabled\": true, \"max-entries\": 1, \"shared\": {\"url\": \"redis://127.0.0.1:$redis_port/0\"$lock_wait}}"
    a_port=$(free_port) b_port=$(free_port) c_port=$(free_port)
    a_admin=$(free_port) b_admin=$(free_port) c_admin=$(free_port)
    fleet_config "$WORK/fleet-a.json" "$a_port" "$a_admin" "$shared"
    fleet_config "$WORK/fleet-b.json" "$b_port" "$b_admin" "$shared"
    fleet_config "$WORK/fleet-c.json" "$c_port" "$c_admin" '{"enabled": false}'
    start_connector "$WORK/fleet-a.json" "$WORK/fleet-a.log"
    start_connector "$WORK/fleet-b.json" "$WORK/fleet-b.log"
    start_connector "$WORK/fleet-c.json" "$WORK/fleet-c.log"
    for port in "$a_port" "$b_port" "$c_port" "$a_admin" "$b_admin" "$c_admin"; do
        wait_port "$port" 10
    done

    log "fleet: no cache (reference), $FLEET_KEYS keys"
    fleet_run "no cache: every lookup asks the backend" "$c_port" "$c_admin" one@example.com "$FLEET_KEYS"
    log "fleet: connector A, cold Redis"
    fleet_run "A, Redis cold: misses fill it, then hits" "$a_port" "$a_admin" one@example.com "$FLEET_KEYS"
    local a_calls=$FLEET_CALLS
    log "fleet: connector B, the same keys, Redis warm"
    fleet_run "B, same keys, Redis warm: Redis hit path" "$b_port" "$b_admin" one@example.com "$FLEET_KEYS"
    local b_calls=$FLEET_CALLS
    log "fleet: connector B, one key (in-memory hit path, reference)"
    fleet_run "B, one key: in-memory hit path" "$b_port" "$b_admin" one@example.com 1

    # Both at once on keys neither has seen, in the same order: the worst case for duplicate backend calls, which
    # fleet coalescing (the lock in Redis, cache.shared.lock-wait) removes.
    log "fleet: A and B at once, fresh keys"
    local before_a before_b after_a after_b name
    before_a=$(metric "$a_admin" prc_backend_request_duration_seconds_count)
    before_b=$(metric "$b_admin" prc_backend_request_duration_seconds_count)
    local -A lock_before
    for name in lock_acquired lock_wait_hits lock_wait_timeouts lock_wait_misses; do
        lock_before[$name]=$(( $(metric "$a_admin" "prc_shared_cache_${name}_total") \
            + $(metric "$b_admin" "prc_shared_cache_${name}_total") ))
    done
    "$LOADGEN" --mode tcp --port "$a_port" --connections "$FLEET_CONNECTIONS" --duration "$FLEET_DURATION" \
        --expect 200 --key two@example.com --keys "$FLEET_KEYS" --quiet >"$WORK/fleet-both-a.log" 2>&1 &
    local loadgen_a=$!
    "$LOADGEN" --mode tcp --port "$b_port" --connections "$FLEET_CONNECTIONS" --duration "$FLEET_DURATION" \
        --expect 200 --key two@example.com --keys "$FLEET_KEYS" --quiet >"$WORK/fleet-both-b.log" 2>&1 || true
    wait "$loadgen_a" || true
    after_a=$(metric "$a_admin" prc_backend_request_duration_seconds_count)
    after_b=$(metric "$b_admin" prc_backend_request_duration_seconds_count)
    local both_calls=$((after_a - before_a + after_b - before_b))
    local locks=
    for name in lock_acquired lock_wait_hits lock_wait_timeouts lock_wait_misses; do
        locks+=" ${name//_/ } $(( $(metric "$a_admin" "prc_shared_cache_${name}_total") \
            + $(metric "$b_admin" "prc_shared_cache_${name}_total") - lock_before[$name] )),"
    done
    local both_replies both_a both_b
    both_a=$(tail -1 "$WORK/fleet-both-a.log") both_b=$(tail -1 "$WORK/fleet-both-b.log")
    both_replies=$(( $(json_field "$both_a" total_replies) + $(json_field "$both_b" total_replies) ))
    local shared_hits_b timeouts errors
    shared_hits_b=$(metric "$b_admin" prc_shared_cache_hits_total)
    timeouts=$(( $(metric "$a_admin" prc_shared_cache_timeouts_total) + $(metric "$b_admin" prc_shared_cache_timeouts_total) ))
    errors=$(( $(metric "$a_admin" prc_shared_cache_errors_total) + $(metric "$b_admin" prc_shared_cache_errors_total) ))
    {
        echo
        echo "### Fleet: two connectors, one Redis (${FLEET_DURATION} s per row, $FLEET_CONNECTIONS connections, in-memory cache 1 entry, lock-wait ${FLEET_LOCK_WAIT:-default})"
        echo
        echo "| scenario | keys | req/s | p50 µs | p99 µs | replies | backend calls | errors |"
        echo "|---|---:|---:|---:|---:|---:|---:|---|"
        printf '%s\n' "${FLEET_ROWS[@]}"
        echo
        echo "- Backend calls saved by sharing: B asked the backend $b_calls times for the $FLEET_KEYS keys A had fetched ($a_calls calls); without the shared tier it would have been $FLEET_KEYS. Redis hits on B so far: $shared_hits_b."
        echo "- A and B at once on $FLEET_KEYS fresh keys, same order: $both_calls backend calls for $both_replies replies; the fewest possible is $FLEET_KEYS, so $((both_calls - FLEET_KEYS)) were duplicates. Fleet coalescing over A and B:${locks%,}. Latency p50/p99 µs: A $(json_field "$both_a" p50_us)/$(json_field "$both_a" p99_us), B $(json_field "$both_b" p50_us)/$(json_field "$both_b" p99_us)."
        echo "- Redis calls over the whole run that timed out (cache.shared.timeout 50 ms): $timeouts; that failed: $errors. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    } | tee -a "$RESULTS"
}

# --- the connector --------------------------------------------------------------------------------------------
write_config() { # file tcp-port socketmap-port policy-port client
    local EXTRA="$ENDPOINT_EXTRA \"backend-client\": \"$5\","
    cat >"$1" <<JSON
{
    "user-agent": "prc-bench",
    "endpoints": [
        {"name": "bench-tcp", $EXTRA "mode": "tcp-lookup", "target": "http://127.0.0.1:$NGINX_PORT/lookup",
         "bind-address": "127.0.0.1", "bind-port": $2, "auth-token": "bench-token",
         "max-connections": 4096, "idle-timeout": 600000},
        {"name": "bench-socketmap", $EXTRA "mode": "socketmap-lookup", "target": "http://127.0.0.1:$NGINX_PORT/socketmap",
         "bind-address": "127.0.0.1", "bind-port": $3, "auth-token": "bench-token",
         "max-connections": 4096, "idle-timeout": 600000},
        {"name": "bench-policy", $EXTRA "mode": "policy", "target": "http://127.0.0.1:$NGINX_PORT/policy",
         "bind-address": "127.0.0.1", "bind-port": $4, "auth-token": "bench-token",
         "max-connections": 4096, "idle-timeout": 600000}
    ]
}
JSON
}

CONNECTOR_PID=
start_connector() { # config log
    # 1000 connections need more descriptors than the usual soft limit of 1024.
    (ulimit -n "$(ulimit -Hn)" && exec "$CONNECTOR" "$1") >"$2" 2>&1 &
    CONNECTOR_PID=$!
    PIDS+=("$CONNECTOR_PID")
}

if [[ -n ${FLEET_ONLY:-} ]]; then
    : >"$RESULTS"
    run_fleet
    log "table written to $RESULTS"
    exit 0
fi

TCP_PORT=$(free_port)
SOCKETMAP_PORT=$(free_port)
POLICY_PORT=$(free_port)
for client in $CLIENTS; do
    write_config "$WORK/connector-$client.json" "$TCP_PORT" "$SOCKETMAP_PORT" "$POLICY_PORT" "$client"
done
log "connector: tcp $TCP_PORT, socketmap $SOCKETMAP_PORT, policy $POLICY_PORT; clients: $CLIENTS"

# --- measurements ---------------------------------------------------------------------------------------------
to_us() { # "1.23ms" -> 1230
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") f = 1; else if (u == "ms") f = 1000; else if (u == "s") f = 1000000; else f = 0
        printf "%d", n * f }'
}

ROWS=()
declare -A RPS P99 P50 CPU_US
CLIENT=
row() { # name conns rps p50 p90 p99 max errors [cpu% cpu-us-per-request]
    ROWS+=("$(printf '| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s |' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" \
        "${9:-}" "${10:-}")")
}
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { # pid -> utime+stime of the whole process
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

run_wrk() { # connections threads
    local out
    out=$(wrk -t"$2" -c"$1" -d"${DURATION}s" --latency "http://127.0.0.1:$NGINX_PORT/lookup?key=user%40example.com")
    echo "$out" >>"$WORK/wrk.log"
    local rps p50 p90 p99 max errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(to_us "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    p90=$(to_us "$(awk '$1 == "90%" {print $2}' <<<"$out")")
    p99=$(to_us "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    max=$(to_us "$(awk '$1 == "Latency" {print $4; exit}' <<<"$out")")
    errors=$(awk '/Non-2xx|Socket errors/ {s = s $0 "; "} END {print (s == "" ? 0 : s)}' <<<"$out")
    RPS[direct-$1]=$rps
    P99[direct-$1]=$p99
    row "nginx direct (wrk -t$2)" "$1" "$rps" "$p50" "$p90" "$p99" "$max" "$errors"
}

run_loadgen() { # mode port expect connections
    local json pid ticks_before=0 perf_pid=
    # The reference rows run before any connector: no CPU to count then.
    pid=$CONNECTOR_PID
    [[ $1 == http ]] && pid=
    [[ -n $pid ]] && ticks_before=$(cpu_ticks "$pid")
    if [[ -n ${PROFILE:-} && $1 == tcp && $4 == 64 && $CLIENT == "$FIRST_CLIENT" ]] && command -v perf >/dev/null; then
        perf record -q -F 999 -g -p "$CONNECTOR_PID" -o "$WORK/perf.data" -- sleep "$DURATION" 2>/dev/null &
        perf_pid=$!
    fi
    json=$("$LOADGEN" --mode "$1" --port "$2" --connections "$4" --duration "$DURATION" --expect "$3" \
        --key "$KEY" --map virtual --quiet | tail -1) || true
    echo "$json" >>"$WORK/loadgen.log"
    if [[ -n $perf_pid ]]; then
        wait "$perf_pid" || true
        perf report -i "$WORK/perf.data" --no-children -g none --sort dso,symbol --stdio 2>/dev/null \
            | grep -v '^$' | head -150 >"$PROFILE" || true
        perf report -i "$WORK/perf.data" --no-children -g none --sort dso --stdio 2>/dev/null \
            | grep -v '^#' | grep -v '^$' | head -25 >"$PROFILE.dso" || true
        log "profile written to $PROFILE and $PROFILE.dso"
    fi
    # CPU time the connector used during the run (not shown for the nginx reference rows).
    local ticks cpu per_request
    ticks=0
    [[ -n $pid ]] && ticks=$(( $(cpu_ticks "$pid") - ticks_before ))
    # Over the whole loadgen run (warm-up included): 100 % is one core's worth, the machine has $(nproc).
    cpu=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v d="$(json_field "$json" total_s)" \
        'BEGIN {if (d > 0) printf "%.0f", 100 * t / hz / d; else print "n/a"}')
    per_request=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v r="$(json_field "$json" total_replies)" \
        'BEGIN {if (r > 0) printf "%.0f", 1e6 * t / hz / r; else print "n/a"}')
    local errors
    errors="$(json_field "$json" error_total) $(sed -n 's/.*"errors":\({[^}]*}\).*/\1/p' <<<"$json")"
    # Keys: MODE-CONNECTIONS for the reference and the first client, MODE-CONNECTIONS-CLIENT for every client.
    local key=$1-$4
    [[ $1 != http && $CLIENT != "$FIRST_CLIENT" ]] && key=$1-$4-$CLIENT
    RPS[$key]=$(json_field "$json" rps)
    P99[$key]=$(json_field "$json" p99_us)
    P50[$key]=$(json_field "$json" p50_us)
    CPU_US[$key]=$per_request
    if [[ $1 != http && $CLIENT == "$FIRST_CLIENT" ]]; then
        RPS[$1-$4-$CLIENT]=${RPS[$key]} P99[$1-$4-$CLIENT]=${P99[$key]} CPU_US[$1-$4-$CLIENT]=$per_request
    fi
    local label="connector $1 ($CLIENT)"
    [[ $1 == http ]] && label="nginx direct (prc-loadgen http)"
    [[ $1 == http ]] && cpu= per_request=
    row "$label" "$4" "${RPS[$key]:-0}" "${P50[$key]}" "$(json_field "$json" p90_us)" \
        "${P99[$key]}" "$(json_field "$json" max_us)" "${errors:-?}" "$cpu" "$per_request"
}

log "ceiling: wrk at nginx, 1 and 64 connections, ${DURATION}s each"
run_wrk 1 1
run_wrk 64 2
# The same closed-loop client as for the connector, straight at nginx: the reference for added latency.
for connections in $CONNECTION_COUNTS; do
    log "reference: prc-loadgen http at nginx, $connections connections, ${DURATION}s"
    run_loadgen http "$NGINX_PORT" 200 "$connections"
done

for CLIENT in $CLIENTS; do
    start_connector "$WORK/connector-$CLIENT.json" "$WORK/connector-$CLIENT.log"
    for port in "$TCP_PORT" "$SOCKETMAP_PORT" "$POLICY_PORT"; do
        wait_port "$port" 10 || { cat "$WORK/connector-$CLIENT.log" >&2; exit 1; }
    done
    for mode in tcp socketmap policy; do
        case $mode in
            tcp) port=$TCP_PORT expect=200 ;;
            socketmap) port=$SOCKETMAP_PORT expect=OK ;;
            policy) port=$POLICY_PORT expect=DUNNO ;;
        esac
        for connections in $CONNECTION_COUNTS; do
            log "connector $mode ($CLIENT client), $connections connections, ${DURATION}s"
            run_loadgen "$mode" "$port" "$expect" "$connections"
        done
    done
    kill "$CONNECTOR_PID" 2>/dev/null || true
    wait "$CONNECTOR_PID" 2>/dev/null || true
    # Its port must be free again before the next client's connector binds it.
    sleep 1
done
CLIENT=$FIRST_CLIENT

# Memory: a fresh connector each time, so the heap grown by the load above does not hide the per-connection cost.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
measure_idle() { # name [loadgen flags...] -> sets RSS_BEFORE RSS_WITH SOCKETS IDLE_READY IDLE_OPEN PER_CONNECTION
    local name=$1 i
    shift
    log "RSS with $IDLE_CONNECTIONS idle tcp connections ($name)"
    start_connector "$WORK/connector-$FIRST_CLIENT.json" "$WORK/connector-$name.log"
    wait_port "$TCP_PORT" 10
    # One short closed loop first, so lazily created parts (the backend client, its connections) are counted in
    # the baseline rather than charged to the idle connections.
    "$LOADGEN" --mode tcp --port "$TCP_PORT" --connections 8 --duration 1 --expect 200 --quiet >/dev/null || true
    sleep 0.5
    RSS_BEFORE=$(rss_kib "$CONNECTOR_PID")
    SOCKETS_BEFORE=$(find "/proc/$CONNECTOR_PID/fd" -lname 'socket:*' 2>/dev/null | wc -l)
    "$LOADGEN" --mode tcp --port "$TCP_PORT" --idle "$IDLE_CONNECTIONS" --hold 8 --expect 200 --quiet "$@" \
        >"$WORK/idle-$name.log" 2>&1 &
    local idle_pid=$!
    PIDS+=("$idle_pid")
    for ((i = 0; i < 1200; i++)); do
        grep -q idle-ready "$WORK/idle-$name.log" && break
        sleep 0.05
    done
    sleep 2
    RSS_WITH=$(rss_kib "$CONNECTOR_PID")
    # Descriptors the connector holds: shows the connections were accepted, not just queued by the kernel.
    SOCKETS=$(find "/proc/$CONNECTOR_PID/fd" -lname 'socket:*' 2>/dev/null | wc -l)
    wait "$idle_pid" || true
    kill "$CONNECTOR_PID" 2>/dev/null || true
    wait "$CONNECTOR_PID" 2>/dev/null || true
    IDLE_READY=$(sed -n 's/.*"event":"idle-ready".*"ready":\([0-9]*\).*/\1/p' "$WORK/idle-$name.log")
    IDLE_OPEN=$(sed -n 's/.*"open-at-end":\([0-9]*\).*/\1/p' "$WORK/idle-$name.log")
    PER_CONNECTION=$(awk -v a="$RSS_BEFORE" -v b="$RSS_WITH" -v n="$IDLE_CONNECTIONS" 'BEGIN {printf "%.1f", (b - a) / n}')
    echo "$name: VmRSS $RSS_BEFORE -> $RSS_WITH KiB, $SOCKETS sockets, ready $IDLE_READY, open at end $IDLE_OPEN" \
        >>"$WORK/rss.log"
}
# Connections that never send anything: the kernel completes them, the connector accepts them as the backlog
# drains, so divide by what it actually holds.
measure_idle unused --no-idle-request
UNUSED_LINE="$(awk -v a="$RSS_BEFORE" -v b="$RSS_WITH" -v n="$((SOCKETS - SOCKETS_BEFORE))" \
    'BEGIN {if (n > 0) printf "%.1f", (b - a) / n; else print "n/a"}') KiB per accepted connection (VmRSS ${RSS_BEFORE} → ${RSS_WITH} KiB, $((SOCKETS - SOCKETS_BEFORE)) of $IDLE_CONNECTIONS accepted after 2 s)"
# The figure that counts: connections that have answered one request (sent 8 at a time, as connections
# come up one by one in Postfix), then sit idle.
measure_idle used --idle-concurrency 8

# --- report ---------------------------------------------------------------------------------------------------
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
verdict() { [[ $1 == 1 ]] && echo met || echo MISSED; }
measured() { [[ -n ${RPS[$1]:-} && -n ${RPS[$2]:-} ]]; } # both points were run

TCP_RATIO=$(ratio "${RPS[tcp-64]:-0}" "${RPS[direct-64]:-0}")
# Added latency: connector minus nginx measured by the same client (prc-loadgen http) at the same concurrency.
ADDED_P99_1=$(( ${P99[tcp-1]:-0} - ${P99[http-1]:-0} ))
ADDED_P99_64=$(( ${P99[tcp-64]:-0} - ${P99[http-64]:-0} ))
{
    echo "### Throughput and latency (${DURATION} s per point, loopback)"
    echo
    echo "| scenario | connections | req/s | p50 µs | p90 µs | p99 µs | max µs | errors | connector CPU % | CPU µs/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "### Ratios connector / ceiling (wrk at nginx; in brackets: prc-loadgen http at nginx, same connections)"
    echo
    echo "| mode | 1 conn | 64 conn | 1000 conn |"
    echo "|---|---:|---:|---:|"
    for mode in tcp socketmap policy; do
        echo "| $mode | $(ratio "${RPS[$mode-1]:-0}" "${RPS[direct-1]:-0}") ($(ratio "${RPS[$mode-1]:-0}" "${RPS[http-1]:-0}")) | $(ratio "${RPS[$mode-64]:-0}" "${RPS[direct-64]:-0}") ($(ratio "${RPS[$mode-64]:-0}" "${RPS[http-64]:-0}")) | n/a ($(ratio "${RPS[$mode-1000]:-0}" "${RPS[http-1000]:-0}")) |"
    done
    echo
    echo "### Targets"
    echo
    echo "| target | measured | verdict |"
    echo "|---|---|---|"
    if measured tcp-64 direct-64; then
        echo "| tcp-lookup ≥ 0.5× direct ceiling at 64 connections | ${TCP_RATIO}× (${RPS[tcp-64]} vs ${RPS[direct-64]} req/s) | $(verdict "$(awk -v r="$TCP_RATIO" 'BEGIN {print (r + 0 >= 0.5)}')") |"
    fi
    if measured tcp-1 http-1; then
        echo "| p99 added latency < 2 ms (tcp, 1 connection) | ${ADDED_P99_1} µs (p99 ${P99[tcp-1]} vs ${P99[http-1]} µs) | $(verdict "$((ADDED_P99_1 < 2000))") |"
    fi
    if measured tcp-64 http-64; then
        echo "| p99 added latency < 2 ms (tcp, 64 connections) | ${ADDED_P99_64} µs (p99 ${P99[tcp-64]} vs ${P99[http-64]} µs) | $(verdict "$((ADDED_P99_64 < 2000))") |"
    fi
    echo "| ≤ 16 KiB RSS per idle connection (after one request each) | ${PER_CONNECTION} KiB (VmRSS ${RSS_BEFORE} → ${RSS_WITH} KiB, ${SOCKETS} sockets held, ${IDLE_READY:-?} ready, ${IDLE_OPEN:-?} open at the end) | $(verdict "$(awk -v p="$PER_CONNECTION" 'BEGIN {print (p + 0 <= 16)}')") |"
    echo "| (for comparison: connections that never sent a request) | $UNUSED_LINE | |"
    # The backend client's own targets: the default client against the qt client, tcp-lookup, same run.
    if [[ $CLIENTS == *curl* ]] && measured tcp-64-curl tcp-1; then
        echo "| curl client: connector CPU ≤ 35 µs per request (tcp, 64 connections) | ${CPU_US[tcp-64-curl]} µs | $(verdict "$(awk -v c="${CPU_US[tcp-64-curl]}" 'BEGIN {print (c + 0 <= 35 && c != "n/a")}')") |"
        echo "| curl client: p99 < 5 ms (tcp, 64 connections) | ${P99[tcp-64-curl]} µs | $(verdict "$(awk -v p="${P99[tcp-64-curl]}" 'BEGIN {print (p + 0 < 5000)}')") |"
        if [[ $FIRST_CLIENT == curl ]] && measured tcp-1 http-1; then
            echo "| curl client: p50 ≤ 100 µs above nginx direct (tcp, 1 connection) | $(( ${P50[tcp-1]:-0} - ${P50[http-1]:-0} )) µs (p50 ${P50[tcp-1]} vs ${P50[http-1]} µs) | $(verdict "$(( ${P50[tcp-1]:-0} - ${P50[http-1]:-0} <= 100 ))") |"
        fi
        if measured tcp-64-curl tcp-64-qt; then
            echo "| curl client: throughput ≥ 3× the qt client's (tcp, 64 connections) | $(ratio "${RPS[tcp-64-curl]}" "${RPS[tcp-64-qt]}")× (${RPS[tcp-64-curl]} vs ${RPS[tcp-64-qt]} req/s; CPU ${CPU_US[tcp-64-curl]} vs ${CPU_US[tcp-64-qt]} µs/req) | $(verdict "$(awk -v r="$(ratio "${RPS[tcp-64-curl]}" "${RPS[tcp-64-qt]}")" 'BEGIN {print (r + 0 >= 3)}')") |"
        fi
    fi
} | tee "$RESULTS"
log "table written to $RESULTS"
[[ ${FLEET:-1} == 0 ]] || run_fleet
log "table written to $RESULTS"
