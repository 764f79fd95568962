#!/usr/bin/env bash
# Arena rating at scale: `kaieval arena rate --bootstrap 100` on BATTLES generated battles among
# 130 models (default 1,800,000; target: fit + 100 bootstrap rounds in under 2 s wall), then the
# same on twice the battles, to show that peak memory does not grow with the battles: the reader
# counts (model_a, model_b, winner) cells as it streams, and the fit and the bootstrap work on
# the cells. Wall, CPU and max RSS from /usr/bin/time -v; the input is read once first, so it
# is in the page cache. Usage: bench/rating.sh BUILD_DIR [BATTLES]
set -euo pipefail
BUILD=${1:?usage: rating.sh BUILD_DIR [BATTLES]}
N=${2:-1800000}
source "$(dirname "$0")/lib.sh"
GEN="$SRC/tests/conformance/generate_battles.py"

python3 "$GEN" "$WORK/battles.jsonl" --models 130 --battles "$N" --seed 1
python3 "$GEN" "$WORK/double.jsonl" --models 130 --battles $((2 * N)) --seed 2
python3 "$GEN" "$WORK/small.jsonl" --models 130 --battles 20000 --seed 3

# measure LABEL FILE ARGS...: one run, reported as a row.
measure() {
  local label=$1 file=$2
  shift 2
  cat "$file" >/dev/null
  /usr/bin/time -v -o "$WORK/time.txt" "$KAIEVAL" arena rate "$file" "$@" >"$WORK/out.txt"
  local wall user sys rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
  user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
    'BEGIN { printf "%-46s wall %8s  cpu %6.2f s  max RSS %6.1f MB\n", l, w, u + s, r / 1024 }'
}

echo "input: $N battles, 130 models, $(du -m "$WORK/battles.jsonl" | cut -f1) MB of JSONL"
measure "20000 battles, --bootstrap 100 (baseline)" "$WORK/small.jsonl" --bootstrap 100
measure "$N battles, --bootstrap 100" "$WORK/battles.jsonl" --bootstrap 100
measure "$N battles, --bootstrap 100 --threads 1" "$WORK/battles.jsonl" --bootstrap 100 --threads 1
measure "$N battles, --bootstrap 2 (reading + fit)" "$WORK/battles.jsonl" --bootstrap 2 --threads 1
measure "$((2 * N)) battles, --bootstrap 100" "$WORK/double.jsonl" --bootstrap 100
measure "$N battles, --bootstrap 1000" "$WORK/battles.jsonl" --bootstrap 1000
head -1 "$WORK/out.txt"
