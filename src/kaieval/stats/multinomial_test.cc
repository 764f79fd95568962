#include "kaieval/stats/multinomial.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::stats {
namespace {

double LogBinomialPmf(uint64_t n, double p, uint64_t k) {
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  return std::lgamma(nd + 1) - std::lgamma(kd + 1) - std::lgamma(nd - kd + 1) + kd * std::log(p) +
         (nd - kd) * std::log1p(-p);
}

// Pearson's statistic of `draws` samples against the exact pmf, pooling the outcomes whose
// expected count is below 5 into one bin; returns {statistic, degrees of freedom}.
std::pair<double, int> ChiSquare(uint64_t n, double p, int draws, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<uint64_t, int> seen;
  for (int i = 0; i < draws; ++i) ++seen[DrawBinomial(rng, n, p)];
  const double mean = static_cast<double>(n) * p;
  const double sd = std::sqrt(mean * (1 - p));
  const uint64_t lo = static_cast<uint64_t>(std::max(0.0, std::floor(mean - 12 * sd - 20)));
  const uint64_t hi = std::min<uint64_t>(n, static_cast<uint64_t>(mean + 12 * sd + 20));
  double statistic = 0, pooled_expected = 0, pooled_seen = 0, covered = 0;
  int bins = 0;
  for (uint64_t k = lo; k <= hi; ++k) {
    const double expected = draws * std::exp(LogBinomialPmf(n, p, k));
    covered += expected;
    const double observed = seen.count(k) ? seen[k] : 0;
    if (expected < 5) {
      pooled_expected += expected;
      pooled_seen += observed;
      continue;
    }
    statistic += (observed - expected) * (observed - expected) / expected;
    ++bins;
  }
  for (const auto& [k, count] : seen) {
    if (k < lo || k > hi) pooled_seen += count;
  }
  pooled_expected += draws - covered;
  if (pooled_expected > 0) {
    statistic += (pooled_seen - pooled_expected) * (pooled_seen - pooled_expected) /
                 std::max(pooled_expected, 1e-9);
    ++bins;
  }
  return {statistic, bins - 1};
}

TEST(Binomial, DrawsFollowTheExactDistributionInEveryRegime) {
  // Inversion (n p < 10), transformed rejection (n p >= 10), and p > 0.5 by symmetry.
  const struct {
    uint64_t n;
    double p;
  } cases[] = {{1, 0.5},    {20, 0.3}, {1000000, 2e-6},   {40, 0.25}, {100, 0.1},
               {1000, 0.3}, {50, 0.9}, {1000000000, 0.4}, {3000, 0.5}};
  uint64_t seed = 1;
  for (const auto& c : cases) {
    const auto [statistic, df] = ChiSquare(c.n, c.p, 200000, seed++);
    // A chi-square with df degrees of freedom exceeds df + 6 sqrt(2 df) with probability
    // well below 1e-4; the seeds are fixed, so this never flakes.
    EXPECT_LT(statistic, df + 6 * std::sqrt(2.0 * df)) << "n " << c.n << " p " << c.p;
  }
}

TEST(Binomial, EdgeProbabilitiesAndZeroTrials) {
  std::mt19937_64 rng(5);
  EXPECT_EQ(DrawBinomial(rng, 0, 0.5), 0u);
  EXPECT_EQ(DrawBinomial(rng, 17, 0.0), 0u);
  EXPECT_EQ(DrawBinomial(rng, 17, 1.0), 17u);
  EXPECT_THROW(DrawBinomial(rng, 17, 1.5), InputError);
  EXPECT_THROW(DrawBinomial(rng, 17, std::nan("")), InputError);
}

TEST(Multinomial, DrawsAsManyItemsAsThePopulationWithMatchingMoments) {
  const std::vector<uint64_t> counts = {5000, 0, 3, 120, 40000, 1, 877};
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  std::mt19937_64 rng(11);
  std::vector<uint64_t> drawn(counts.size());
  std::vector<double> sum(counts.size()), sum_sq(counts.size());
  const int rounds = 4000;
  for (int r = 0; r < rounds; ++r) {
    DrawMultinomial(rng, counts, drawn);
    EXPECT_EQ(std::accumulate(drawn.begin(), drawn.end(), uint64_t{0}), uint64_t(total));
    for (size_t k = 0; k < counts.size(); ++k) {
      sum[k] += static_cast<double>(drawn[k]);
      sum_sq[k] += static_cast<double>(drawn[k]) * static_cast<double>(drawn[k]);
    }
  }
  EXPECT_EQ(sum[1], 0);  // an empty cell is never drawn
  for (size_t k = 0; k < counts.size(); ++k) {
    const double p = static_cast<double>(counts[k]) / total;
    const double mean = sum[k] / rounds;
    const double variance = sum_sq[k] / rounds - mean * mean;
    const double expected_var = total * p * (1 - p);
    // The sample mean is within 5 standard errors; the variance within 15%.
    EXPECT_NEAR(mean, total * p, 5 * std::sqrt(expected_var / rounds) + 1e-12) << "cell " << k;
    if (expected_var > 1) {
      EXPECT_NEAR(variance / expected_var, 1.0, 0.15) << "cell " << k;
    }
  }
}

TEST(Multinomial, SameSeedGivesSameDraws) {
  const std::vector<uint64_t> counts = {10, 20, 30, 4000, 5};
  std::vector<uint64_t> a(counts.size()), b(counts.size()), c(counts.size());
  std::mt19937_64 rng_a(3), rng_b(3), rng_c(4);
  DrawMultinomial(rng_a, counts, a);
  DrawMultinomial(rng_b, counts, b);
  DrawMultinomial(rng_c, counts, c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Multinomial, RejectsMismatchedSizesAndOverflow) {
  std::mt19937_64 rng(1);
  std::vector<uint64_t> drawn(1);
  EXPECT_THROW(DrawMultinomial(rng, std::vector<uint64_t>{1, 2}, drawn), InputError);
  std::vector<uint64_t> two(2);
  EXPECT_THROW(
      DrawMultinomial(rng, std::vector<uint64_t>{uint64_t{1} << 63, uint64_t{1} << 63}, two),
      InputError);
}

}  // namespace
}  // namespace kaieval::stats
