#include "kaieval/stats/standard_error.h"

#include <cmath>
#include <string>

#include "kaieval/common/error.h"

namespace kaieval::stats {
namespace {

// Size-weighted mean of the subtask values, after checking every subtask is usable.
double CheckedWeightedMean(std::span<const Estimate> subtasks, const char* caller) {
  if (subtasks.empty()) {
    throw InputError(std::string(caller) + ": a group needs at least one subtask");
  }
  double weighted_sum = 0;
  double total = 0;
  for (size_t i = 0; i < subtasks.size(); ++i) {
    const Estimate& s = subtasks[i];
    std::string where = std::string(caller) + ": subtask " + std::to_string(i);
    if (s.n == 0) throw InputError(where + " has n == 0 items; expected at least one");
    if (!std::isfinite(s.value)) throw InputError(where + " has a value that is not finite");
    if (!std::isfinite(s.stderr_) || s.stderr_ < 0) {
      throw InputError(where + " has stderr " + std::to_string(s.stderr_) +
                       "; expected a finite number >= 0");
    }
    weighted_sum += s.value * static_cast<double>(s.n);
    total += static_cast<double>(s.n);
  }
  return weighted_sum / total;
}

// sum((n_i - 1) * s_i^2): each subtask's sample variance is s_i^2 = stderr_i^2 * n_i.
double WithinSumOfSquares(std::span<const Estimate> subtasks) {
  double ss = 0;
  for (const Estimate& s : subtasks) {
    double n = static_cast<double>(s.n);
    ss += (n - 1) * s.stderr_ * s.stderr_ * n;
  }
  return ss;
}

size_t TotalItems(std::span<const Estimate> subtasks) {
  size_t total = 0;
  for (const Estimate& s : subtasks) total += s.n;
  return total;
}

}  // namespace

Estimate MeanWithStderr(std::span<const double> values) {
  if (values.empty()) throw InputError("MeanWithStderr: no values; expected at least one");
  // Two passes: the sum of squared deviations from the mean keeps its precision when all
  // values share a large offset, where sum(x^2) - n*mean^2 would cancel.
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError("MeanWithStderr: values[" + std::to_string(i) + "] is " +
                       std::to_string(values[i]) + "; expected a finite number");
    }
    sum += values[i];
  }
  const double n = static_cast<double>(values.size());
  Estimate e{.value = sum / n, .stderr_ = 0, .n = values.size()};
  if (values.size() < 2) return e;
  double ss = 0;
  for (double x : values) ss += (x - e.value) * (x - e.value);
  e.stderr_ = std::sqrt(ss / (n - 1)) / std::sqrt(n);
  return e;
}

Estimate PooledGroupEstimate(std::span<const Estimate> subtasks) {
  Estimate e{.value = CheckedWeightedMean(subtasks, "PooledGroupEstimate"),
             .stderr_ = 0,
             .n = TotalItems(subtasks)};
  if (e.n == subtasks.size()) return e;  // N - k == 0: every subtask has one item.
  const double total = static_cast<double>(e.n);
  const double pooled_var =
      WithinSumOfSquares(subtasks) / (total - static_cast<double>(subtasks.size()));
  e.stderr_ = std::sqrt(pooled_var / total);
  return e;
}

Estimate ConcatenatedGroupEstimate(std::span<const Estimate> subtasks) {
  Estimate e{.value = CheckedWeightedMean(subtasks, "ConcatenatedGroupEstimate"),
             .stderr_ = 0,
             .n = TotalItems(subtasks)};
  if (e.n < 2) return e;
  double between = 0;
  for (const Estimate& s : subtasks) {
    between += static_cast<double>(s.n) * (s.value - e.value) * (s.value - e.value);
  }
  const double total = static_cast<double>(e.n);
  const double var = (WithinSumOfSquares(subtasks) + between) / (total - 1);
  e.stderr_ = std::sqrt(var / total);
  return e;
}

std::pair<double, double> NormalInterval95(const Estimate& e) {
  return {e.value - kZ95 * e.stderr_, e.value + kZ95 * e.stderr_};
}

}  // namespace kaieval::stats
