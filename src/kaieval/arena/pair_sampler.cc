#include "kaieval/arena/pair_sampler.h"

#include <algorithm>
#include <cmath>

#include "kaieval/common/error.h"

namespace kaieval::arena {

PairSampler::PairSampler(const std::vector<bool>& active) {
  for (uint32_t i = 0; i < active.size(); ++i) {
    for (uint32_t j = i + 1; j < active.size(); ++j) {
      if (active[i] && active[j]) pairs_.push_back({i, j, 0});
    }
  }
  if (pairs_.empty()) throw InputError("a contest needs at least two active models");
  for (auto& p : pairs_) p.weight = 1.0 / static_cast<double>(pairs_.size());
  RebuildCumulative();
}

void PairSampler::SetAdaptive(std::span<const double> lower, std::span<const double> upper,
                              double uniform_share) {
  std::vector<double> overlap(pairs_.size());
  double total = 0;
  for (size_t k = 0; k < pairs_.size(); ++k) {
    const uint32_t i = pairs_[k].first, j = pairs_[k].second;
    double o = 1;
    if (i < lower.size() && j < lower.size() && std::isfinite(lower[i]) &&
        std::isfinite(lower[j])) {
      const double shorter = std::min(upper[i] - lower[i], upper[j] - lower[j]);
      const double common = std::min(upper[i], upper[j]) - std::max(lower[i], lower[j]);
      o = shorter > 0 ? std::clamp(common / shorter, 0.0, 1.0) : (common >= 0 ? 1.0 : 0.0);
    }
    overlap[k] = o;
    total += o;
  }
  const double n = static_cast<double>(pairs_.size());
  for (size_t k = 0; k < pairs_.size(); ++k) {
    pairs_[k].weight = total > 0 ? uniform_share / n + (1 - uniform_share) * overlap[k] / total
                                 : 1.0 / n;
  }
  RebuildCumulative();
}

void PairSampler::RebuildCumulative() {
  cumulative_.resize(pairs_.size());
  double sum = 0;
  for (size_t k = 0; k < pairs_.size(); ++k) cumulative_[k] = sum += pairs_[k].weight;
}

std::pair<uint32_t, uint32_t> PairSampler::Sample(uint64_t random_pair,
                                                  uint64_t random_side) const {
  const double u = static_cast<double>(random_pair >> 11) * 0x1.0p-53 * cumulative_.back();
  size_t k = static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) -
                                 cumulative_.begin());
  k = std::min(k, pairs_.size() - 1);
  const PairWeight& p = pairs_[k];
  return (random_side & 1) ? std::pair{p.second, p.first} : std::pair{p.first, p.second};
}

}  // namespace kaieval::arena
