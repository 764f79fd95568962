#!/usr/bin/env bash
# Runs every benchmark against the optimised build in BUILD_DIR. Record results in RESULTS.md.
set -euo pipefail
BUILD=${1:-build-bench}
DIR=$(dirname "$0")
echo "== client overhead (shared cores)"; bash "$DIR/client_overhead.sh" "$BUILD"
echo "== client overhead (pinned)"; PIN=1 bash "$DIR/client_overhead.sh" "$BUILD"
echo "== memory";          bash "$DIR/memory.sh" "$BUILD"
echo "== engine (14,000 items)"; bash "$DIR/engine.sh" "$BUILD" 14000
echo "== engine (100,000 items)"; bash "$DIR/engine.sh" "$BUILD" 100000
echo "== arena rating (1,800,000 battles)"; bash "$DIR/rating.sh" "$BUILD"
echo "== contest votes (wrk, 64 connections)"; bash "$DIR/contest_votes.sh" "$BUILD" 5 64
echo "== lineage counts (2,000,000 models, 50 roots)"; bash "$DIR/lineage.sh" "$BUILD"
echo "== judge throughput (500 prompts, 64 in flight)"; bash "$DIR/judge.sh" "$BUILD" 500 64
echo "== origin compare (two 2B BF16 checkpoints)"; bash "$DIR/origin.sh" "$BUILD"
