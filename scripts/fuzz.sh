#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz and runs each for SECONDS (default 60).
# Prints one summary line per target; exits non-zero if any target crashed or failed to run.
#   scripts/fuzz.sh [SECONDS]          env: FUZZ_TARGETS="fuzz_policy ...", BUILD_DIR, JOBS
set -euo pipefail

SECONDS_PER_TARGET=${1:-60}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${JOBS:-2}
TARGETS=${FUZZ_TARGETS:-fuzz_tcptable fuzz_socketmap fuzz_policy fuzz_config}

CC_BIN=${CC:-}
CXX_BIN=${CXX:-}
if [[ -z $CXX_BIN ]]; then
    for v in 14 15 16 17 ""; do
        if command -v "clang++${v:+-$v}" >/dev/null; then
            CXX_BIN=clang++${v:+-$v}
            CC_BIN=clang${v:+-$v}
            break
        fi
    done
fi
[[ -n $CXX_BIN ]] || { echo "fuzz.sh: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

# Per-target input size limits: a little above the limits the code enforces, so both sides get exercised.
max_len() {
    case $1 in
        fuzz_tcptable) echo 4200 ;;
        fuzz_socketmap) echo 4096 ;;
        fuzz_policy) echo 4200 ;;
        fuzz_config) echo 8192 ;;
        *) echo 4096 ;;
    esac
}
dict() {
    case $1 in
        fuzz_tcptable) echo tcptable ;;
        fuzz_socketmap) echo socketmap ;;
        fuzz_policy) echo policy ;;
        fuzz_config) echo config ;;
    esac
}

echo "== configure $BUILD_DIR ($CXX_BIN)"
mkdir -p "$BUILD_DIR"
CC=$CC_BIN CXX=$CXX_BIN cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPRC_BUILD_FUZZ=ON -DPRC_BUILD_TESTS=OFF -DPRC_BUILD_GUI=OFF -DPRC_BUILD_EXAMPLES=OFF -DPRC_BUILD_BENCH=OFF \
    >"$BUILD_DIR/configure.log" 2>&1 || { cat "$BUILD_DIR/configure.log" >&2; exit 2; }
echo "== build $TARGETS"
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" --parallel "$JOBS" --target $TARGETS

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
summary=()
for target in $TARGETS; do
    binary=$BUILD_DIR/fuzz/$target
    seeds=$ROOT/fuzz/corpus/$target
    # New inputs go to a working corpus in the build dir; the seed corpus in the tree stays small and reviewed.
    work=$BUILD_DIR/fuzz-corpus/$target
    artifacts=$BUILD_DIR/fuzz-artifacts/$target/
    log=$BUILD_DIR/fuzz-logs/$target.log
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"
    dict_file=$ROOT/fuzz/dict/$(dict "$target").dict
    args=(-max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 -artifact_prefix="$artifacts")
    [[ -f $dict_file ]] && args+=(-dict="$dict_file")
    echo "== run $target for ${SECONDS_PER_TARGET}s (log: $log)"
    set +e
    "$binary" "${args[@]}" "$work" "$seeds" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
    units=$(find "$work" -type f | wc -l)
    if [[ $rc -eq 0 ]]; then
        result=ok
    else
        result="FAILED (exit $rc)"
        failed=1
        crash=$(find "$artifacts" -type f -newer "$binary" | head -1)
        [[ -n $crash ]] && result+=", input: $crash"
        grep -E 'ERROR: |property violated|runtime error' "$log" | head -3 >&2 || true
    fi
    summary+=("$(printf '%-16s execs=%-10s execs/s=%-7s %-18s corpus=%-5s %s' "$target" "${execs:-?}" \
        "${rate:-?}" "${cov:-cov: ?}" "$units" "$result")")
done

echo "== summary (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
exit $failed
