// Reviewer assignment: which reviewers score which items, under the conflict-of-interest rule,
// with balanced loads, and the blind view a reviewer gets. Used by the stage runner, the review
// page and the score import (which checks that a score comes from an assigned reviewer).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kaieval/review/panel.h"

namespace kaieval::review {

// A competing team as the stage config names it.
struct Team {
  std::string name;
  std::string organisation;
};

struct Assignment {
  std::string item;      // item id
  std::string reviewer;  // reviewer id
};

struct AssignmentPlan {
  uint64_t seed = 0;
  std::vector<Assignment> assignments;  // items in config order, each item's reviewers in
                                        // config order
  std::map<std::string, std::string> blind_codes;  // item id -> blind code

  bool IsAssigned(const std::string& item, const std::string& reviewer) const;
  // Item id for a blind code; "" when unknown.
  std::string ItemForBlindCode(const std::string& code) const;
  // Items assigned to each reviewer, in config order of the reviewers (0 for the unassigned).
  std::vector<int> Loads(const ReviewConfig& config) const;
};

// True when one of the reviewer's affiliations names the team or its organisation. Names are
// compared after trimming, collapsing runs of white space and folding ASCII case, so that
// "NAVER Cloud" and "Naver  cloud" match; nothing fuzzier, so a declared affiliation must name
// the organisation as the stage config does.
bool HasConflict(const Reviewer& reviewer, const Team& team);

// Assigns each item exactly reviews_per_item distinct reviewers who serve on its panel and
// have no conflict with its team, balancing the number of items per reviewer:
//   1. items with the fewest eligible reviewers go first (ties in a seeded random order);
//   2. each takes the k least-loaded eligible reviewers (ties in a fresh seeded random order);
//   3. while some reviewer can pass an item on, through a chain of reviewers each handing one
//      item to the next, to a reviewer with at least 2 fewer items, the shortest such chain is
//      applied. Each chain lowers the sum of squared loads, and when none is left that sum is
//      the lowest any valid plan has (a convex-cost flow with no improving cycle). So whenever
//      some valid plan has max - min load <= 1, this one does.
// The same config, teams and seed give the same plan. Throws InputError naming the item
// (file:line) when its team is not in `teams`, its title names the team or its organisation
// (the review is blind), or it has fewer than k eligible reviewers.
AssignmentPlan AssignReviewers(const ReviewConfig& config, const std::vector<Team>& teams,
                               uint64_t seed);

// The first 8 hex digits of ContentHash("review-blind", seed, item id): stable for a seed,
// meaningless without it. AssignReviewers lengthens the codes of a plan (to 12, 16, ...) in the
// unlikely case that two items of the config collide.
std::string BlindCode(uint64_t seed, const std::string& item_id, size_t digits = 8);

// What a reviewer sees of an item: no item id, no team.
struct AssignedItem {
  std::string blind_code;
  std::string panel;
  ItemKind kind = ItemKind::kReport;
  std::string title;
  std::string content;
};

// The items assigned to `reviewer_id`, ordered by blind code (so the order reveals nothing
// about teams). Throws InputError for an unknown reviewer.
std::vector<AssignedItem> ItemsForReviewer(const ReviewConfig& config, const AssignmentPlan& plan,
                                           const std::string& reviewer_id);

}  // namespace kaieval::review
