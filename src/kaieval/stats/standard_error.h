// Closed-form standard errors: the error bar of a per-item mean, and the group score of several
// subtasks (lm-evaluation-harness's size-weighted aggregation). Used by every report of a score.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

namespace kaieval::stats {

// z for a two-sided 95% normal interval; lm-eval and HELM print the same 1.96.
inline constexpr double kZ95 = 1.96;

// A point estimate with its standard error over n items. (`stderr` is a macro in <cstdio>.)
struct Estimate {
  double value = 0;
  double stderr_ = 0;
  size_t n = 0;
};

// Mean with the closed-form standard error: sample standard deviation (n-1 denominator) over
// sqrt(n), as lm-eval's mean_stderr; 0 for n == 1. Throws InputError for no values or a value
// that is NaN or infinite (the message names its index).
Estimate MeanWithStderr(std::span<const double> values);

// The group score lm-evaluation-harness reports for a group of subtasks, bit for bit in formula:
// value is the mean of the subtask values weighted by size (aggregate_subtask_metrics with
// weight_by_size) and stderr is pooled_sample_stderr, which recovers each subtask's sample
// variance as stderr^2 * n and pools them:
//   pooled_var = sum((n_i - 1) * stderr_i^2 * n_i) / (N - k),  stderr = sqrt(pooled_var / N).
// It has no between-group term, so it understates the error when subtask means differ; use
// ConcatenatedGroupEstimate for the error bar of the items themselves. Stderr is 0 when every
// subtask has one item (lm-eval divides by zero there). Throws InputError for no subtasks, a
// subtask with n == 0, or a value or stderr that is negative, NaN or infinite.
Estimate PooledGroupEstimate(std::span<const Estimate> subtasks);

// Same size-weighted value, with the variance of all items taken together: the within-subtask
// sums of squares plus the between-subtask term sum(n_i * (value_i - value)^2), over N - 1.
// Equals MeanWithStderr on the concatenated items (up to rounding). Same errors as above.
Estimate ConcatenatedGroupEstimate(std::span<const Estimate> subtasks);

// 95% normal interval: value -+ 1.96 * stderr, as {low, high}.
std::pair<double, double> NormalInterval95(const Estimate& e);

}  // namespace kaieval::stats
