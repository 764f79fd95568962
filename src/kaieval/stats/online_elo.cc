#include "kaieval/stats/online_elo.h"

#include <cmath>
#include <string>

#include "kaieval/common/error.h"

namespace kaieval::stats {

std::vector<double> OnlineElo(size_t n_models, std::span<const Battle> battles,
                              const OnlineEloOptions& o) {
  if (n_models < 2) {
    throw InputError("OnlineElo: " + std::to_string(n_models) + " models; expected at least 2");
  }
  if (!std::isfinite(o.k) || o.k < 0 || !std::isfinite(o.scale) || o.scale <= 0 ||
      !std::isfinite(o.base) || o.base <= 1 || !std::isfinite(o.initial)) {
    throw InputError("OnlineElo: expected finite k >= 0, scale > 0, base > 1 and initial");
  }
  const double per_point = std::log(o.base) / o.scale;
  std::vector<double> rating(n_models, o.initial);
  for (size_t i = 0; i < battles.size(); ++i) {
    const Battle& b = battles[i];
    const std::string where = "OnlineElo: battle " + std::to_string(i) + ": ";
    if (b.model_a >= n_models || b.model_b >= n_models) {
      throw InputError(where + "model index out of range; expected < " + std::to_string(n_models));
    }
    if (b.model_a == b.model_b) throw InputError(where + "a model plays itself");
    if (!std::isfinite(b.weight) || b.weight <= 0) {
      throw InputError(where + "weight is " + std::to_string(b.weight) +
                       "; expected a finite number > 0");
    }
    double score = 0.5;
    if (b.outcome == Battle::Outcome::kWinA) {
      score = 1.0;
    } else if (b.outcome == Battle::Outcome::kWinB) {
      score = 0.0;
    } else if (b.outcome == Battle::Outcome::kBothBad && !o.count_both_bad_as_tie) {
      continue;
    }
    double& ra = rating[b.model_a];
    double& rb = rating[b.model_b];
    const double expected = 1.0 / (1.0 + std::exp((rb - ra) * per_point));
    const double update = o.k * b.weight * (score - expected);
    ra += update;
    rb -= update;
  }
  return rating;
}

}  // namespace kaieval::stats
