// StageConfig: one stage evaluation (stage.yaml): the teams, the rubric tree with its scoring
// rules and evidence, the gates with recorded committee overrides, and the selection rule.
// Read by `kaieval stage`; documented in docs/stage-format.md.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kaieval/review/panel.h"
#include "kaieval/stage/rubric.h"
#include "kaieval/stage/selection.h"

namespace kaieval::stage {

struct Team {
  std::string name;          // as the report shows it
  std::string organisation;  // for conflicts of interest and identity words
  std::string model_type;    // as --model; empty: no endpoint
  std::string model_args;    // as --model-args
  std::string arena_name;    // the team's model in the public contest (default: name)
  std::string run_name;      // the folder of its benchmark results under evidence.runs (default: arena_name)
  std::vector<std::string> repos;    // released model repo ids, for the derivative count
  std::vector<std::string> hub_accounts;  // Hub accounts affiliated with the team (counted apart)
  std::vector<std::string> weights;  // weight files, for the originality check
};

struct SafetyGate {
  std::string leaf;  // a rubric leaf whose score must lie in [min, max]
  double min = -HUGE_VAL;
  double max = HUGE_VAL;  // for scores where lower is safer (a violation rate)
};

struct GateOverride {
  std::string team;
  std::string gate;      // originality
  std::string decision;  // pass or fail
  std::string reason;    // required: the committee's recorded reason
};

struct StageConfig {
  std::filesystem::path path;
  std::string name;
  double total_points = 100;
  uint64_t seed = 1234;
  int bootstrap = 1000;
  SelectionRule selection;
  std::vector<Team> teams;
  RubricNode rubric;
  bool originality_required = true;
  // Per team (by name): "pass" or "fail", recorded where no originality evidence is read.
  std::vector<std::pair<std::string, std::string>> originality_verdicts;
  // Per team (by name): a `kaieval origin compare --json` report (resolved path), whose verdict
  // decides the gate: derived fails, original passes, inconclusive passes with a note.
  std::vector<std::pair<std::string, std::string>> originality_reports;
  std::vector<SafetyGate> safety;
  std::vector<GateOverride> overrides;
  // Where the evidence is, relative to the config's folder.
  std::string runs_dir;    // benchmark results: <runs_dir>/<team run_name>/results_*.json
  std::string contest_db;  // the public contest's store
  std::string reviews_csv;  // the expert panels' scores (item, reviewer, criterion, score)
  std::string hub_snapshot;  // a Hub snapshot (JSONL of ModelInfo), for derivative counts
  // The `review:` section: panels, reviewers, items (docs/review.md).
  bool has_review = false;
  review::ReviewConfig review;
};

// Reads and checks stage.yaml: known keys only, unique team names, a rubric whose points add up
// to total_points, leaves with evidence and a rule, gates naming known leaves and teams, and
// overrides with a reason. Throws InputError naming the file, line and field.
StageConfig LoadStageConfig(const std::filesystem::path& path);

// The index of the team named `name`, or -1.
int TeamIndex(const StageConfig& config, const std::string& name);

}  // namespace kaieval::stage
