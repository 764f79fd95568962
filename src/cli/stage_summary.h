// The stage decision as the terminal shows it and as report.json records it; shared by
// `kaieval stage run` and `kaieval demo`.
#pragma once

#include <string>

#include "kaieval/stage/stage_run.h"

namespace kaieval::cli {

// The decision table (points per top-level item, total with its interval, P(advance), gates,
// decision), gate failures, sensitivity findings and notes, on stdout.
void PrintStageSummary(const stage::StageRun& run);

// Writes OUT_DIR/report.json and, when `store` names an evidence store, records the decision
// there too (with the config hash); returns the report's path.
std::string WriteStageReport(const stage::StageRun& run, const std::string& out_dir,
                             const std::string& store = "");

}  // namespace kaieval::cli
