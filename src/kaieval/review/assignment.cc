#include "kaieval/review/assignment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <numeric>
#include <set>

#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"
#include "kaieval/stats/bootstrap.h"

namespace kaieval::review {
namespace {

// The random stream of assignment within kaieval's seeded draws ("REVIEW" in ASCII).
constexpr uint64_t kAssignmentStream = 0x524556494557;

std::string NormaliseName(const std::string& name) {
  std::string out;
  bool space = false;
  for (unsigned char c : name) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
  }
  return out;
}

template <typename T>
void Shuffle(std::vector<T>& v, stats::IndexDrawer& drawer) {
  for (size_t i = v.size(); i > 1; --i) {
    std::swap(v[i - 1], v[drawer.Next(static_cast<uint32_t>(i))]);
  }
}

// Reviewers (indices into config.reviewers) who may score each item; throws for an item with
// an unknown team, a title that names its team, or fewer than k eligible reviewers.
std::vector<std::vector<size_t>> EligibleReviewers(const ReviewConfig& config,
                                                   const std::vector<Team>& teams) {
  std::vector<std::vector<size_t>> eligible(config.items.size());
  for (size_t i = 0; i < config.items.size(); ++i) {
    const ReviewItem& item = config.items[i];
    std::string field = fmt::format("review.items[{}].team", i);
    auto team = std::find_if(teams.begin(), teams.end(),
                             [&](const Team& t) { return t.name == item.team; });
    if (team == teams.end()) {
      std::string names;
      for (const auto& t : teams) names += (names.empty() ? "" : ", ") + t.name;
      throw InputError(config.Where(item.line, field) +
                       fmt::format("unknown team '{}' (expected one of {})", item.team, names));
    }
    const std::string title = NormaliseName(item.title);
    for (const std::string& name : {team->name, team->organisation}) {
      const std::string n = NormaliseName(name);
      if (!n.empty() && title.find(n) != std::string::npos) {
        throw InputError(
            config.Where(item.line, fmt::format("review.items[{}].title", i)) +
            fmt::format("'{}' names the team ('{}'); reviewers must not see it", item.title, name));
      }
    }
    const ReviewPanel* panel = config.FindPanel(item.panel);
    if (!panel) {
      throw InputError(config.Where(item.line, fmt::format("review.items[{}].panel", i)) +
                       fmt::format("unknown panel '{}'", item.panel));
    }
    int serving = 0;
    for (size_t r = 0; r < config.reviewers.size(); ++r) {
      if (!config.reviewers[r].ServesOn(item.panel)) continue;
      ++serving;
      if (!HasConflict(config.reviewers[r], *team)) eligible[i].push_back(r);
    }
    if (static_cast<int>(eligible[i].size()) < panel->reviews_per_item) {
      throw InputError(
          config.Where(item.line, fmt::format("review.items[{}]", i)) +
          fmt::format("item '{}' of team '{}' has {} eligible reviewers ({} serve on panel '{}', "
                      "{} of them affiliated with the team), but needs {} (reviews_per_item)",
                      item.id, item.team, eligible[i].size(), serving, item.panel,
                      serving - static_cast<int>(eligible[i].size()), panel->reviews_per_item));
    }
  }
  return eligible;
}

// Looks for a chain of moves from reviewer `from` to a reviewer with at least 2 fewer items:
// from -> x1 -> ... -> to, each arrow handing one item of its tail to its head, who is eligible
// for it and not on it yet. Intermediate loads stay the same; `from` loses one, `to` gains one.
// Breadth first, so the chain is shortest; applies it and returns true if found.
bool MoveAlongChain(size_t from, const std::vector<std::vector<size_t>>& eligible,
                    std::vector<std::vector<bool>>& assigned, std::vector<int>& load) {
  const size_t none = load.size();
  std::vector<size_t> parent(load.size(), none);  // reviewer the item came from
  std::vector<size_t> via(load.size(), 0);        // the item handed over
  std::vector<size_t> queue = {from};
  parent[from] = from;
  for (size_t head = 0; head < queue.size(); ++head) {
    const size_t x = queue[head];
    for (size_t i = 0; i < assigned.size(); ++i) {
      if (!assigned[i][x]) continue;
      for (size_t y : eligible[i]) {
        if (parent[y] != none || assigned[i][y]) continue;
        parent[y] = x;
        via[y] = i;
        if (load[y] <= load[from] - 2) {
          for (size_t to = y; to != from; to = parent[to]) {
            assigned[via[to]][parent[to]] = false;
            assigned[via[to]][to] = true;
          }
          --load[from];
          ++load[y];
          return true;
        }
        queue.push_back(y);
      }
    }
  }
  return false;
}

// Applies chains of moves from the most loaded reviewers while one exists. Each lowers the sum
// of squared loads, so this ends, and when none is left that sum is as low as the eligibility
// allows, which also makes max - min load as small as it can be.
void BalanceLoads(const std::vector<std::vector<size_t>>& eligible,
                  std::vector<std::vector<bool>>& assigned, std::vector<int>& load) {
  for (bool moved = true; moved;) {
    moved = false;
    std::vector<size_t> heavy(load.size());
    std::iota(heavy.begin(), heavy.end(), 0);
    std::stable_sort(heavy.begin(), heavy.end(),
                     [&](size_t a, size_t b) { return load[a] > load[b]; });
    for (size_t h : heavy) {
      if (MoveAlongChain(h, eligible, assigned, load)) {
        moved = true;
        break;
      }
    }
  }
}

}  // namespace

bool AssignmentPlan::IsAssigned(const std::string& item, const std::string& reviewer) const {
  for (const auto& a : assignments) {
    if (a.item == item && a.reviewer == reviewer) return true;
  }
  return false;
}

std::string AssignmentPlan::ItemForBlindCode(const std::string& code) const {
  for (const auto& [item, c] : blind_codes) {
    if (c == code) return item;
  }
  return "";
}

std::vector<int> AssignmentPlan::Loads(const ReviewConfig& config) const {
  std::vector<int> loads(config.reviewers.size(), 0);
  for (const auto& a : assignments) {
    for (size_t r = 0; r < config.reviewers.size(); ++r) {
      if (config.reviewers[r].id == a.reviewer) ++loads[r];
    }
  }
  return loads;
}

bool HasConflict(const Reviewer& reviewer, const Team& team) {
  const std::string name = NormaliseName(team.name);
  const std::string organisation = NormaliseName(team.organisation);
  for (const auto& affiliation : reviewer.affiliations) {
    std::string a = NormaliseName(affiliation);
    if (a.empty()) continue;
    if (a == name || a == organisation) return true;
  }
  return false;
}

std::string BlindCode(uint64_t seed, const std::string& item_id, size_t digits) {
  std::string seed_text = std::to_string(seed);
  return ContentHash({"review-blind", seed_text, item_id}).substr(0, digits);
}

AssignmentPlan AssignReviewers(const ReviewConfig& config, const std::vector<Team>& teams,
                               uint64_t seed) {
  const std::vector<std::vector<size_t>> eligible = EligibleReviewers(config, teams);
  const size_t n_items = config.items.size();
  stats::IndexDrawer drawer(stats::BlockSeed(seed, kAssignmentStream));

  std::vector<size_t> order(n_items);
  std::iota(order.begin(), order.end(), 0);
  Shuffle(order, drawer);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return eligible[a].size() < eligible[b].size(); });

  std::vector<int> load(config.reviewers.size(), 0);
  std::vector<std::vector<bool>> assigned(n_items,
                                          std::vector<bool>(config.reviewers.size(), false));
  for (size_t i : order) {
    std::vector<size_t> candidates = eligible[i];
    Shuffle(candidates, drawer);
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](size_t a, size_t b) { return load[a] < load[b]; });
    const int k = config.FindPanel(config.items[i].panel)->reviews_per_item;
    for (int j = 0; j < k; ++j) {
      assigned[i][candidates[j]] = true;
      ++load[candidates[j]];
    }
  }
  BalanceLoads(eligible, assigned, load);

  AssignmentPlan plan;
  plan.seed = seed;
  for (size_t i = 0; i < n_items; ++i) {
    for (size_t r = 0; r < config.reviewers.size(); ++r) {
      if (assigned[i][r]) plan.assignments.push_back({config.items[i].id, config.reviewers[r].id});
    }
  }
  for (size_t digits = 8;; digits += 4) {
    plan.blind_codes.clear();
    std::set<std::string> codes;
    for (const auto& item : config.items) {
      plan.blind_codes[item.id] = BlindCode(seed, item.id, digits);
      codes.insert(plan.blind_codes[item.id]);
    }
    if (codes.size() == config.items.size() || digits >= 32) break;
  }
  return plan;
}

std::vector<AssignedItem> ItemsForReviewer(const ReviewConfig& config, const AssignmentPlan& plan,
                                           const std::string& reviewer_id) {
  if (!config.FindReviewer(reviewer_id)) {
    throw InputError(fmt::format("{}: unknown reviewer '{}'", config.origin.string(), reviewer_id));
  }
  std::vector<AssignedItem> items;
  for (const auto& a : plan.assignments) {
    if (a.reviewer != reviewer_id) continue;
    const ReviewItem* item = config.FindItem(a.item);
    items.push_back(
        {plan.blind_codes.at(a.item), item->panel, item->kind, item->title, item->content});
  }
  std::sort(items.begin(), items.end(), [](const AssignedItem& a, const AssignedItem& b) {
    return a.blind_code < b.blind_code;
  });
  return items;
}

}  // namespace kaieval::review
