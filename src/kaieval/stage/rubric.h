// The stage rubric: a tree of items with points, whose leaves turn one piece of evidence per team
// (a benchmark score, a panel score, an arena rating, a derivative count) into points by a
// scoring rule. The stage config loader builds it; stage scoring, P(advance) and sensitivity
// evaluate it, once on the evidence and once per bootstrap replicate.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace kaieval::stage {

enum class Rule {
  kSum,                  // inner node: the sum of its children (their points add up to its own)
  kMeanOfChildren,       // inner node: points * mean over children of (child points / child max)
  kRelativeToReference,  // leaf: points * min(1, score / reference)
  kLinear,               // leaf: points * clamp((score - floor) / (ceiling - floor), 0, 1)
  kRankBased,            // leaf: points * (n - rank) / (n - 1); rank 1 = best of the n teams
};

// Which evidence a leaf reads; `kind` is benchmark, review, arena, derivatives or value.
struct EvidenceRef {
  std::string kind;
  std::map<std::string, std::string> params;  // e.g. task, metric; panel; relation
  std::map<std::string, double> values;       // kind "value": a number per team name
};

struct RubricNode {
  std::string id;  // unique in the rubric; a path-like name such as benchmarks.national
  std::string name;
  double points = 0;
  Rule rule = Rule::kSum;
  double reference = 0;                // kRelativeToReference: > 0
  double floor = 0, ceiling = 1;       // kLinear: floor != ceiling (floor > ceiling: lower is better)
  bool lower_is_better = false;        // kRankBased: rank ascending scores
  EvidenceRef evidence;                // leaves only
  std::vector<RubricNode> children;

  bool is_leaf() const { return children.empty(); }
};

// Per leaf id: the score of each team (index as in the stage's team list); NaN = missing, which
// scores 0 points and is reported.
using LeafScores = std::map<std::string, std::vector<double>>;

// Points per node id and team: points[node id][team].
using NodePoints = std::map<std::string, std::vector<double>>;

// Evaluates the rubric for `n_teams` teams. Throws InputError when a leaf has no scores or a
// score vector of the wrong size.
NodePoints ScoreRubric(const RubricNode& root, const LeafScores& scores, size_t n_teams);

// Checks the tree: unique ids, points > 0, leaves with evidence and a leaf rule, inner nodes with
// kSum or kMeanOfChildren, kSum children adding up to their parent (within 1e-9), rule
// parameters in range. Throws InputError naming `origin` and the node id.
void ValidateRubric(const RubricNode& root, const std::string& origin);

// Every leaf, depth first.
std::vector<const RubricNode*> Leaves(const RubricNode& root);

// A copy with top-level child `id` given `points + delta`, and the other top-level children
// scaled (with their subtrees) so that the total stays the same. Throws InputError for an
// unknown id or a change that leaves a child with no points.
RubricNode ShiftTopLevelWeight(const RubricNode& root, const std::string& id, double delta);

// A copy without leaf `id`: its siblings' points are scaled up to fill its share (in a kSum
// parent) or it simply leaves the mean (kMeanOfChildren). Throws InputError if `id` is not a
// leaf or is its parent's only child.
RubricNode WithoutLeaf(const RubricNode& root, const std::string& id);

}  // namespace kaieval::stage
