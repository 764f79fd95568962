#include "kaieval/stats/bootstrap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/stats/standard_error.h"

namespace kaieval::stats {
namespace {

// The mean of `values` over the resampled indices.
BootstrapStatistic MeanOf(const std::vector<double>& values) {
  return [&values](std::span<const uint32_t> indices) {
    double sum = 0;
    for (uint32_t i : indices) sum += values[i];
    return sum / static_cast<double>(indices.size());
  };
}

// 2,000 Bernoulli items, exactly 30% ones (items with i % 10 < 3).
std::vector<double> BernoulliItems() {
  std::vector<double> items(2000);
  for (size_t i = 0; i < items.size(); ++i) items[i] = i % 10 < 3 ? 1.0 : 0.0;
  return items;
}

void ExpectIdentical(const BootstrapResult& x, const BootstrapResult& y) {
  EXPECT_EQ(x.value, y.value);
  EXPECT_EQ(x.stderr_, y.stderr_);
  EXPECT_EQ(x.ci_low, y.ci_low);
  EXPECT_EQ(x.ci_high, y.ci_high);
  EXPECT_EQ(x.resamples, y.resamples);
  EXPECT_EQ(x.seed, y.seed);
}

TEST(StdMt19937_64, TenThousandthOutputIsTheValueTheStandardFixes) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64 is
  // 9981545732273789042 on every conforming library; our draws rest on that.
  std::mt19937_64 rng;
  rng.discard(9999);
  EXPECT_EQ(rng(), 9981545732273789042ull);
}

TEST(IndexDrawer, PowerOfTwoRangeTakesTopBitsOfEachHalfLowHalfFirst) {
  // n = 2^10: word w times 2^10 has high word w >> 22, and 2^32 mod 2^10 = 0 so nothing is
  // rejected. Each 64-bit output x gives two words: x's low 32 bits, then its high 32 bits.
  IndexDrawer drawer(7);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = rng();
    EXPECT_EQ(drawer.Next(1024), static_cast<uint32_t>(x) >> 22);
    EXPECT_EQ(drawer.Next(1024), static_cast<uint32_t>(x >> 32) >> 22);
  }
  EXPECT_EQ(drawer.Next(1), 0u);
}

TEST(IndexDrawer, ThreeValuesAreDrawnEquallyOften) {
  // 30,000 draws from {0,1,2}: 10,000 expected each, sd sqrt(30000 * 1/3 * 2/3) = 81.6;
  // +-300 is 3.7 sd, and the seed is fixed so this cannot flake.
  IndexDrawer drawer(42);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 30000; ++i) {
    uint32_t index = drawer.Next(3);
    ASSERT_LT(index, 3u);
    ++counts[index];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 300);
}

TEST(IndexDrawer, LargestRangeStaysInRange) {
  IndexDrawer drawer(3);
  const uint32_t n = 0xFFFFFFFFu;  // 2^32 mod n = 1: only the word 0 is ever rejected
  for (int i = 0; i < 1000; ++i) EXPECT_LT(drawer.Next(n), n);
}

TEST(Bootstrap, SameSeedGivesIdenticalResult) {
  std::vector<double> items = BernoulliItems();
  ExpectIdentical(Bootstrap(items.size(), MeanOf(items), 500, 99),
                  Bootstrap(items.size(), MeanOf(items), 500, 99));
}

TEST(Bootstrap, DifferentSeedGivesDifferentResult) {
  std::vector<double> items = BernoulliItems();
  BootstrapResult a = Bootstrap(items.size(), MeanOf(items), 500, 99);
  BootstrapResult b = Bootstrap(items.size(), MeanOf(items), 500, 100);
  EXPECT_EQ(a.value, b.value);  // the statistic on the original items does not resample
  EXPECT_NE(a.stderr_, b.stderr_);
}

TEST(Bootstrap, ResultDoesNotDependOnThreadCount) {
  // 1000 resamples: 15 full blocks of 64 and one of 40, spread differently over the workers.
  std::vector<double> items = BernoulliItems();
  BootstrapResult one = Bootstrap(items.size(), MeanOf(items), {.resamples = 1000, .threads = 1});
  for (int threads : {0, 2, 3, 16}) {
    SCOPED_TRACE(threads);
    ExpectIdentical(
        one, Bootstrap(items.size(), MeanOf(items), {.resamples = 1000, .threads = threads}));
  }
  ExpectIdentical(one, Bootstrap(items.size(), MeanOf(items), 1000, 1234));
}

TEST(Bootstrap, FirstResampleIndicesForSeed1234NeverChange) {
  // Golden values, also re-derived by a separate Python model of the documented scheme
  // (mt19937_64 from its specification, seed Mix64(Mix64(1234) ^ block 0), 32-bit Lemire on
  // low then high halves). Every published error bar depends on these draws: if this fails,
  // the draw order or the seeding changed, which it must not.
  std::vector<uint32_t> first;
  int calls = 0;
  Bootstrap(
      1000,
      [&](std::span<const uint32_t> indices) {
        if (calls++ == 1) first.assign(indices.begin(), indices.begin() + 6);  // 0 is identity
        return 0.0;
      },
      2, 1234);
  EXPECT_EQ(first, (std::vector<uint32_t>{518, 879, 758, 574, 49, 845}));
}

TEST(Bootstrap, StderrOfMeanIsWithinFivePercentOfClosedForm) {
  // Closed form: p = 0.3, sqrt(0.3 * 0.7 / 2000) * sqrt(2000 / 1999) = 0.010249...
  std::vector<double> items = BernoulliItems();
  Estimate closed = MeanWithStderr(items);
  EXPECT_NEAR(closed.stderr_, 0.0102495, 1e-6);
  BootstrapResult boot = Bootstrap(items.size(), MeanOf(items));
  EXPECT_DOUBLE_EQ(boot.value, 0.3);
  EXPECT_NEAR(boot.stderr_ / closed.stderr_, 1.0, 0.05);
  EXPECT_EQ(boot.resamples, 10000);
  EXPECT_EQ(boot.seed, 1234u);
}

TEST(Bootstrap, IntervalContainsTheValueAndSpansAboutFourStderrs) {
  std::vector<double> items = BernoulliItems();
  BootstrapResult boot = Bootstrap(items.size(), MeanOf(items), 2000, 5);
  EXPECT_LT(boot.ci_low, boot.value);
  EXPECT_GT(boot.ci_high, boot.value);
  // A near-normal statistic: the 95% percentile interval is about 2 * 1.96 stderrs wide.
  EXPECT_NEAR((boot.ci_high - boot.ci_low) / (2 * 1.96 * boot.stderr_), 1.0, 0.1);
}

TEST(Bootstrap, ValueIsTheStatisticOnItemsInOriginalOrder) {
  // An order-sensitive statistic: the first index seen. The original order starts at item 0.
  BootstrapResult boot = Bootstrap(
      50, [](std::span<const uint32_t> indices) { return double(indices[0]); }, 100, 3);
  EXPECT_EQ(boot.value, 0.0);
}

TEST(Bootstrap, ResamplesDrawNItemsWithReplacement) {
  const size_t n = 20;
  bool saw_repeat = false;
  Bootstrap(
      n,
      [&](std::span<const uint32_t> indices) {
        EXPECT_EQ(indices.size(), n);
        std::vector<int> seen(n, 0);
        for (uint32_t i : indices) {
          EXPECT_LT(i, n);
          if (i < n && ++seen[i] > 1) saw_repeat = true;
        }
        return 0.0;
      },
      100, 11);
  EXPECT_TRUE(saw_repeat);
}

TEST(Bootstrap, ConstantItemsHaveZeroStderrAndAPointInterval) {
  std::vector<double> items(30, 0.5);
  BootstrapResult boot = Bootstrap(items.size(), MeanOf(items), 200, 1);
  EXPECT_EQ(boot.value, 0.5);
  EXPECT_EQ(boot.stderr_, 0.0);
  EXPECT_EQ(boot.ci_low, 0.5);
  EXPECT_EQ(boot.ci_high, 0.5);
}

TEST(Bootstrap, BadArgumentsThrowInputError) {
  std::vector<double> items = {1, 0};
  EXPECT_THROW(Bootstrap(0, MeanOf(items)), InputError);
  EXPECT_THROW(Bootstrap(items.size(), MeanOf(items), 1), InputError);
  EXPECT_THROW(Bootstrap(items.size(), MeanOf(items), {.threads = -1}), InputError);
  EXPECT_THROW(Bootstrap(size_t{1} << 32, MeanOf(items)), InputError);
}

TEST(Bootstrap, NanStatisticThrowsInputError) {
  auto nan_on_resamples = [](std::span<const uint32_t> indices) {
    return indices[0] == 0 && indices[1] == 1 ? 0.0 : std::numeric_limits<double>::quiet_NaN();
  };
  EXPECT_THROW(Bootstrap(10, nan_on_resamples, 100, 1), InputError);
}

TEST(Bootstrap, ExceptionInAWorkerReachesTheCaller) {
  int calls = 0;  // only counted on the caller's thread (the identity call)
  auto throw_on_resamples = [&calls](std::span<const uint32_t>) -> double {
    if (calls++ == 0) return 0.0;
    throw std::runtime_error("statistic failed");
  };
  EXPECT_THROW(Bootstrap(10, throw_on_resamples, {.resamples = 300, .threads = 1}),
               std::runtime_error);
  auto always_throw = [](std::span<const uint32_t> indices) -> double {
    if (indices[0] == 0 && indices[9] == 9) return 0.0;  // the identity call
    throw std::runtime_error("statistic failed");
  };
  EXPECT_THROW(Bootstrap(10, always_throw, {.resamples = 300, .threads = 2}), std::runtime_error);
}

TEST(BootstrapRatio, EqualsBootstrapWithTheRatioAsStatistic) {
  std::vector<double> num = {-2.0, -4.0, -1.5, -3.0, -0.5, -6.0, -2.5};
  std::vector<double> den = {1.0, 3.0, 2.0, 2.0, 1.0, 4.0, 3.0};
  auto ratio = [&](std::span<const uint32_t> indices) {
    double n = 0;
    double d = 0;
    for (uint32_t i : indices) {
      n += num[i];
      d += den[i];
    }
    return n / d;
  };
  ExpectIdentical(BootstrapRatio(num, den, nullptr, 700, 8), Bootstrap(num.size(), ratio, 700, 8));
  ExpectIdentical(BootstrapRatio(num, den, nullptr, {.resamples = 700, .seed = 8, .threads = 2}),
                  Bootstrap(num.size(), ratio, 700, 8));
}

TEST(BootstrapRatio, TransformAppliesToValueAndResamples) {
  // Perplexity from log-likelihoods: num = {-2, -4} over den = {1, 3} tokens is
  // -6 / 4 = -1.5 nats per token, perplexity exp(1.5) = 4.4816890703...
  std::vector<double> num = {-2.0, -4.0};
  std::vector<double> den = {1.0, 3.0};
  BootstrapResult ppl = BootstrapRatio(
      num, den, [](double x) { return std::exp(-x); }, 400, 2);
  EXPECT_NEAR(ppl.value, 4.4816890703380645, 1e-12);
  // Resamples are {item0,item0} = exp(2), mixed = exp(1.5), {item1,item1} = exp(4/3): all
  // in [exp(4/3), exp(2)] = [3.7937, 7.3891].
  EXPECT_GE(ppl.ci_low, std::exp(4.0 / 3.0) - 1e-12);
  EXPECT_LE(ppl.ci_high, std::exp(2.0) + 1e-12);
  EXPECT_GT(ppl.stderr_, 0.0);
}

TEST(BootstrapRatio, EmptyTransformIsTheIdentity) {
  std::vector<double> num = {1.0, 2.0, 3.0};
  std::vector<double> den = {2.0, 2.0, 2.0};
  BootstrapResult identity = BootstrapRatio(num, den, nullptr, 300, 4);
  BootstrapResult explicit_identity = BootstrapRatio(
      num, den, [](double x) { return x; }, 300, 4);
  EXPECT_DOUBLE_EQ(identity.value, 1.0);  // 6 / 6
  ExpectIdentical(identity, explicit_identity);
}

TEST(BootstrapRatio, BadInputThrowsInputError) {
  std::vector<double> two = {1.0, 2.0};
  std::vector<double> three = {1.0, 2.0, 3.0};
  std::vector<double> zeros = {0.0, 0.0};
  std::vector<double> with_nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  std::vector<double> empty;
  EXPECT_THROW(BootstrapRatio(two, three, nullptr), InputError);
  EXPECT_THROW(BootstrapRatio(empty, empty, nullptr), InputError);
  EXPECT_THROW(BootstrapRatio(two, zeros, nullptr), InputError);
  EXPECT_THROW(BootstrapRatio(with_nan, two, nullptr), InputError);
  EXPECT_THROW(BootstrapRatio(two, with_nan, nullptr), InputError);
  EXPECT_THROW(BootstrapRatio(two, two, nullptr, 1), InputError);
  // {1, 0}: a resample of item 1 twice has 0 / 0.
  std::vector<double> num_zero = {1.0, 0.0};
  std::vector<double> den_zero = {1.0, 0.0};
  EXPECT_THROW(BootstrapRatio(num_zero, den_zero, nullptr, 100, 1), InputError);
}

// Timing, not correctness: run with --gtest_also_run_disabled_tests on an optimized build.
TEST(BootstrapTiming, DISABLED_MeanAndRatioOver14kItemsWith10kResamples) {
  std::vector<double> items(14000);
  std::vector<double> ones(items.size(), 1.0);
  for (size_t i = 0; i < items.size(); ++i) items[i] = (i * 7919) % 13 < 5 ? 1.0 : 0.0;
  for (int threads : {1, 2}) {
    auto start = std::chrono::steady_clock::now();
    BootstrapResult mean = Bootstrap(items.size(), MeanOf(items), {.threads = threads});
    auto mid = std::chrono::steady_clock::now();
    BootstrapResult ratio = BootstrapRatio(items, ones, nullptr, {.threads = threads});
    auto end = std::chrono::steady_clock::now();
    std::printf("threads %d: Bootstrap(mean) %.3f s, BootstrapRatio %.3f s (stderr %g, %g)\n",
                threads, std::chrono::duration<double>(mid - start).count(),
                std::chrono::duration<double>(end - mid).count(), mean.stderr_, ratio.stderr_);
  }
}

}  // namespace
}  // namespace kaieval::stats
