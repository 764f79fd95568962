#include "kaieval/stats/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::stats {
namespace {

// SplitMix64's finalizer: spreads nearby seeds and block numbers over the whole 64-bit range.
uint64_t Mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void CheckOptions(size_t n, const BootstrapOptions& options, const char* caller) {
  const std::string where = std::string(caller) + ": ";
  if (n == 0) throw InputError(where + "no items; expected at least one");
  if (n > std::numeric_limits<uint32_t>::max()) {
    throw InputError(where + std::to_string(n) + " items; at most 2^32 - 1 are supported");
  }
  if (options.resamples < 2) {
    throw InputError(where + "resamples is " + std::to_string(options.resamples) +
                     "; expected at least 2");
  }
  if (options.threads < 0) {
    throw InputError(where + "threads is " + std::to_string(options.threads) +
                     "; expected 0 (all cores) or more");
  }
}

int WorkerCount(const BootstrapOptions& options, int blocks) {
  int threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  return std::min(threads, blocks);
}

// Runs every resample and returns their statistics in resample order. `make_resampler` is
// called once per worker and returns a callable double(IndexDrawer&) holding that worker's
// buffers; the workers take blocks round-robin, each block with its own generator, so which
// worker ran a block never changes what it computed.
template <typename MakeResampler>
std::vector<double> ResampleStatistics(const BootstrapOptions& options,
                                       const MakeResampler& make_resampler) {
  const int resamples = options.resamples;
  const int blocks = (resamples + kResamplesPerBlock - 1) / kResamplesPerBlock;
  std::vector<double> statistics(static_cast<size_t>(resamples));
  auto run_blocks = [&](int first_block, int stride) {
    auto resample = make_resampler();
    for (int block = first_block; block < blocks; block += stride) {
      IndexDrawer drawer(BlockSeed(options.seed, static_cast<uint64_t>(block)));
      const int end = std::min(resamples, (block + 1) * kResamplesPerBlock);
      for (int r = block * kResamplesPerBlock; r < end; ++r) statistics[r] = resample(drawer);
    }
  };

  const int workers = WorkerCount(options, blocks);
  if (workers == 1) {
    run_blocks(0, 1);
    return statistics;
  }
  std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(workers));
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      try {
        run_blocks(w, workers);
      } catch (...) {
        errors[static_cast<size_t>(w)] = std::current_exception();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return statistics;
}

BootstrapResult Summarize(double value, std::vector<double> statistics,
                          const BootstrapOptions& options, const char* caller) {
  double sum = 0;
  for (size_t r = 0; r < statistics.size(); ++r) {
    if (std::isnan(statistics[r])) {
      throw InputError(std::string(caller) + ": the statistic is NaN on resample " +
                       std::to_string(r) + " (seed " + std::to_string(options.seed) +
                       "); expected a number for every resample");
    }
    sum += statistics[r];
  }
  const double count = static_cast<double>(statistics.size());
  const double mean = sum / count;
  double ss = 0;
  for (double s : statistics) ss += (s - mean) * (s - mean);
  std::sort(statistics.begin(), statistics.end());
  return BootstrapResult{.value = value,
                         .stderr_ = std::sqrt(ss / (count - 1)),
                         .ci_low = Percentile(statistics, 0.025),
                         .ci_high = Percentile(statistics, 0.975),
                         .resamples = options.resamples,
                         .seed = options.seed};
}

void CheckFinite(std::span<const double> values, const char* caller, const char* name) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError(std::string(caller) + ": " + name + "[" + std::to_string(i) + "] is " +
                       std::to_string(values[i]) + "; expected a finite number");
    }
  }
}

}  // namespace

BootstrapResult Bootstrap(size_t n, const BootstrapStatistic& statistic, int resamples,
                          uint64_t seed) {
  return Bootstrap(n, statistic, BootstrapOptions{.resamples = resamples, .seed = seed});
}

BootstrapResult Bootstrap(size_t n, const BootstrapStatistic& statistic,
                          const BootstrapOptions& options) {
  CheckOptions(n, options, "Bootstrap");
  const uint32_t items = static_cast<uint32_t>(n);
  std::vector<uint32_t> identity(n);
  std::iota(identity.begin(), identity.end(), 0u);
  const double value = statistic(identity);
  identity = {};

  auto make_resampler = [&] {
    // One buffer per worker, reused by all its resamples.
    return [&, indices = std::vector<uint32_t>(n)](IndexDrawer& drawer) mutable {
      for (uint32_t& index : indices) index = drawer.Next(items);
      return statistic(indices);
    };
  };
  return Summarize(value, ResampleStatistics(options, make_resampler), options, "Bootstrap");
}

BootstrapResult BootstrapRatio(std::span<const double> numerators,
                               std::span<const double> denominators,
                               const std::function<double(double)>& transform, int resamples,
                               uint64_t seed) {
  return BootstrapRatio(numerators, denominators, transform,
                        BootstrapOptions{.resamples = resamples, .seed = seed});
}

BootstrapResult BootstrapRatio(std::span<const double> numerators,
                               std::span<const double> denominators,
                               const std::function<double(double)>& transform,
                               const BootstrapOptions& options) {
  constexpr const char* kCaller = "BootstrapRatio";
  if (numerators.size() != denominators.size()) {
    throw InputError(std::string(kCaller) + ": " + std::to_string(numerators.size()) +
                     " numerators but " + std::to_string(denominators.size()) +
                     " denominators; expected one of each per item");
  }
  const size_t n = numerators.size();
  CheckOptions(n, options, kCaller);
  CheckFinite(numerators, kCaller, "numerators");
  CheckFinite(denominators, kCaller, "denominators");
  auto apply = [&](double ratio) { return transform ? transform(ratio) : ratio; };

  double num_total = 0;
  double den_total = 0;
  for (size_t i = 0; i < n; ++i) {
    num_total += numerators[i];
    den_total += denominators[i];
  }
  if (den_total == 0) {
    throw InputError(std::string(kCaller) + ": the denominators sum to 0; the ratio is undefined");
  }
  const double value = apply(num_total / den_total);

  const uint32_t items = static_cast<uint32_t>(n);
  const double* num = numerators.data();
  const double* den = denominators.data();
  auto make_resampler = [&] {
    return [&](IndexDrawer& drawer) {
      double num_sum = 0;
      double den_sum = 0;
      for (uint32_t k = 0; k < items; ++k) {
        const uint32_t index = drawer.Next(items);
        num_sum += num[index];
        den_sum += den[index];
      }
      return apply(num_sum / den_sum);
    };
  };
  return Summarize(value, ResampleStatistics(options, make_resampler), options, kCaller);
}

uint64_t BlockSeed(uint64_t seed, uint64_t block) { return Mix64(Mix64(seed) ^ block); }

// Hyndman-Fan type 7.
double Percentile(const std::vector<double>& sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace kaieval::stats
