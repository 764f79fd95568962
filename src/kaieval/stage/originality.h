// The originality gate's evidence: per team, the `kaieval origin compare --json` report named in
// gates.originality.reports (its verdict decides the gate), or the verdict recorded in the
// config, or a committee override. RunStage folds the verdicts into the gate; the report shows
// each team's verdict with its components and heatmaps.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/stage/stage_config.h"

namespace kaieval::stage {

struct OriginalityEvidence {
  // Per team named by a report: "pass" (original, inconclusive) or "fail" (derived).
  std::vector<std::pair<std::string, std::string>> verdicts;
  std::vector<std::string> sources;  // the report files read
  std::vector<std::string> notes;    // inconclusive verdicts, for the committee
  // Per team, in config order: {team, gate ("pass", "fail" or null), source ("report",
  // "recorded", "override" or null), verdict, derived, null, components, references (without
  // the tensor lists), override_reason}.
  nlohmann::ordered_json report = nlohmann::ordered_json::array();
};

// Reads every report of config.originality_reports. Throws InputError naming the config field
// and file for a missing file, one that is not an origin report, or an unknown verdict.
OriginalityEvidence ReadOriginality(const StageConfig& config);

}  // namespace kaieval::stage
