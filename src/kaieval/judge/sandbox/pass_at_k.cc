#include "kaieval/judge/sandbox/pass_at_k.h"

#include <stdexcept>
#include <string>

namespace kaieval::sandbox {

double PassAtK(int n, int c, int k) {
  if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw std::invalid_argument(
        "PassAtK: need 0 <= c <= n and 1 <= k <= n, got n=" + std::to_string(n) +
        " c=" + std::to_string(c) + " k=" + std::to_string(k));
  }
  if (n - c < k) return 1.0;
  // C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k / i).
  double all_fail = 1.0;
  for (int i = n - c + 1; i <= n; ++i) all_fail *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - all_fail;
}

}  // namespace kaieval::sandbox
