#include "kaieval/stats/cholesky.h"

#include <algorithm>
#include <cmath>

namespace kaieval::stats {

bool CholeskySolve(std::vector<double>& m, std::vector<double>& rhs, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    double d = m[j * n + j];
    for (size_t k = 0; k < j; ++k) d -= m[j * n + k] * m[j * n + k];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    m[j * n + j] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double s = m[i * n + j];
      const double* row_i = &m[i * n];
      const double* row_j = &m[j * n];
      for (size_t k = 0; k < j; ++k) s -= row_i[k] * row_j[k];
      m[i * n + j] = s / d;
    }
  }
  for (size_t i = 0; i < n; ++i) {  // L y = rhs
    double s = rhs[i];
    for (size_t k = 0; k < i; ++k) s -= m[i * n + k] * rhs[k];
    rhs[i] = s / m[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {  // L^T x = y
    double s = rhs[i];
    for (size_t k = i + 1; k < n; ++k) s -= m[k * n + i] * rhs[k];
    rhs[i] = s / m[i * n + i];
  }
  return true;
}

bool DampedNewtonUpdate(std::vector<double>& x, const std::vector<double>& step, double& f,
                        const std::function<double(const std::vector<double>&)>& objective,
                        double tolerance) {
  double largest = 0;
  for (double d : step) largest = std::max(largest, std::abs(d));
  std::vector<double> trial(x.size());
  double factor = 1.0, f_trial = f;
  for (int halvings = 0; halvings < 60; ++halvings, factor *= 0.5) {
    for (size_t i = 0; i < x.size(); ++i) trial[i] = x[i] + factor * step[i];
    f_trial = objective(trial);
    if (f_trial <= f + 1e-13 * (1.0 + std::abs(f))) break;
  }
  x.swap(trial);
  f = f_trial;
  return largest * factor < tolerance;
}

}  // namespace kaieval::stats
