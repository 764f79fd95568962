// pass@k, the unbiased estimator of Chen et al. (2021, "Evaluating Large Language Models
// Trained on Code"): with n samples of which c pass, the probability that at least one of k
// drawn without replacement passes. The bench engine's pass_at_k metric calls it per problem.
#pragma once

namespace kaieval::sandbox {

// 1 - C(n-c, k) / C(n, k), computed as 1 - prod_{i=n-c+1}^{n} (1 - k/i), which never forms a
// binomial coefficient (no overflow, no cancellation for large n). 1.0 when n - c < k.
// Throws std::invalid_argument unless 0 <= c <= n and 1 <= k <= n.
double PassAtK(int n, int c, int k);

}  // namespace kaieval::sandbox
