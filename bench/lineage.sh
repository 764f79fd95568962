#!/usr/bin/env bash
# Derivative counts at scale: `kaieval lineage count` over a generated snapshot of MODELS models
# (default 2,000,000; power-law fan-out, depth up to 6, 30% quantized) for all 50 roots, as a
# table and as JSON (target: under 10 s wall and 2 GB max RSS). Then the same on half the models,
# to show that memory grows with the graph only. Wall, CPU and max RSS from /usr/bin/time -v;
# the snapshot is read once first, so it is in the page cache.
# Usage: bench/lineage.sh BUILD_DIR [MODELS]
set -euo pipefail
BUILD=${1:?usage: lineage.sh BUILD_DIR [MODELS]}
N=${2:-2000000}
source "$(dirname "$0")/lib.sh"

ROOTS=()
for i in $(seq 0 49); do ROOTS+=(--root "org-$i/model-$i"); done
start=$(date +%s.%N)
"$KAIEVAL" lineage generate --models "$N" --roots 50 --seed 1 --out "$WORK/snapshot.jsonl" 2>/dev/null
echo "generated $N models in $(echo "$(date +%s.%N) - $start" | bc) s, $(du -m "$WORK/snapshot.jsonl" | cut -f1) MB of JSONL"
"$KAIEVAL" lineage generate --models $((N / 2)) --roots 50 --seed 2 --out "$WORK/half.jsonl" 2>/dev/null

# measure LABEL FILE ARGS...: one run, reported as a row.
measure() {
  local label=$1 file=$2
  shift 2
  cat "$file" >/dev/null
  /usr/bin/time -v -o "$WORK/time.txt" "$KAIEVAL" lineage count "$file" "${ROOTS[@]}" "$@" >"$WORK/out.txt"
  local wall user sys rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
  user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
    'BEGIN { printf "%-44s wall %8s  cpu %6.2f s  max RSS %7.1f MB\n", l, w, u + s, r / 1024 }'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "$N models, 50 roots, table" "$WORK/snapshot.jsonl"
measure "$N models, 50 roots, --json" "$WORK/snapshot.jsonl" --json
measure "$N models, 50 roots, every rule off" "$WORK/snapshot.jsonl" --disable affiliated,empty,near_duplicate,farm
measure "$((N / 2)) models, 50 roots, table" "$WORK/half.jsonl"
grep -m1 "^snapshot" "$WORK/out.txt" || true
