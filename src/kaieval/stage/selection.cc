#include "kaieval/stage/selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "kaieval/common/error.h"
#include "kaieval/stats/bootstrap.h"

namespace kaieval::stage {

Selection Select(const std::vector<double>& totals, const std::vector<bool>& passes_gates,
                 const SelectionRule& rule) {
  if (totals.size() != passes_gates.size()) {
    throw InputError(fmt::format("{} totals for {} gate results", totals.size(), passes_gates.size()));
  }
  if (rule.advance < 1) throw InputError("selection: advance must be >= 1");
  const size_t n = totals.size();
  Selection s{std::vector<bool>(n, false), std::vector<int>(n, 0)};
  std::vector<size_t> order;
  for (size_t t = 0; t < n; ++t) {
    if (passes_gates[t]) order.push_back(t);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return totals[a] > totals[b]; });
  for (size_t i = 0; i < order.size(); ++i) {
    // Equal totals share the better rank.
    s.rank[order[i]] = i > 0 && totals[order[i]] == totals[order[i - 1]]
                           ? s.rank[order[i - 1]]
                           : static_cast<int>(i) + 1;
  }
  if (order.empty()) return s;
  const size_t n_advance = std::min(order.size(), static_cast<size_t>(rule.advance));
  const double cut = totals[order[n_advance - 1]];
  const bool tie_across_cut = n_advance < order.size() && totals[order[n_advance]] == cut;
  for (size_t t : order) {
    if (totals[t] > cut) s.advances[t] = true;
    if (totals[t] == cut) s.advances[t] = !tie_across_cut || rule.ties == TiePolicy::kIncludeTied;
  }
  return s;
}

StageDecision Decide(const RubricNode& root, const LeafScores& scores,
                     const std::vector<LeafScores>& replicate_scores, const std::vector<bool>& gates,
                     const std::vector<std::vector<bool>>& replicate_gates, const SelectionRule& rule,
                     size_t n_teams) {
  if (!replicate_gates.empty() && replicate_gates.size() != replicate_scores.size()) {
    throw InputError("replicate gates and replicate scores differ in number");
  }
  StageDecision d;
  d.points.points = ScoreRubric(root, scores, n_teams);
  d.selection = Select(d.points.points.at(root.id), gates, rule);
  d.replicates = replicate_scores.size();
  d.p_advance.assign(n_teams, 0.0);
  // Per node and team, the replicate points, for the quantiles.
  std::map<std::string, std::vector<std::vector<double>>> draws;
  for (size_t b = 0; b < replicate_scores.size(); ++b) {
    NodePoints p = ScoreRubric(root, replicate_scores[b], n_teams);
    const auto& g = replicate_gates.empty() ? gates : replicate_gates[b];
    Selection s = Select(p.at(root.id), g, rule);
    for (size_t t = 0; t < n_teams; ++t) d.p_advance[t] += s.advances[t];
    for (auto& [id, values] : p) {
      auto& per_team = draws[id];
      per_team.resize(n_teams);
      for (size_t t = 0; t < n_teams; ++t) per_team[t].push_back(values[t]);
    }
  }
  for (double& p : d.p_advance) p = d.replicates ? p / static_cast<double>(d.replicates) : std::nan("");
  for (const auto& [id, values] : d.points.points) {
    auto& lo = d.points.lower[id];
    auto& hi = d.points.upper[id];
    lo.assign(n_teams, std::nan(""));
    hi.assign(n_teams, std::nan(""));
    auto it = draws.find(id);
    if (it == draws.end()) continue;
    for (size_t t = 0; t < n_teams; ++t) {
      std::vector<double> v = it->second[t];
      std::sort(v.begin(), v.end());
      lo[t] = stats::Percentile(v, 0.025);
      hi[t] = stats::Percentile(v, 0.975);
    }
  }
  return d;
}

std::vector<Perturbation> Sensitivity(const RubricNode& root, const LeafScores& scores,
                                      const std::vector<bool>& gates, const SelectionRule& rule,
                                      size_t n_teams, double shift) {
  const std::vector<bool> base = Select(ScoreRubric(root, scores, n_teams).at(root.id), gates, rule).advances;
  std::vector<Perturbation> changed;
  auto consider = [&](const RubricNode& variant, std::string change) {
    std::vector<bool> advances =
        Select(ScoreRubric(variant, scores, n_teams).at(variant.id), gates, rule).advances;
    if (advances != base) changed.push_back({std::move(change), std::move(advances)});
  };
  for (const auto& item : root.children) {
    for (double delta : {shift, -shift}) {
      if (item.points + delta <= 0 || root.points - item.points - delta <= 0) continue;
      consider(ShiftTopLevelWeight(root, item.id, delta),
               fmt::format("{} {:+g} points", item.id, delta));
    }
  }
  for (const RubricNode* leaf : Leaves(root)) {
    if (leaf->evidence.kind != "benchmark") continue;
    try {
      consider(WithoutLeaf(root, leaf->id), fmt::format("without {}", leaf->id));
    } catch (const InputError&) {
      // the only item of its parent: leaving it out is not a smaller rubric but a different one
    }
  }
  return changed;
}

}  // namespace kaieval::stage
