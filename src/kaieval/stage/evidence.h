// Stage evidence: the score of every team on every rubric leaf, read from the recorded evidence
// (benchmark results and samples, the public contest's store, values in the config), and the
// joint bootstrap replicates of those scores. Replicate b resamples every source with its own
// seeded generator for (stage seed, source, b): benchmark items (the same items for every team),
// arena battles; so the whole decision can be recomputed from the evidence.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/stage/rubric.h"
#include "kaieval/stage/stage_config.h"

namespace kaieval::stage {

struct EvidenceSet {
  LeafScores scores;                   // per leaf, per team
  std::vector<LeafScores> replicates;  // config.bootstrap joint replicates
  std::vector<std::string> sources;    // the files read, for the record
  std::vector<std::string> notes;      // what could not be resampled or was missing
  // Per leaf id: what the report shows beside the score (the task and items of a benchmark,
  // the contest's counted and excluded votes and ratings, a panel's agreement and reviewers).
  std::map<std::string, nlohmann::ordered_json> details;
};

// Reads every leaf's evidence. Throws InputError naming the leaf and file for evidence that is
// missing or malformed; a team without a result for a leaf gets NaN and a note.
EvidenceSet GatherEvidence(const StageConfig& config);

// Per team: passes the gates (originality verdict or its recorded override, and every safety
// minimum) on `scores`; `why` gets one line per failed gate.
std::vector<bool> EvaluateGates(const StageConfig& config, const LeafScores& scores,
                                std::vector<std::string>* why = nullptr);

}  // namespace kaieval::stage
