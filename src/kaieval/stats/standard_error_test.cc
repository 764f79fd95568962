#include "kaieval/stats/standard_error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::stats {
namespace {

TEST(MeanWithStderr, BernoulliItemsMatchHandComputedStderr) {
  // {1,0,1,1}: mean 3/4 = 0.75. Squared deviations 3 * 0.25^2 + 0.75^2 = 0.1875 + 0.5625 = 0.75.
  // Sample variance 0.75 / (4-1) = 0.25, sd 0.5, stderr 0.5 / sqrt(4) = 0.25.
  std::vector<double> values = {1, 0, 1, 1};
  Estimate e = MeanWithStderr(values);
  EXPECT_DOUBLE_EQ(e.value, 0.75);
  EXPECT_DOUBLE_EQ(e.stderr_, 0.25);
  EXPECT_EQ(e.n, 4u);
}

TEST(MeanWithStderr, ContinuousItemsMatchHandComputedStderr) {
  // {2,4,4,4,5,5,7,9}: mean 40/8 = 5. Squared deviations 9+1+1+1+0+0+4+16 = 32.
  // Sample variance 32/7, stderr sqrt(32/7) / sqrt(8) = sqrt(4/7) = 0.7559289460...
  std::vector<double> values = {2, 4, 4, 4, 5, 5, 7, 9};
  Estimate e = MeanWithStderr(values);
  EXPECT_DOUBLE_EQ(e.value, 5.0);
  EXPECT_NEAR(e.stderr_, 0.7559289460184544, 1e-15);
}

TEST(MeanWithStderr, SingleItemHasZeroStderr) {
  std::vector<double> values = {0.3};
  Estimate e = MeanWithStderr(values);
  EXPECT_DOUBLE_EQ(e.value, 0.3);
  EXPECT_EQ(e.stderr_, 0.0);
  EXPECT_EQ(e.n, 1u);
}

TEST(MeanWithStderr, LargeSharedOffsetKeepsTheSpread) {
  // {1,0,1,1} + 1e9: the same spread as above, so stderr stays 0.25.
  std::vector<double> values = {1e9 + 1, 1e9, 1e9 + 1, 1e9 + 1};
  EXPECT_NEAR(MeanWithStderr(values).stderr_, 0.25, 1e-9);
}

TEST(MeanWithStderr, NoValuesThrowInputError) {
  EXPECT_THROW(MeanWithStderr(std::vector<double>{}), InputError);
}

TEST(MeanWithStderr, NonFiniteValueThrowsInputErrorNamingItsIndex) {
  std::vector<double> values = {1, std::numeric_limits<double>::quiet_NaN()};
  try {
    MeanWithStderr(values);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("values[1]"), std::string::npos) << e.what();
  }
  values[1] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(MeanWithStderr(values), InputError);
}

// Two subtasks used by the group tests:
//   A = {1,0,1,1}:   n 4, mean 0.75, sample variance 0.25 (above), stderr sqrt(0.25/4) = 0.25.
//   B = {0,0,0,1,1}: n 5, mean 0.4, squared deviations 3 * 0.16 + 2 * 0.36 = 1.2,
//                    sample variance 1.2 / 4 = 0.3, stderr sqrt(0.3/5) = sqrt(0.06).
std::vector<Estimate> TwoSubtasks() {
  return {Estimate{.value = 0.75, .stderr_ = 0.25, .n = 4},
          Estimate{.value = 0.4, .stderr_ = std::sqrt(0.06), .n = 5}};
}

TEST(PooledGroupEstimate, TwoSubtasksMatchLmEvalFormulaByHand) {
  // value: (4 * 0.75 + 5 * 0.4) / 9 = (3 + 2) / 9 = 5/9.
  // lm-eval recovers each variance as stderr^2 * n: 0.0625 * 4 = 0.25 and 0.06 * 5 = 0.3.
  // pooled variance: (3 * 0.25 + 4 * 0.3) / (9 - 2) = (0.75 + 1.2) / 7 = 1.95 / 7.
  // stderr: sqrt(1.95 / 7 / 9) = sqrt(1.95 / 63) = 0.1759329...
  Estimate e = PooledGroupEstimate(TwoSubtasks());
  EXPECT_NEAR(e.value, 5.0 / 9.0, 1e-15);
  EXPECT_NEAR(e.stderr_, std::sqrt(1.95 / 63.0), 1e-15);
  EXPECT_NEAR(e.stderr_, 0.17593288763724, 1e-13);
  EXPECT_EQ(e.n, 9u);
}

TEST(PooledGroupEstimate, OneSubtaskReturnsItsOwnEstimate) {
  // pooled variance (n-1) * se^2 * n / (n-1) = se^2 * n, stderr sqrt(se^2 * n / n) = se.
  std::vector<Estimate> one = {Estimate{.value = 0.75, .stderr_ = 0.25, .n = 4}};
  Estimate e = PooledGroupEstimate(one);
  EXPECT_DOUBLE_EQ(e.value, 0.75);
  EXPECT_DOUBLE_EQ(e.stderr_, 0.25);
  EXPECT_EQ(e.n, 4u);
}

TEST(PooledGroupEstimate, SubtasksOfOneItemEachHaveZeroStderr) {
  // N - k = 0: lm-eval would divide by zero; there is no within-subtask spread to pool.
  std::vector<Estimate> singles = {Estimate{.value = 1, .stderr_ = 0, .n = 1},
                                   Estimate{.value = 0, .stderr_ = 0, .n = 1}};
  Estimate e = PooledGroupEstimate(singles);
  EXPECT_DOUBLE_EQ(e.value, 0.5);
  EXPECT_EQ(e.stderr_, 0.0);
}

TEST(PooledGroupEstimate, BadSubtasksThrowInputError) {
  EXPECT_THROW(PooledGroupEstimate(std::vector<Estimate>{}), InputError);
  std::vector<Estimate> empty_subtask = {Estimate{.value = 0.5, .stderr_ = 0.1, .n = 0}};
  EXPECT_THROW(PooledGroupEstimate(empty_subtask), InputError);
  std::vector<Estimate> negative_stderr = {Estimate{.value = 0.5, .stderr_ = -0.1, .n = 3}};
  EXPECT_THROW(PooledGroupEstimate(negative_stderr), InputError);
  std::vector<Estimate> nan_value = {
      Estimate{.value = std::numeric_limits<double>::quiet_NaN(), .stderr_ = 0.1, .n = 3}};
  EXPECT_THROW(PooledGroupEstimate(nan_value), InputError);
  EXPECT_THROW(ConcatenatedGroupEstimate(empty_subtask), InputError);
}

TEST(ConcatenatedGroupEstimate, TwoSubtasksAddBetweenGroupTermByHand) {
  // Within: 3 * 0.25 + 4 * 0.3 = 1.95 (as above).
  // Between: 4 * (0.75 - 5/9)^2 + 5 * (0.4 - 5/9)^2 = 4 * (7/36)^2 + 5 * (7/45)^2
  //        = 196/1296 + 245/2025 = 49/324 + 49/405 = 49/180 = 0.27222...
  // Total 1.95 + 49/180 = 351/180 + 49/180 = 400/180 = 20/9; variance (20/9) / 8 = 5/18.
  // stderr sqrt(5/18 / 9) = sqrt(5/162) = 0.1756820...
  // Check: all 9 items {1,0,1,1,0,0,0,1,1} are five 1s and four 0s: squared deviations
  // 5 * (4/9)^2 + 4 * (5/9)^2 = 180/81 = 20/9, the same total.
  Estimate e = ConcatenatedGroupEstimate(TwoSubtasks());
  EXPECT_NEAR(e.value, 5.0 / 9.0, 1e-15);
  EXPECT_NEAR(e.stderr_, std::sqrt(5.0 / 162.0), 1e-15);
  EXPECT_EQ(e.n, 9u);
}

TEST(ConcatenatedGroupEstimate, EqualsMeanWithStderrOfAllItems) {
  std::vector<double> a = {0.2, 0.9, 0.4, 0.4, 1.0, 0.0, 0.7};
  std::vector<double> b = {3.0, 2.5, 2.0};
  std::vector<double> c = {-1.0, 0.5, 0.25, 0.125};
  std::vector<double> all;
  std::vector<Estimate> subtasks;
  for (const std::vector<double>* part : {&a, &b, &c}) {
    subtasks.push_back(MeanWithStderr(*part));
    all.insert(all.end(), part->begin(), part->end());
  }
  Estimate grouped = ConcatenatedGroupEstimate(subtasks);
  Estimate flat = MeanWithStderr(all);
  EXPECT_NEAR(grouped.value, flat.value, 1e-14);
  EXPECT_NEAR(grouped.stderr_, flat.stderr_, 1e-14);
  EXPECT_EQ(grouped.n, flat.n);
  // The lm-eval pooled stderr leaves out the spread between these very different means.
  EXPECT_LT(PooledGroupEstimate(subtasks).stderr_, flat.stderr_);
}

TEST(NormalInterval95, IsValuePlusMinus1Point96Stderr) {
  // 0.5 -+ 1.96 * 0.1 = 0.5 -+ 0.196.
  auto [low, high] = NormalInterval95(Estimate{.value = 0.5, .stderr_ = 0.1, .n = 100});
  EXPECT_NEAR(low, 0.304, 1e-15);
  EXPECT_NEAR(high, 0.696, 1e-15);
}

}  // namespace
}  // namespace kaieval::stats
