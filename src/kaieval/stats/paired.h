// Paired comparison of two models scored on the same items: is A better than B, and by how much.
// Used by model-vs-model reports; pairing removes the item difficulty both models share.
#pragma once

#include <cstddef>
#include <span>

namespace kaieval::stats {

struct PairedDifference {
  double mean_a;
  double mean_b;
  double difference;  // mean of d_i = a_i - b_i (equals mean_a - mean_b up to rounding)
  double stderr_;     // sample standard deviation (n-1) of d over sqrt(n); 0 for n == 1
  double ci_low;      // difference -+ 1.96 * stderr_
  double ci_high;
  double unpaired_stderr;  // sqrt(se_a^2 + se_b^2), as if the items were independent samples
  size_t n;
};

// a[i] and b[i] are the two models' scores on item i. Throws InputError when the sizes differ,
// there are no items, or a score is NaN or infinite.
PairedDifference ComparePaired(std::span<const double> a, std::span<const double> b);

}  // namespace kaieval::stats
