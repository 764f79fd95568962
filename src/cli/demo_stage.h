// The stage part of `kaieval demo`: SIMULATED experts score the teams' submissions (hidden
// quality plus each simulated reviewer's severity plus noise), then the stage is decided from
// all the demo's evidence and printed, with its report.
#pragma once

#include <string>

namespace kaieval::cli {

// Writes OUT_DIR/stage.yaml (the example with its evidence pointed at OUT_DIR),
// OUT_DIR/reviews.csv (simulated) and OUT_DIR/stage/report.json, and prints the decision.
void RunDemoStage(const std::string& stage_example, const std::string& out_dir);

}  // namespace kaieval::cli
