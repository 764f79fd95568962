// Pairwise grading against a baseline: the two judged orders of one question become battles
// (a strong verdict counts as several), and the battles become a Bradley-Terry rating of the
// candidate against the baseline with bootstrap intervals, through the arena's rating engine
// (stats/bradley_terry.h). Called by the judged-task scorer and aggregator.
#pragma once

#include <cstdint>
#include <optional>

#include "kaieval/judge/verdict.h"

namespace kaieval::judge {

// The candidate's battles against the baseline, weighted counts.
struct BattleCounts {
  uint64_t wins = 0, losses = 0, ties = 0;
  BattleCounts& operator+=(const BattleCounts& o) {
    wins += o.wins;
    losses += o.losses;
    ties += o.ties;
    return *this;
  }
  uint64_t total() const { return wins + losses + ties; }
};

// `candidate_first`: the judge's verdict with the candidate's answer as A and the baseline's as
// B; `candidate_second`: with the baseline as A and the candidate as B. Each parsed order is one
// battle (`strong_weight` battles for A>>B or B>>A), seen from the candidate; an unparseable
// order gives none. Judging both orders cancels a judge's preference for a position.
BattleCounts CountBattles(Preference candidate_first, Preference candidate_second,
                          uint64_t strong_weight);

// The candidate's win share of its battles, ties as half: (wins + ties / 2) / total; nullopt
// without battles.
std::optional<double> WinShare(const BattleCounts& c);

struct PairwiseRating {
  // Candidate's Bradley-Terry rating with the baseline anchored at `baseline_rating` (Elo scale,
  // 400 per factor of 10 in the odds), its bootstrap standard error and 95% percentile interval.
  double rating = 0, stderr_ = 0, lower = 0, upper = 0;
  // The predicted probability that the candidate beats the baseline, and its 95% interval.
  double win_rate = 0, win_rate_stderr = 0, win_rate_lower = 0, win_rate_upper = 0;
  uint64_t battles = 0;
};

// Fits the battles with stats::BootstrapRatings (two models; FastChat's bootstrap over
// battles). nullopt without battles. Throws InputError for resamples < 2.
std::optional<PairwiseRating> RatePairwise(const BattleCounts& counts, int resamples,
                                           uint64_t seed, double baseline_rating = 1000);

}  // namespace kaieval::judge
