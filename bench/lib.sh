# Shared set-up of the benchmark scripts: sourced after BUILD is set. Defines SRC, KAIEVAL,
# WORK (removed on exit, with every background job ended) and start_refmodel.
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KAIEVAL="$BUILD/kaieval"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

# start_refmodel [PREFIX...]: serves the reference models on a free port (PREFIX, e.g.
# "taskset -c 1", runs the server under it); sets PORT.
start_refmodel() {
  "$@" "$KAIEVAL" refmodel serve --config "$SRC/examples/refmodel/models.yaml" --port 0 \
    --port-file "$WORK/port" --threads 128 2>"$WORK/server.log" &
  for _ in $(seq 300); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  PORT=$(cat "$WORK/port")
}
