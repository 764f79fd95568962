#include "kaieval/stats/paired.h"

#include <cmath>
#include <string>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/stats/standard_error.h"

namespace kaieval::stats {

PairedDifference ComparePaired(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    throw InputError("ComparePaired: " + std::to_string(a.size()) + " scores for model A but " +
                     std::to_string(b.size()) + " for model B; expected the same items");
  }
  if (a.empty()) throw InputError("ComparePaired: no items; expected at least one");
  // MeanWithStderr rejects non-finite scores, so a and b are checked before d is formed.
  const Estimate ea = MeanWithStderr(a);
  const Estimate eb = MeanWithStderr(b);
  std::vector<double> d(a.size());
  for (size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  const Estimate ed = MeanWithStderr(d);
  const auto [low, high] = NormalInterval95(ed);
  return PairedDifference{
      .mean_a = ea.value,
      .mean_b = eb.value,
      .difference = ed.value,
      .stderr_ = ed.stderr_,
      .ci_low = low,
      .ci_high = high,
      .unpaired_stderr = std::sqrt(ea.stderr_ * ea.stderr_ + eb.stderr_ * eb.stderr_),
      .n = a.size(),
  };
}

}  // namespace kaieval::stats
