#include "kaieval/stats/paired.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::stats {
namespace {

TEST(ComparePaired, MatchesHandComputedDifferenceAndStderrs) {
  // a = {1,1,0,1}: mean 0.75, sample variance 0.25, stderr 0.25.
  // b = {1,0,0,0}: mean 0.25, squared deviations 0.75^2 + 3 * 0.25^2 = 0.75, variance 0.25,
  //                stderr 0.25.
  // d = a - b = {0,1,0,1}: mean 0.5, squared deviations 4 * 0.25 = 1, variance 1/3,
  //                stderr sqrt(1/3) / 2 = sqrt(1/12) = 0.2886751...
  // interval 0.5 -+ 1.96 * 0.2886751 = 0.5 -+ 0.5658033 = [-0.0658033, 1.0658033].
  // unpaired sqrt(0.25^2 + 0.25^2) = sqrt(0.125) = 0.3535533...
  std::vector<double> a = {1, 1, 0, 1};
  std::vector<double> b = {1, 0, 0, 0};
  PairedDifference p = ComparePaired(a, b);
  EXPECT_DOUBLE_EQ(p.mean_a, 0.75);
  EXPECT_DOUBLE_EQ(p.mean_b, 0.25);
  EXPECT_DOUBLE_EQ(p.difference, 0.5);
  EXPECT_NEAR(p.stderr_, std::sqrt(1.0 / 12.0), 1e-15);
  EXPECT_NEAR(p.ci_low, 0.5 - 1.96 * std::sqrt(1.0 / 12.0), 1e-15);
  EXPECT_NEAR(p.ci_low, -0.0658033, 1e-7);
  EXPECT_NEAR(p.ci_high, 1.0658033, 1e-7);
  EXPECT_NEAR(p.unpaired_stderr, std::sqrt(0.125), 1e-15);
  EXPECT_EQ(p.n, 4u);
}

TEST(ComparePaired, PairedStderrIsSmallerWhenModelsAgreeOnHardItems) {
  // Both models solve the easy items (i % 10 < 6) and fail the hard ones; B also misses the
  // easy items with i % 5 == 0 (i % 10 in {0, 5}). Accuracies 0.6 and 0.4, difference 0.2, and
  // the per-item differences (one in five is 1, the rest 0) vary far less than the scores.
  // By hand: se_a = sqrt(0.24 * 500/499 / 500), se_b the same, unpaired sqrt(2) * 0.0219308 =
  // 0.0310149; d has variance 0.16 * 500/499, paired se = sqrt(0.16 * 500/499 / 500) = 0.0179065.
  std::vector<double> a(500);
  std::vector<double> b(500);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = i % 10 < 6 ? 1.0 : 0.0;
    b[i] = (i % 10 < 6 && i % 5 != 0) ? 1.0 : 0.0;
  }
  PairedDifference p = ComparePaired(a, b);
  EXPECT_NEAR(p.difference, 0.2, 1e-12);
  EXPECT_NEAR(p.stderr_, 0.0179065, 1e-6);
  EXPECT_NEAR(p.unpaired_stderr, 0.0310149, 1e-6);
  EXPECT_LT(p.stderr_, 0.7 * p.unpaired_stderr);
  EXPECT_GT(p.ci_low, 0.0);  // paired, the difference is clearly positive
}

TEST(ComparePaired, IdenticalModelsHaveZeroDifferenceAndZeroStderr) {
  std::vector<double> a = {0.1, 0.9, 0.4, 0.4};
  PairedDifference p = ComparePaired(a, a);
  EXPECT_EQ(p.difference, 0.0);
  EXPECT_EQ(p.stderr_, 0.0);
  EXPECT_EQ(p.ci_low, 0.0);
  EXPECT_EQ(p.ci_high, 0.0);
  EXPECT_GT(p.unpaired_stderr, 0.0);
}

TEST(ComparePaired, SizeMismatchThrowsInputError) {
  std::vector<double> a = {1, 0, 1};
  std::vector<double> b = {1, 0};
  EXPECT_THROW(ComparePaired(a, b), InputError);
}

TEST(ComparePaired, NoItemsThrowInputError) {
  std::vector<double> empty;
  EXPECT_THROW(ComparePaired(empty, empty), InputError);
}

TEST(ComparePaired, NonFiniteScoreThrowsInputError) {
  std::vector<double> a = {1, std::numeric_limits<double>::infinity()};
  std::vector<double> b = {1, 0};
  EXPECT_THROW(ComparePaired(a, b), InputError);
  EXPECT_THROW(ComparePaired(b, a), InputError);
}

}  // namespace
}  // namespace kaieval::stats
