// Bradley-Terry ratings (Elo scale) from pairwise battles, with bootstrap intervals. Shared by
// the public arena leaderboard and pairwise LLM-as-judge reports; follows FastChat's MLE Elo
// conventions (scale 400, base 10, ties as half a win for each side).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kaieval::stats {

struct Battle {
  enum class Outcome { kWinA, kWinB, kTie, kBothBad };
  uint32_t model_a;
  uint32_t model_b;
  Outcome outcome;
  double weight = 1.0;  // finite and > 0; a battle of weight 2 counts as two battles
};

// `count` identical battles: FastChat's unique (model_a, model_b, outcome) rows with their
// counts. The fit and the bootstrap work on cells, so their time and memory grow with the
// number of distinct cells (at most 4 per pair of models), not with the number of battles.
struct BattleCell {
  uint32_t model_a;
  uint32_t model_b;
  Battle::Outcome outcome;
  double weight = 1.0;  // of each battle in the cell; finite and > 0
  uint64_t count = 1;   // >= 1
};

struct RatingOptions {
  double scale = 400;     // rating points per factor of `base` in the odds
  double base = 10;       // > 1
  double initial = 1000;  // mean rating when no anchor is set
  // If >= 0, all ratings are shifted so that this model's rating is `anchor_rating`.
  int anchor = -1;
  double anchor_rating = 1000;
  // "Both bad" counts as a tie (FastChat's "tie (bothbad)"); if false, such battles are dropped.
  bool count_both_bad_as_tie = true;
  // Ridge penalty (l2 * W / n) / 2 * sum(theta_i^2), W the total battle weight and n the number
  // of models, on the log-odds strengths theta = rating * ln(base) / scale: a model that never
  // loses (or never plays) still gets a finite rating, and duplicating or reweighting every
  // battle changes nothing. W / n is about half an average model's battles, so the ridge pulls
  // each rating towards the mean by a fraction of about 2 * l2 however many models there are
  // (0.001 points on FastChat-sized data; the plain MLE is l2 = 0).
  double l2 = 1e-6;
  int max_iterations = 100;
  // Converged when the largest Newton step in theta (natural log-odds units) is below this.
  double tolerance = 1e-10;
};

struct Ratings {
  std::vector<double> rating;  // per model
  // Weighted battle counts per model; dropped "both bad" battles are not counted.
  std::vector<double> wins, losses, ties;
  std::vector<double> battles;
  int iterations = 0;      // Newton iterations used
  bool converged = false;  // false if max_iterations was reached first
};

// Maximum-likelihood Bradley-Terry: P(a beats b) = 1 / (1 + base^((r_b - r_a) / scale)). A tie
// counts as half a win for each side. Battles are first aggregated into a pair matrix, then
// solved by damped Newton's method on the ridge-regularised log-likelihood, whose optimum has
// mean rating `initial` (before any anchor). Throws InputError (naming the battle index) for
// n_models < 2, a model index >= n_models, model_a == model_b, or a weight that is not finite
// and > 0; and for bad options (base <= 1, scale <= 0, l2 < 0, anchor >= n_models, ...).
Ratings FitBradleyTerry(size_t n_models, std::span<const Battle> battles,
                        const RatingOptions& options = {});
// The same fit on counted cells; the InputError names the cell instead of the battle, and
// also rejects a count of 0.
Ratings FitBradleyTerry(size_t n_models, std::span<const BattleCell> cells,
                        const RatingOptions& options = {});

// The cells of `battles`, oriented so that model_a < model_b (a win of B in (b, a) is a
// win of A in (a, b)), one per distinct (model_a, model_b, outcome, weight), sorted by those.
// Throws InputError as FitBradleyTerry does.
std::vector<BattleCell> AggregateBattles(size_t n_models, std::span<const Battle> battles);
// The same for cells counted elsewhere (in any order and orientation, possibly repeated), so
// that a reader that counts as it streams gets exactly AggregateBattles of its battles.
std::vector<BattleCell> AggregateBattles(size_t n_models, std::span<const BattleCell> cells);

struct RatingIntervals {
  Ratings point;  // the fit on all battles
  // Per model: 2.5% and 97.5% percentiles of the resampled ratings (linear interpolation, as
  // numpy's default) and their sample standard deviation (n-1).
  std::vector<double> lower, upper, stderr_;
  // Every resample's ratings: replicates[r * n_models + m] is model m's rating in resample r,
  // for statistics of the ratings other than intervals (ArenaPoints in arena/leaderboard.h).
  std::vector<double> replicates;
  int resamples;
  uint64_t seed;
};

// Bootstrap over battles as FastChat's compute_bootstrap_bt does it: the battles are counted
// into cells and each resample draws how often each cell occurs from Multinomial(N, count /
// N), N the number of battles, which is the same as drawing N battles with replacement, then
// refits from the point estimate. Resample r draws from its own generator,
// std::mt19937_64(BlockSeed(seed, r)), through DrawMultinomial (multinomial.h) over the cells
// in the given order, so the result depends only on (cells, options, resamples, seed), never
// on `threads` (0 = one per hardware thread); with cells from AggregateBattles, or through the
// Battle overload, not on the order of the battles either. Time and memory are linear in the
// cells. Throws InputError as FitBradleyTerry, and for no battles, resamples < 2 or
// threads < 0.
RatingIntervals BootstrapRatings(size_t n_models, std::span<const BattleCell> cells,
                                 const RatingOptions& options, int resamples = 1000,
                                 uint64_t seed = 1234, int threads = 1);
// The same after AggregateBattles.
RatingIntervals BootstrapRatings(size_t n_models, std::span<const Battle> battles,
                                 const RatingOptions& options, int resamples = 1000,
                                 uint64_t seed = 1234, int threads = 1);

// FastChat's rank rule: per model, 1 + the number of models whose lower bound is above this
// model's upper bound. Only clearly better models count, so ranks can repeat and skip. Throws
// InputError when the spans differ in size.
std::vector<int> RanksFromIntervals(std::span<const double> lower, std::span<const double> upper);

// P[i][j] = probability that model i beats model j under the Bradley-Terry model; P[i][i] = 0.5.
std::vector<std::vector<double>> PredictedWinRates(std::span<const double> ratings,
                                                   const RatingOptions& options = {});

}  // namespace kaieval::stats
