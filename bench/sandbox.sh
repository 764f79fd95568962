#!/usr/bin/env bash
# The sandbox (docs/sandbox.md): how long one trivial program takes from clone to reaped, run
# one after another, and how many programs a second it finishes with CONCURRENCY runs at once
# (default 2, the target machine's cores). Targets: a trivial program in under 20 ms, and 100
# programs a second on 2 cores. Three programs: /bin/true (the sandbox's own cost), and Python
# 3 on `pass` with and without `site` (the interpreter's start-up dominates).
# Usage: bench/sandbox.sh BUILD_DIR [RUNS] [CONCURRENCY]
set -euo pipefail
BUILD=${1:?usage: sandbox.sh BUILD_DIR [RUNS] [CONCURRENCY]}
RUNS=${2:-500}
CONCURRENCY=${3:-2}
source "$(dirname "$0")/lib.sh"
ninja -C "$BUILD" sandbox_bench >/dev/null
BIN="$BUILD/bench/sandbox_bench"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
"$BIN" "$RUNS" "$CONCURRENCY" /bin/true
"$BIN" $((RUNS / 5)) "$CONCURRENCY" /usr/bin/python3 -I -S -c pass
"$BIN" $((RUNS / 5)) "$CONCURRENCY" /usr/bin/python3 -I -B -c pass
echo "for comparison, without namespaces (process_only):"
SANDBOX_BENCH_PROCESS_ONLY=1 "$BIN" "$RUNS" "$CONCURRENCY" /bin/true
