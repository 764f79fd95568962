// The arena leaderboard: Bradley-Terry ratings with bootstrap intervals and ranks, vote counts,
// the observed win-rate and battle-count matrices, and the stage-rubric points derived from the
// ratings (docs/arena.md). Built by `kaieval arena rate` and the contest server; its JSON is the
// `models`, `matrix` and `bootstrap` parts of GET /api/leaderboard (docs/api.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kaieval/stats/bradley_terry.h"

namespace kaieval::arena {

struct LeaderboardEntry {
  std::string name;
  double rating = 0;
  double lower = 0;  // 2.5% bootstrap quantile
  double upper = 0;  // 97.5% bootstrap quantile
  int rank = 0;      // stats::RanksFromIntervals
  double votes = 0;  // counted battles the model played
  double wins = 0, losses = 0, ties = 0;
};

struct Leaderboard {
  std::vector<LeaderboardEntry> models;  // by rating, highest first (equal ratings by name)
  // Between models[i] and models[j], over counted battles: the share i won, ties counting
  // half (nullopt on the diagonal and where they never met), and how many there were.
  std::vector<std::vector<std::optional<double>>> win_rate;
  std::vector<std::vector<double>> battles;
  // The fit behind the table, in the models' input order (not sorted), with every bootstrap
  // replicate: for ArenaPoints and further statistics.
  stats::RatingIntervals ratings;
};

struct LeaderboardOptions {
  stats::RatingOptions rating;  // scale, anchor, "both bad" handling
  int resamples = 1000;
  uint64_t seed = 1234;
  int threads = 0;  // 0 = one per hardware thread; the result does not depend on it
};

// Fits `cells` (model indices into `models`) with stats::BootstrapRatings and builds the
// table. Throws InputError for fewer than 2 models, an index out of range, and whatever
// BootstrapRatings rejects.
Leaderboard BuildLeaderboard(std::span<const std::string> models,
                             std::span<const stats::BattleCell> cells,
                             const LeaderboardOptions& options = {});
// The same from single battles (counted with stats::AggregateBattles first).
Leaderboard BuildLeaderboard(std::span<const std::string> models,
                             std::span<const stats::Battle> battles,
                             const LeaderboardOptions& options = {});

// The table for ratings fitted elsewhere (e.g. style control, whose RatingIntervals carry the
// same counts), with the matrices from `cells`. `count_both_bad_as_tie` must be what the fit
// used. Throws InputError when the sizes do not match `models`.
Leaderboard MakeLeaderboard(std::span<const std::string> models,
                            std::span<const stats::BattleCell> cells,
                            stats::RatingIntervals ratings, bool count_both_bad_as_tie = true);

// {"models": [...], "matrix": {"models", "win_rate", "battles"}, "bootstrap": {"resamples",
// "seed"}} exactly as docs/api.md shows; counts are JSON integers when they are whole.
nlohmann::json LeaderboardJson(const Leaderboard& board);

// Stage-rubric points from arena ratings (docs/arena.md, "Ratings and points"): with W_i the
// mean predicted probability (stats::PredictedWinRates) that model i beats each other model,
// points_i = max_points * W_i / max_j W_j. The interval is the 2.5% and 97.5% quantiles of the
// same rule applied to every bootstrap replicate. Per model in the ratings' order.
struct StagePoints {
  std::vector<double> points, lower, upper;
};
// Throws InputError for max_points not finite and > 0, fewer than 2 models, or ratings without
// replicates.
StagePoints ArenaPoints(const stats::RatingIntervals& ratings, double max_points,
                        const stats::RatingOptions& options = {});

}  // namespace kaieval::arena
