#include "kaieval/judge/pairwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kaieval/stats/bootstrap.h"
#include "kaieval/stats/bradley_terry.h"

namespace kaieval::judge {
namespace {

// One order's verdict as candidate battles; `candidate_is_a` says where the candidate was.
BattleCounts FromVerdict(Preference p, bool candidate_is_a, uint64_t strong) {
  BattleCounts c;
  switch (p) {
    case Preference::kUnparseable: break;
    case Preference::kTie: c.ties = 1; break;
    case Preference::kAMuchBetter: (candidate_is_a ? c.wins : c.losses) = strong; break;
    case Preference::kABetter: (candidate_is_a ? c.wins : c.losses) = 1; break;
    case Preference::kBBetter: (candidate_is_a ? c.losses : c.wins) = 1; break;
    case Preference::kBMuchBetter: (candidate_is_a ? c.losses : c.wins) = strong; break;
  }
  return c;
}

}  // namespace

BattleCounts CountBattles(Preference candidate_first, Preference candidate_second,
                          uint64_t strong_weight) {
  BattleCounts c = FromVerdict(candidate_first, true, strong_weight);
  c += FromVerdict(candidate_second, false, strong_weight);
  return c;
}

std::optional<double> WinShare(const BattleCounts& c) {
  if (c.total() == 0) return std::nullopt;
  return (static_cast<double>(c.wins) + 0.5 * static_cast<double>(c.ties)) /
         static_cast<double>(c.total());
}

std::optional<PairwiseRating> RatePairwise(const BattleCounts& counts, int resamples,
                                           uint64_t seed, double baseline_rating) {
  if (counts.total() == 0) return std::nullopt;
  using Outcome = stats::Battle::Outcome;
  std::vector<stats::BattleCell> cells;
  if (counts.wins > 0) cells.push_back({0, 1, Outcome::kWinA, 1.0, counts.wins});
  if (counts.losses > 0) cells.push_back({0, 1, Outcome::kWinB, 1.0, counts.losses});
  if (counts.ties > 0) cells.push_back({0, 1, Outcome::kTie, 1.0, counts.ties});
  stats::RatingOptions options;
  options.anchor = 1;
  options.anchor_rating = baseline_rating;
  auto fit = stats::BootstrapRatings(2, cells, options, resamples, seed);
  PairwiseRating out;
  out.rating = fit.point.rating[0];
  out.stderr_ = fit.stderr_[0];
  out.lower = fit.lower[0];
  out.upper = fit.upper[0];
  auto win = [&](double a, double b) {
    return 1.0 / (1.0 + std::pow(options.base, (b - a) / options.scale));
  };
  out.win_rate = win(fit.point.rating[0], fit.point.rating[1]);
  std::vector<double> rates;
  for (int r = 0; r < fit.resamples; ++r) {
    rates.push_back(win(fit.replicates[2 * r], fit.replicates[2 * r + 1]));
  }
  double mean = 0, ss = 0;
  for (double x : rates) mean += x;
  mean /= static_cast<double>(rates.size());
  for (double x : rates) ss += (x - mean) * (x - mean);
  out.win_rate_stderr = std::sqrt(ss / static_cast<double>(rates.size() - 1));
  std::sort(rates.begin(), rates.end());
  out.win_rate_lower = stats::Percentile(rates, 0.025);
  out.win_rate_upper = stats::Percentile(rates, 0.975);
  out.battles = counts.total();
  return out;
}

}  // namespace kaieval::judge
