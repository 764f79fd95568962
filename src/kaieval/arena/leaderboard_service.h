// LeaderboardService: the live contest's leaderboard, recomputed from the store after votes
// arrive (at most once per refresh interval): filters, Bradley-Terry ratings with bootstrap
// intervals, win rates, sampling weights and exclusion counts. The arena routes serve it; the
// admin routes ask it for audits with filters switched off.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "kaieval/arena/contest.h"
#include "kaieval/arena/vote_filters.h"

namespace kaieval::arena {

class LeaderboardService {
 public:
  // `contest` must outlive the service. Reads the filter settings from the contest config.
  explicit LeaderboardService(Contest& contest);

  // The public leaderboard (docs/api.md), recomputed if votes changed since the last one and
  // the refresh interval has passed; otherwise the cached one.
  nlohmann::json Public();
  // Recomputed now, with the given filters switched off (for audit; not cached).
  nlohmann::json Audit(const std::set<ExclusionReason>& disabled);
  // Every vote, counted or not, as kaieval battle JSONL (readable by `kaieval arena rate`).
  std::string ExportVotesJsonl();
  // Every exclusion with its reason and detail, and the suspicious-voter tests.
  nlohmann::json ExclusionsJson();
  // Votes or overrides changed: the next Public() recomputes.
  void Invalidate() { dirty_ = true; }

 private:
  FilteredVotes Filter(const std::set<ExclusionReason>& disabled);
  nlohmann::json Compute(const FilteredVotes& filtered);

  Contest& contest_;
  FilterSettings settings_;
  std::atomic<bool> dirty_{true};
  std::mutex mutex_;  // one computation at a time; guards the cache
  nlohmann::json cached_;
  int64_t computed_at_ms_ = 0;
};

}  // namespace kaieval::arena
