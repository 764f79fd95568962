// PairSampler: which two models meet in the next public-contest battle. Uniform over the active
// pairs by default; the adaptive mode favours pairs whose rating intervals overlap most, where a
// vote says most. The weights in force are published on the leaderboard page.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace kaieval::arena {

struct PairWeight {
  uint32_t first;  // model indices, first < second
  uint32_t second;
  double weight;   // the weights of all pairs sum to 1
};

class PairSampler {
 public:
  // Uniform weights over the pairs of active models. Needs at least two active models.
  explicit PairSampler(const std::vector<bool>& active);

  // Adaptive weights: uniform_share / n_pairs + (1 - uniform_share) * overlap / sum(overlap),
  // where overlap(i, j) is the length of the intersection of the two 95% intervals divided by
  // the shorter interval (1 for a model without an interval yet, 0 for disjoint intervals).
  // If no pair overlaps, the weights stay uniform.
  void SetAdaptive(std::span<const double> lower, std::span<const double> upper,
                   double uniform_share);

  // Draws a pair from two uniform 64-bit random numbers; the models' sides (A or B) are random.
  std::pair<uint32_t, uint32_t> Sample(uint64_t random_pair, uint64_t random_side) const;

  const std::vector<PairWeight>& pairs() const { return pairs_; }

 private:
  void RebuildCumulative();

  std::vector<PairWeight> pairs_;
  std::vector<double> cumulative_;
};

}  // namespace kaieval::arena
