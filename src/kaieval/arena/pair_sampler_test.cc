#include "kaieval/arena/pair_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace kaieval::arena {
namespace {

TEST(PairSampler, UniformOverActivePairsOnly) {
  PairSampler sampler({true, true, false, true});
  ASSERT_EQ(sampler.pairs().size(), 3u);  // (0,1) (0,3) (1,3)
  for (const auto& p : sampler.pairs()) {
    EXPECT_NE(p.first, 2u);
    EXPECT_NE(p.second, 2u);
    EXPECT_DOUBLE_EQ(p.weight, 1.0 / 3);
  }
  std::mt19937_64 rng(7);
  std::map<std::pair<uint32_t, uint32_t>, int> seen;
  int a_is_lower = 0;
  const int draws = 30000;
  for (int i = 0; i < draws; ++i) {
    auto [a, b] = sampler.Sample(rng(), rng());
    ASSERT_NE(a, b);
    ASSERT_NE(a, 2u);
    ASSERT_NE(b, 2u);
    seen[{std::min(a, b), std::max(a, b)}]++;
    a_is_lower += a < b;
  }
  for (const auto& [pair, count] : seen) EXPECT_NEAR(count, draws / 3.0, 400) << pair.first;
  EXPECT_NEAR(a_is_lower, draws / 2.0, 400);  // sides are random
}

TEST(PairSampler, AdaptiveFavoursOverlappingIntervals) {
  PairSampler sampler({true, true, true});
  // 0 and 1 overlap completely; 2 is far above both.
  const double lower[] = {990, 995, 1200};
  const double upper[] = {1010, 1005, 1220};
  sampler.SetAdaptive(lower, upper, 0.5);
  double sum = 0;
  for (const auto& p : sampler.pairs()) {
    sum += p.weight;
    if (p.first == 0 && p.second == 1) {
      EXPECT_NEAR(p.weight, 0.5 / 3 + 0.5, 1e-12);
    } else {
      EXPECT_NEAR(p.weight, 0.5 / 3, 1e-12);  // the uniform floor keeps every pair alive
    }
  }
  EXPECT_NEAR(sum, 1, 1e-12);
}

TEST(PairSampler, AdaptiveWithoutIntervalsStaysUniform) {
  PairSampler sampler({true, true, true});
  const double nan = std::nan("");
  const double lower[] = {nan, nan, nan};
  const double upper[] = {nan, nan, nan};
  sampler.SetAdaptive(lower, upper, 0.5);
  for (const auto& p : sampler.pairs()) EXPECT_NEAR(p.weight, 1.0 / 3, 1e-12);
}

TEST(PairSampler, NeedsTwoActiveModels) {
  EXPECT_THROW(PairSampler({true, false}), std::exception);
}

}  // namespace
}  // namespace kaieval::arena
