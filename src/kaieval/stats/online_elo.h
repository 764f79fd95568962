// Online Elo as FastChat's compute_elo defines it: the battles in order, each moving the two
// ratings by K * (outcome - expected). Shown beside the Bradley-Terry leaderboard for reference
// only: unlike the MLE it depends on the order of the battles.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "kaieval/stats/bradley_terry.h"

namespace kaieval::stats {

struct OnlineEloOptions {
  double k = 4;           // rating points moved per unit of surprise
  double scale = 400;     // rating points per factor of `base` in the odds
  double base = 10;       // > 1
  double initial = 1000;  // every model's rating before its first battle
  // "Both bad" counts as a tie (FastChat's "tie (bothbad)"); if false, such battles are skipped.
  bool count_both_bad_as_tie = true;
};

// Ratings after playing `battles` in order from `initial`: with expected score
// E = 1 / (1 + base^((r_b - r_a) / scale)) for model_a and outcome S = 1, 0.5 or 0 (win, tie,
// loss of model_a), r_a += K w (S - E) and r_b -= K w (S - E), w the battle's weight. Throws
// InputError (naming the battle index) for n_models < 2, a model index out of range,
// model_a == model_b or a weight that is not finite and > 0, and for k, scale or initial not
// finite, k < 0, scale <= 0 or base <= 1.
std::vector<double> OnlineElo(size_t n_models, std::span<const Battle> battles,
                              const OnlineEloOptions& options = {});

}  // namespace kaieval::stats
