// Who advances: the teams that pass the gates, ranked by total points, top N with a tie policy;
// P(advance) as the share of bootstrap replicates in which a team is selected; and the
// sensitivity of the decision to the rubric's weights and to each benchmark. `kaieval stage`
// calls these on the scored rubric.
#pragma once

#include <string>
#include <vector>

#include "kaieval/stage/rubric.h"

namespace kaieval::stage {

// At the cut, teams with exactly the total of the N-th selected team are all in
// (kIncludeTied: more than N may advance) or all out (kExcludeTied: fewer than N may).
enum class TiePolicy { kIncludeTied, kExcludeTied };

struct SelectionRule {
  int advance = 4;  // top N
  TiePolicy ties = TiePolicy::kIncludeTied;
};

struct Selection {
  std::vector<bool> advances;  // per team
  std::vector<int> rank;       // 1 = most points among the teams that pass the gates; 0 = failed a gate
};

// Throws InputError for mismatched sizes or advance < 1.
Selection Select(const std::vector<double>& totals, const std::vector<bool>& passes_gates,
                 const SelectionRule& rule);

// Points per node and team, with the 2.5% and 97.5% quantiles over the replicates.
struct PointsWithIntervals {
  NodePoints points, lower, upper;
};

struct StageDecision {
  PointsWithIntervals points;
  Selection selection;            // on the evidence itself
  std::vector<double> p_advance;  // share of replicates in which each team is selected
  size_t replicates = 0;
};

// `scores` is the evidence; `replicate_scores[b]` the b-th joint bootstrap replicate of it (every
// leaf resampled with the same b). `gates` per team on the evidence; `replicate_gates[b]` per
// replicate, or empty to use `gates` in every replicate.
StageDecision Decide(const RubricNode& root, const LeafScores& scores,
                     const std::vector<LeafScores>& replicate_scores, const std::vector<bool>& gates,
                     const std::vector<std::vector<bool>>& replicate_gates, const SelectionRule& rule,
                     size_t n_teams);

struct Perturbation {
  std::string change;                 // "benchmarks +5 points", "without bench.kmmlu"
  std::vector<bool> advances;         // who advances under it
};

// Every perturbation that changes who advances: each top-level item shifted by +shift and
// -shift points (the others scaled to keep the total), and each leaf whose evidence kind is
// "benchmark" left out in turn. On the evidence itself (no bootstrap).
std::vector<Perturbation> Sensitivity(const RubricNode& root, const LeafScores& scores,
                                      const std::vector<bool>& gates, const SelectionRule& rule,
                                      size_t n_teams, double shift = 5);

}  // namespace kaieval::stage
