// Seeded nonparametric bootstrap over items: the error bar and interval of any score that has
// no closed-form standard error (perplexity, bits per byte, F1, medians). Used by score reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

namespace kaieval::stats {

struct BootstrapResult {
  double value;    // the statistic on the original items
  double stderr_;  // sample standard deviation (n-1) of the resampled statistics, as lm-eval
  // 2.5% and 97.5% percentiles of the resampled statistics, interpolating linearly between
  // order statistics as numpy's default does.
  double ci_low;
  double ci_high;
  int resamples;
  uint64_t seed;
};

struct BootstrapOptions {
  int resamples = 10000;  // at least 2
  uint64_t seed = 1234;
  // Worker threads; 0 means one per hardware thread. With more than one, the statistic is
  // called concurrently and must be safe for that. The result does not depend on this.
  int threads = 1;
};

// Reproducible everywhere: the resamples of block b (kResamplesPerBlock of them, in order) draw
// their indices from one std::mt19937_64 seeded with a fixed mix of the seed and b, through
// IndexDrawer below rather than std::uniform_int_distribution, whose algorithm differs between
// standard libraries. So (seed, resamples, n, statistic) gives the same result on every
// platform and for every thread count; a block is also the unit of work of a thread.
inline constexpr int kResamplesPerBlock = 64;

// The generator seed of block `block` of a bootstrap seeded with `seed` (SplitMix64-mixed), so
// that every resampling in kaieval draws the same way for the same seed.
uint64_t BlockSeed(uint64_t seed, uint64_t block);

// The p-quantile of sorted values by linear interpolation between order statistics (numpy's
// default), as every bootstrap interval here is read.
double Percentile(const std::vector<double>& sorted, double p);

using BootstrapStatistic = std::function<double(std::span<const uint32_t> indices)>;

// `statistic` gets the item indices of one resample (size n, drawn with replacement from
// [0, n)) and returns the statistic on those items; the value is the statistic on indices
// 0..n-1. Throws InputError when n is 0 or above 2^32 - 1, resamples < 2, threads < 0, or the
// statistic returns NaN.
BootstrapResult Bootstrap(size_t n, const BootstrapStatistic& statistic, int resamples = 10000,
                          uint64_t seed = 1234);
BootstrapResult Bootstrap(size_t n, const BootstrapStatistic& statistic,
                          const BootstrapOptions& options);

// The common case without a std::function call per resample: transform(sum(num[i]) /
// sum(den[i])) over the resampled items, e.g. a per-token mean log-likelihood turned into
// perplexity with exp(-x) or into bits per byte with -x / ln 2. An empty transform is the
// identity. Draws the same indices as Bootstrap for the same options, so it equals Bootstrap
// with the ratio as statistic. Throws InputError for sizes that differ, no items, a number
// that is NaN or infinite, a total denominator of 0, or a resampled ratio that is NaN.
BootstrapResult BootstrapRatio(std::span<const double> numerators,
                               std::span<const double> denominators,
                               const std::function<double(double)>& transform,
                               int resamples = 10000, uint64_t seed = 1234);
BootstrapResult BootstrapRatio(std::span<const double> numerators,
                               std::span<const double> denominators,
                               const std::function<double(double)>& transform,
                               const BootstrapOptions& options);

// Uniform item indices from a std::mt19937_64. Each 64-bit output gives two 32-bit words, low
// half first; each index is Lemire's multiply-and-reject on one word (unbiased; a word is
// rejected with probability below n / 2^32). Using both halves halves the generator's cost,
// which dominates a bootstrap. Exposed for tests and for callers that need the same draws.
class IndexDrawer {
 public:
  explicit IndexDrawer(uint64_t seed) : rng_(seed) {}

  // An index in [0, n); n >= 1.
  uint32_t Next(uint32_t n) {
    uint64_t product = uint64_t{NextWord()} * n;
    uint32_t low = static_cast<uint32_t>(product);
    if (low < n) {
      const uint32_t threshold = (0u - n) % n;  // 2^32 mod n
      while (low < threshold) {
        product = uint64_t{NextWord()} * n;
        low = static_cast<uint32_t>(product);
      }
    }
    return static_cast<uint32_t>(product >> 32);
  }

 private:
  uint32_t NextWord() {
    if (has_high_) {
      has_high_ = false;
      return high_;
    }
    const uint64_t x = rng_();
    high_ = static_cast<uint32_t>(x >> 32);
    has_high_ = true;
    return static_cast<uint32_t>(x);
  }

  std::mt19937_64 rng_;
  uint32_t high_ = 0;
  bool has_high_ = false;
};

}  // namespace kaieval::stats
