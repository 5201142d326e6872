#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Mutation check: puts realistic one-line bugs (scripts/mutants.txt) into the tree one at a time, rebuilds, runs
# the tests that should notice, puts the original text back, and reports which bugs the suite caught. Not part
# of CI: it takes a while (a rebuild and a test run per mutant). See docs/testing.md.
#
# Usage: scripts/mutation-check.sh [options]
#   --build-dir DIR   configured build directory to use (default: <source>/build; configured here if missing)
#   --mutants FILE    mutant list (default: scripts/mutants.txt)
#   --only ID[,ID]    only these mutants
#   --area AREA       only the mutants of one area
#   --tests REGEX     run these tests (ctest -R) for every mutant instead of each mutant's "tests" subset
#   --full            run the whole suite for every mutant instead of each mutant's "tests" subset
#   --confirm         run the whole suite again for every mutant its subset missed
#   -j, --jobs N      build and test jobs (default 2)
#   --timeout S       per-test timeout for ctest (default 180); a mutant that hangs a test counts as caught
#   --report FILE     also write the report there (default: <build-dir>/mutation-report.txt)
#   --check           only say which mutants apply to the tree; build nothing
#   --strict          stop when a test fails on the unmutated tree (by default that test sits out every run)
#
# The files are edited in place and restored after each mutant, also on Ctrl-C or a failed build; do not edit
# the source tree while it runs. A mutant whose original text is not in its file exactly once is reported
# "not applicable" and left out of the kill rate, as is one that does not compile.
# Exit status: 0 when every applicable mutant was caught, 1 when some were missed, 2 on a usage or setup error.

set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PRC_MUTATION_SRC="$SRC"

exec python3 - "$@" <<'PYTHON'
import argparse
import os
import re
import signal
import subprocess
import sys
import time

SRC = os.environ["PRC_MUTATION_SRC"]
FIELDS = ("id", "area", "file", "tests", "description", "original", "replacement")


def unescape(text):
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "nt\\":
                out.append({"n": "\n", "t": "\t", "\\": "\\"}[nxt])
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


def parse(path):
    mutants, block, problems = [], {}, []

    def close(lineno):
        if not block:
            return
        missing = [f for f in FIELDS if f not in block and f != "tests"]
        if missing:
            problems.append(f"{path}:{lineno}: mutant {block.get('id', '?')}: missing {', '.join(missing)}")
        else:
            mutants.append(dict(block))
        block.clear()

    lineno = 0
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip():
                close(lineno)
                continue
            if line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            key = key.strip()
            if not sep or key not in FIELDS:
                problems.append(f"{path}:{lineno}: expected 'key: value' with a key of {', '.join(FIELDS)}")
                continue
            if key in block:
                problems.append(f"{path}:{lineno}: {key} given twice in one mutant")
            # One space after the colon belongs to the syntax; further leading spaces are part of the text.
            value = value[1:] if value.startswith(" ") else value
            block[key] = unescape(value) if key in ("original", "replacement") else value.strip()
    close(lineno + 1)
    ids = [m["id"] for m in mutants]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{path}: id {dup} used more than once")
    return mutants, problems


def run(cmd, log, timeout=None, cwd=None):
    with open(log, "a", encoding="utf-8", errors="replace") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            out.write(f"\n(killed after {timeout} s)\n")
            return None
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise


def failed_tests(log_text):
    names = re.findall(r"^\s*\d+ - (\S+) \(", log_text.split("The following tests FAILED:")[-1], re.M)
    return sorted(set(names)) if "The following tests FAILED:" in log_text else []


def main():
    ap = argparse.ArgumentParser(prog="mutation-check.sh")
    ap.add_argument("--build-dir", default=os.path.join(SRC, "build"))
    ap.add_argument("--mutants", default=os.path.join(SRC, "scripts", "mutants.txt"))
    ap.add_argument("--only", default="")
    ap.add_argument("--area", default="")
    ap.add_argument("--tests", default="")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--confirm", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--report", default="")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()

    mutants, problems = parse(args.mutants)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m["id"] for m in mutants}
        if unknown:
            print(f"unknown mutant id(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        mutants = [m for m in mutants if m["id"] in wanted]
    if args.area:
        mutants = [m for m in mutants if m["area"] == args.area]
    if not mutants:
        print("no mutants selected", file=sys.stderr)
        return 2
    if args.tests:
        for m in mutants:
            m["tests"] = args.tests

    # Which mutants apply to the tree as it is now.
    for m in mutants:
        path = os.path.join(SRC, m["file"])
        if not os.path.isfile(path):
            m["status"], m["why"] = "not applicable", f"{m['file']} does not exist"
            continue
        with open(path, encoding="utf-8") as f:
            count = f.read().count(m["original"])
        if count != 1:
            m["status"] = "not applicable"
            m["why"] = "original text not found" if count == 0 else f"original text found {count} times"
    if args.check:
        for m in mutants:
            print(f"{m.get('status', 'applies'):>15}  {m['id']}  ({m['file']}){'  ' + m['why'] if 'why' in m else ''}")
        return 0

    build = os.path.abspath(args.build_dir)
    logs = os.path.join(build, "mutation-logs")
    os.makedirs(logs, exist_ok=True)
    report_path = args.report or os.path.join(build, "mutation-report.txt")
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        say(f"configuring {build}")
        if run(["cmake", "-S", SRC, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"], os.path.join(logs, "configure.log")) != 0:
            print(f"configure failed; see {logs}/configure.log", file=sys.stderr)
            return 2

    def tests_for(regex):
        out = subprocess.run(["ctest", "--test-dir", build, "-N"] + (["-R", regex] if regex else []),
                             capture_output=True, text=True).stdout
        return re.findall(r"Test\s+#\d+: (\S+)", out)

    def build_targets(regex, log):
        # The test executables share their test's name; every test may start the service executable.
        targets = [] if regex is None else tests_for(regex) + ["postfix-rest-connector"]
        cmd = ["cmake", "--build", build, "-j", str(args.jobs)]
        for t in targets:
            cmd += ["--target", t]
        return run(cmd, log) == 0

    excluded = []  # tests that already fail on the unmutated tree

    def run_tests(regex, log):
        cmd = ["ctest", "--test-dir", build, "-j", str(args.jobs), "--timeout", str(args.timeout),
               "--output-on-failure"]
        if regex:
            cmd += ["-R", regex]
        if excluded:
            cmd += ["-E", "^(" + "|".join(excluded) + ")$"]
        count = len(tests_for(regex))
        # ctest's own timeout is per test; this bounds the whole run should ctest itself get stuck.
        code = run(cmd, log, timeout=args.timeout * max(count, 1) + 60)
        with open(log, encoding="utf-8", errors="replace") as f:
            failed = failed_tests(f.read())
        return code, failed

    # Every subset must pass on the unmutated tree, or a "caught" would mean nothing.
    regexes = sorted({"" if args.full else m.get("tests", "") for m in mutants if m.get("status") is None})
    union = None if "" in regexes else "|".join(regexes)
    say(f"mutation check of {SRC} in {build}, {len(mutants)} mutant(s), {args.jobs} job(s)")
    baseline_log = os.path.join(logs, "baseline.log")
    open(baseline_log, "w").close()
    started = time.monotonic()
    if not build_targets(union, baseline_log):
        print(f"the unmutated tree does not build; see {baseline_log}", file=sys.stderr)
        return 2
    code, failed = run_tests(union, baseline_log)
    if code != 0 and failed and not args.strict:
        # A test that fails already cannot tell a mutant from the tree; it sits out, and the report says so.
        excluded.extend(failed)
        say(f"baseline: {', '.join(failed)} already fail(s) on the unmutated tree and sit(s) out every run")
        code, failed = run_tests(union, baseline_log)
    if code != 0:
        print(f"the unmutated tree fails its tests ({', '.join(failed) or 'see log'}); see {baseline_log}",
              file=sys.stderr)
        return 2
    say(f"baseline: {len(tests_for(union)) - len(excluded)} test(s) pass "
        f"({time.monotonic() - started:.0f} s)")
    say()

    current = {"path": None, "text": None}

    def restore():
        if current["path"] is not None:
            with open(current["path"], "w", encoding="utf-8") as f:
                f.write(current["text"])
            current["path"] = None

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    interrupted = False
    try:
        for n, m in enumerate(mutants, 1):
            label = f"[{n}/{len(mutants)}] {m['id']} ({m['area']})"
            if m.get("status"):
                say(f"{label}: NOT APPLICABLE - {m['why']} in {m['file']}")
                continue
            log = os.path.join(logs, m["id"] + ".log")
            open(log, "w").close()
            path = os.path.join(SRC, m["file"])
            with open(path, encoding="utf-8") as f:
                text = f.read()
            current["path"], current["text"] = path, text
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(m["original"], m["replacement"], 1))
            t0 = time.monotonic()
            regex = None if args.full else m.get("tests") or None
            if not build_targets(regex, log):
                m["status"] = "build failed"
                restore()
                say(f"{label}: BUILD FAILED (not counted) - see {log}")
                continue
            code, failed = run_tests(regex, log)
            if code != 0:
                m["status"], m["by"] = "caught", failed or ["(ctest timed out)" if code is None else "(see log)"]
            elif args.confirm and not args.full:
                # Missed by its subset: does anything else in the suite notice?
                if not build_targets(None, log):
                    code, failed = 1, ["(the full build failed)"]
                else:
                    code, failed = run_tests(None, log)
                if code != 0:
                    m["status"], m["by"] = "caught", (failed or ["(see log)"])
                    m["outside"] = True
                else:
                    m["status"] = "missed"
            else:
                m["status"] = "missed"
            restore()
            took = f"{time.monotonic() - t0:.0f} s"
            if m["status"] == "caught":
                extra = " (outside its subset)" if m.get("outside") else ""
                say(f"{label}: caught by {', '.join(m['by'])}{extra} ({took})")
            else:
                say(f"{label}: MISSED - {m['description']} ({m['file']}) ({took})")
    except KeyboardInterrupt:
        interrupted = True
    finally:
        restore()

    # Leave the build matching the restored tree.
    build_targets(union, os.path.join(logs, "final-build.log"))

    caught = [m for m in mutants if m.get("status") == "caught"]
    missed = [m for m in mutants if m.get("status") == "missed"]
    skipped = [m for m in mutants if m.get("status") in ("not applicable", "build failed")]
    say()
    if interrupted:
        say("interrupted; the results below cover the mutants run so far")
    counted = len(caught) + len(missed)
    rate = f"{100.0 * len(caught) / counted:.0f}%" if counted else "n/a"
    say(f"kill rate: {len(caught)} of {counted} caught ({rate}); {len(skipped)} not counted "
        f"(not applicable or not compiling); {time.monotonic() - started:.0f} s in all")
    for m in missed:
        say(f"  missed: {m['id']} ({m['area']}): {m['description']}")
    for m in skipped:
        say(f"  not counted: {m['id']}: {m.get('why', m['status'])}")
    if excluded:
        say(f"  sat out (failing before any mutant): {', '.join(excluded)}")
    with open(report_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report: {report_path}")
    if interrupted:
        return 130
    return 1 if missed else 0


sys.exit(main())
PYTHON
