#!/usr/bin/env bash
# Weight comparison at scale: `kaieval origin compare` on two generated 2-billion-parameter BF16
# checkpoints (about 4 GB each: B = A + noise, so every tensor is compared and flagged), against
# bench/origin_numpy.py computing the same per-tensor Pearson and cosine with NumPy, in the same
# run, from the page cache. The models are generated once under MODELS_DIR (default
# BUILD_DIR/origin-bench, 8.1 GB; free disk is checked first) and kept for later runs.
# Wall, CPU and max RSS from /usr/bin/time -v; throughput = bytes of both files / wall.
# Usage: bench/origin.sh BUILD_DIR [MODELS_DIR]
set -euo pipefail
BUILD=${1:?usage: origin.sh BUILD_DIR [MODELS_DIR]}
source "$(dirname "$0")/lib.sh"
MODELS=${2:-$BUILD/origin-bench}
PY=/usr/bin/python3
SHAPE=(--hidden 2048 --layers 24 --intermediate 8192 --kv-hidden 2048 --vocab 100000 --no-vision --dtype BF16)

mkdir -p "$MODELS"
if [ ! -s "$MODELS/B/model.safetensors" ]; then
  need_kb=$((8600 * 1024))
  free_kb=$(df -Pk "$MODELS" | awk 'NR == 2 { print $4 }')
  [ "$free_kb" -gt "$need_kb" ] || { echo "origin bench: needs 8.6 GB free in $MODELS, has $((free_kb / 1024)) MB"; exit 1; }
  echo "generating A and B under $MODELS (once)"
  "$KAIEVAL" origin make-test-models "$MODELS" --models AB --seed 1 "${SHAPE[@]}" >/dev/null
fi
A="$MODELS/A/model.safetensors"
B="$MODELS/B/model.safetensors"
BYTES=$(( $(stat -c %s "$A") + $(stat -c %s "$B") ))
free_mem_kb=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
echo "input: $(( BYTES / 1000000 )) MB in two files; $(( free_mem_kb / 1024 )) MB of memory available for the page cache"
cat "$A" "$B" >/dev/null  # into the page cache
# The machine may be shared: the load average says how much of the 2 cores this run had.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure LABEL OUT -- COMMAND...: one timed run, printed as a row with the throughput.
measure() {
  local label=$1 out=$2
  shift 3
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$out"
  local wall user sys rss secs
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
  user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  secs=$(awk -v w="$wall" 'BEGIN { n = split(w, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }')
  echo "$secs" >"$out.secs"
  awk -v l="$label" -v w="$secs" -v u="$user" -v s="$sys" -v r="$rss" -v b="$BYTES" \
    'BEGIN { printf "%-40s wall %7.2f s  cpu %7.2f s  %6.2f GB/s  max RSS %7.1f MB\n", l, w, u + s, b / w / 1e9, r / 1024 }'
}

measure "kaieval origin compare --threads 1" "$WORK/k1.json" -- \
  "$KAIEVAL" origin compare "$B" "$A" --json --threads 1
measure "kaieval origin compare --threads 2" "$WORK/k2.json" -- \
  "$KAIEVAL" origin compare "$B" "$A" --json --threads 2
measure "numpy (bench/origin_numpy.py)" "$WORK/np.json" -- "$PY" "$SRC/bench/origin_numpy.py" "$B" "$A"

"$PY" - "$WORK/k1.json" "$WORK/k2.json" "$WORK/np.json" "$WORK/k1.json.secs" "$WORK/k2.json.secs" \
  "$WORK/np.json.secs" <<'PY'
import json, sys
k1, k2, ref = (json.load(open(p)) for p in sys.argv[1:4])
t1, t2, tn = (float(open(p).read()) for p in sys.argv[4:7])
ours = {}
for t in k1["references"][0]["tensors"] + k1["references"][0]["vectors"]:
    ours[t["name"]] = t
worst_p = worst_c = 0.0
for r in ref["tensors"]:
    o = ours[r["name"]]
    worst_p = max(worst_p, abs(o["pearson"] - r["pearson"]))
    worst_c = max(worst_c, abs(o["cosine"] - r["cosine"]))
assert len(ref["tensors"]) == len(ours), (len(ref["tensors"]), len(ours))
assert worst_p < 1e-5 and worst_c < 1e-5, (worst_p, worst_c)
print(f"agreement over {len(ours)} tensors: max |pearson diff| {worst_p:.2e}, max |cosine diff| {worst_c:.2e}")
print(f"verdict: {k1['verdict']}; derived components: {[d['component'] for d in k1['derived']]}")
print(f"speed-up over numpy: {tn / t1:.2f}x with 1 thread, {tn / t2:.2f}x with 2 threads")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
