#include "kaieval/judge/sandbox/pass_at_k.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace kaieval::sandbox {
namespace {

// C(a, b) exactly for small arguments, as the definition writes it.
double Binomial(int a, int b) {
  if (b < 0 || b > a) return 0;
  double r = 1;
  for (int i = 1; i <= b; ++i) r = r * (a - b + i) / i;
  return r;
}

TEST(PassAtK, PassAt1IsTheShareOfPassingSamples) {
  EXPECT_DOUBLE_EQ(PassAtK(10, 3, 1), 0.3);
  EXPECT_NEAR(PassAtK(200, 37, 1), 37.0 / 200.0, 1e-15);
  EXPECT_DOUBLE_EQ(PassAtK(1, 1, 1), 1.0);
  EXPECT_DOUBLE_EQ(PassAtK(1, 0, 1), 0.0);
}

TEST(PassAtK, HandComputedValues) {
  // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10.
  EXPECT_NEAR(PassAtK(5, 2, 2), 0.7, 1e-15);
  // n=10, c=1, k=5: 1 - C(9,5)/C(10,5) = 1 - 126/252 = 0.5.
  EXPECT_NEAR(PassAtK(10, 1, 5), 0.5, 1e-15);
  // n=4, c=1, k=3: 1 - C(3,3)/C(4,3) = 1 - 1/4.
  EXPECT_NEAR(PassAtK(4, 1, 3), 0.75, 1e-15);
}

TEST(PassAtK, EqualsTheBinomialDefinitionOnAGrid) {
  for (int n = 1; n <= 30; ++n) {
    for (int c = 0; c <= n; ++c) {
      for (int k = 1; k <= n; ++k) {
        double expected = 1.0 - Binomial(n - c, k) / Binomial(n, k);
        EXPECT_NEAR(PassAtK(n, c, k), expected, 1e-12) << n << " " << c << " " << k;
      }
    }
  }
}

TEST(PassAtK, OneWhenTooFewFailuresToFillKDraws) {
  EXPECT_EQ(PassAtK(10, 10, 10), 1.0);
  EXPECT_EQ(PassAtK(10, 5, 6), 1.0);
  EXPECT_LT(PassAtK(10, 4, 6), 1.0);
}

TEST(PassAtK, StableForLargeN) {
  // C(1000, 500) overflows a double; the product form does not. pass@1 stays c/n, and
  // pass@k with no passing sample is exactly 0.
  EXPECT_NEAR(PassAtK(1000, 123, 1), 0.123, 1e-12);
  EXPECT_EQ(PassAtK(1000, 0, 500), 0.0);
  double v = PassAtK(1000, 1, 500);  // = k/n for c = 1
  EXPECT_NEAR(v, 0.5, 1e-12);
  EXPECT_TRUE(std::isfinite(PassAtK(100000, 50000, 50000)));
}

TEST(PassAtK, RejectsImpossibleCounts) {
  EXPECT_THROW(PassAtK(0, 0, 1), std::invalid_argument);
  EXPECT_THROW(PassAtK(5, 6, 1), std::invalid_argument);
  EXPECT_THROW(PassAtK(5, -1, 1), std::invalid_argument);
  EXPECT_THROW(PassAtK(5, 1, 0), std::invalid_argument);
  EXPECT_THROW(PassAtK(5, 1, 6), std::invalid_argument);
}

}  // namespace
}  // namespace kaieval::sandbox
