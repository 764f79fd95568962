#include "kaieval/stage/rubric.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "kaieval/common/error.h"

namespace kaieval::stage {
namespace {

double Clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

// Ranks 1..n, best first; tied scores share the best of their ranks; NaN ranks last.
std::vector<double> Ranks(const std::vector<double>& scores, bool lower_is_better) {
  std::vector<double> ranks(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(scores[i])) {
      ranks[i] = std::nan("");
      continue;
    }
    double better = 0;
    for (double other : scores) {
      if (std::isnan(other)) continue;
      better += lower_is_better ? other < scores[i] : other > scores[i];
    }
    ranks[i] = better + 1;
  }
  return ranks;
}

std::vector<double> LeafPoints(const RubricNode& leaf, const std::vector<double>& scores) {
  const size_t n = scores.size();
  std::vector<double> points(n, 0.0);
  const std::vector<double> ranks =
      leaf.rule == Rule::kRankBased ? Ranks(scores, leaf.lower_is_better) : std::vector<double>{};
  for (size_t t = 0; t < n; ++t) {
    const double s = scores[t];
    if (std::isnan(s)) continue;  // missing evidence earns nothing
    switch (leaf.rule) {
      case Rule::kRelativeToReference:
        points[t] = leaf.points * std::min(1.0, std::max(0.0, s / leaf.reference));
        break;
      case Rule::kLinear:
        points[t] = leaf.points * Clamp01((s - leaf.floor) / (leaf.ceiling - leaf.floor));
        break;
      case Rule::kRankBased:
        points[t] = n < 2 ? leaf.points : leaf.points * (static_cast<double>(n) - ranks[t]) /
                                              static_cast<double>(n - 1);
        break;
      default:
        throw Error(ExitCode::kInternal, "a leaf with an inner-node rule");
    }
  }
  return points;
}

void Score(const RubricNode& node, const LeafScores& scores, size_t n_teams, NodePoints& out) {
  if (node.is_leaf()) {
    auto it = scores.find(node.id);
    if (it == scores.end()) throw InputError(fmt::format("rubric item {}: no evidence", node.id));
    if (it->second.size() != n_teams) {
      throw InputError(fmt::format("rubric item {}: {} scores for {} teams", node.id,
                                   it->second.size(), n_teams));
    }
    out[node.id] = LeafPoints(node, it->second);
    return;
  }
  std::vector<double> total(n_teams, 0.0);
  for (const auto& child : node.children) {
    Score(child, scores, n_teams, out);
    const std::vector<double>& p = out[child.id];
    for (size_t t = 0; t < n_teams; ++t) {
      total[t] += node.rule == Rule::kMeanOfChildren
                      ? node.points * (p[t] / child.points) / static_cast<double>(node.children.size())
                      : p[t];
    }
  }
  out[node.id] = std::move(total);
}

void Validate(const RubricNode& node, const std::string& origin, std::set<std::string>& ids) {
  auto fail = [&](const std::string& problem) {
    throw InputError(fmt::format("{}: rubric item '{}': {}", origin, node.id, problem));
  };
  if (node.id.empty()) throw InputError(fmt::format("{}: a rubric item has no id", origin));
  if (!ids.insert(node.id).second) fail("duplicate id");
  if (!(node.points > 0) || !std::isfinite(node.points)) fail("points must be a number > 0");
  if (node.is_leaf()) {
    if (node.evidence.kind.empty()) fail("a leaf needs evidence (benchmark, review, arena, derivatives or value)");
    if (node.rule == Rule::kSum || node.rule == Rule::kMeanOfChildren) {
      fail("a leaf needs a scoring rule: relative_to_reference, linear or rank_based");
    }
    if (node.rule == Rule::kRelativeToReference && !(node.reference > 0)) {
      fail("relative_to_reference needs a reference > 0");
    }
    if (node.rule == Rule::kLinear && !(node.floor != node.ceiling)) {
      fail("linear needs floor and ceiling that differ");
    }
    return;
  }
  if (node.rule != Rule::kSum && node.rule != Rule::kMeanOfChildren) {
    fail("an item with children is scored by sum (the default) or mean_of_children");
  }
  double sum = 0;
  for (const auto& child : node.children) {
    Validate(child, origin, ids);
    sum += child.points;
  }
  if (node.rule == Rule::kSum && std::abs(sum - node.points) > 1e-9) {
    fail(fmt::format("its items add up to {} points, not {}", sum, node.points));
  }
}

void Scale(RubricNode& node, double factor) {
  node.points *= factor;
  for (auto& child : node.children) Scale(child, factor);
}

void CollectLeaves(const RubricNode& node, std::vector<const RubricNode*>& out) {
  if (node.is_leaf()) out.push_back(&node);
  for (const auto& child : node.children) CollectLeaves(child, out);
}

bool RemoveLeaf(RubricNode& node, const std::string& id) {
  for (size_t i = 0; i < node.children.size(); ++i) {
    RubricNode& child = node.children[i];
    if (child.id == id) {
      if (!child.is_leaf()) throw InputError(fmt::format("rubric item '{}' is not a leaf", id));
      if (node.children.size() == 1) {
        throw InputError(fmt::format("rubric item '{}' is the only item of '{}'", id, node.id));
      }
      const double freed = child.points;
      node.children.erase(node.children.begin() + static_cast<std::ptrdiff_t>(i));
      if (node.rule == Rule::kSum) {
        const double rest = node.points - freed;
        for (auto& sibling : node.children) Scale(sibling, node.points / rest);
      }
      return true;
    }
    if (RemoveLeaf(child, id)) return true;
  }
  return false;
}

}  // namespace

NodePoints ScoreRubric(const RubricNode& root, const LeafScores& scores, size_t n_teams) {
  NodePoints out;
  Score(root, scores, n_teams, out);
  return out;
}

void ValidateRubric(const RubricNode& root, const std::string& origin) {
  std::set<std::string> ids;
  Validate(root, origin, ids);
}

std::vector<const RubricNode*> Leaves(const RubricNode& root) {
  std::vector<const RubricNode*> out;
  CollectLeaves(root, out);
  return out;
}

RubricNode ShiftTopLevelWeight(const RubricNode& root, const std::string& id, double delta) {
  RubricNode copy = root;
  RubricNode* target = nullptr;
  double others = 0;
  for (auto& child : copy.children) {
    if (child.id == id) {
      target = &child;
    } else {
      others += child.points;
    }
  }
  if (target == nullptr) throw InputError(fmt::format("no top-level rubric item '{}'", id));
  if (!(target->points + delta > 0) || !(others - delta > 0)) {
    throw InputError(fmt::format("shifting '{}' by {} leaves an item with no points", id, delta));
  }
  Scale(*target, (target->points + delta) / target->points);
  for (auto& child : copy.children) {
    if (&child != target) Scale(child, (others - delta) / others);
  }
  return copy;
}

RubricNode WithoutLeaf(const RubricNode& root, const std::string& id) {
  RubricNode copy = root;
  if (!RemoveLeaf(copy, id)) throw InputError(fmt::format("no rubric item '{}'", id));
  return copy;
}

}  // namespace kaieval::stage
