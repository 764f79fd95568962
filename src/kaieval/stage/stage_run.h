// One stage evaluation from its config and recorded evidence: scores, intervals, gates,
// selection, P(advance), sensitivity, and the report JSON that records it with the hashes of the
// config and every evidence file. `kaieval stage run` writes it; `kaieval stage verify`
// recomputes it and compares, byte for byte.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/stage/evidence.h"
#include "kaieval/stage/originality.h"
#include "kaieval/stage/selection.h"
#include "kaieval/stage/stage_config.h"

namespace kaieval::stage {

struct StageRun {
  std::string config_path;  // as given
  StageConfig config;
  EvidenceSet evidence;
  OriginalityEvidence originality;
  std::vector<bool> gates;
  std::vector<std::string> gate_notes;
  StageDecision decision;
  std::vector<Perturbation> sensitivity;
};

// Loads the config and evidence and decides. Deterministic for the same files.
StageRun RunStage(const std::string& config_path);

// The report: stage, config {path, hash}, bootstrap, teams (total, interval, P(advance), gates,
// rank, advances), the rubric tree with per-team points and intervals, gate failures,
// sensitivity, evidence {path, hash} and notes.
nlohmann::ordered_json StageReportJson(const StageRun& run);

}  // namespace kaieval::stage
