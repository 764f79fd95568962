#!/usr/bin/env bash
# Runs every benchmark against the optimised build in BUILD_DIR. Record results in RESULTS.md.
set -euo pipefail
BUILD=${1:-build-bench}
DIR=$(dirname "$0")
echo "== client overhead"; bash "$DIR/client_overhead.sh" "$BUILD"
echo "== memory";          bash "$DIR/memory.sh" "$BUILD"
