#include "kaieval/review/rater_adjustment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "kaieval/stats/cholesky.h"

namespace kaieval::review {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void CheckIndices(const Ratings& ratings) {
  for (const Rating& r : ratings.values) {
    if (r.unit >= ratings.units.size() || r.rater >= ratings.raters.size() ||
        !std::isfinite(r.value)) {
      throw std::invalid_argument("Ratings: a rating with a bad unit, rater or value");
    }
  }
}

// Counts, raw means and pooled moments shared by both methods.
RaterAdjustment Describe(const Ratings& ratings, AdjustmentMethod method) {
  CheckIndices(ratings);
  RaterAdjustment a;
  a.method = method;
  const size_t units = ratings.units.size();
  const size_t raters = ratings.raters.size();
  a.raw.assign(units, 0);
  a.adjusted.assign(units, kNaN);
  a.ratings_per_unit.assign(units, 0);
  a.rater_effect.assign(raters, kNaN);
  a.rater_scale.assign(raters, 1);
  a.ratings_per_rater.assign(raters, 0);
  a.residual_sd = kNaN;
  double sum = 0;
  for (const Rating& r : ratings.values) {
    a.raw[r.unit] += r.value;
    ++a.ratings_per_unit[r.unit];
    ++a.ratings_per_rater[r.rater];
    sum += r.value;
  }
  for (size_t u = 0; u < units; ++u) {
    a.raw[u] = a.ratings_per_unit[u] > 0 ? a.raw[u] / a.ratings_per_unit[u] : kNaN;
  }
  const size_t n = ratings.values.size();
  a.pooled_mean = n > 0 ? sum / n : kNaN;
  double ss = 0;
  for (const Rating& r : ratings.values)
    ss += (r.value - a.pooled_mean) * (r.value - a.pooled_mean);
  a.pooled_sd = n > 1 ? std::sqrt(ss / (n - 1)) : kNaN;
  return a;
}

void FillAdjustedUnits(const Ratings& ratings, RaterAdjustment& a) {
  std::vector<double> sum(ratings.units.size(), 0);
  for (const Rating& r : ratings.values) sum[r.unit] += a.Adjust(r);
  for (size_t u = 0; u < sum.size(); ++u) {
    if (a.ratings_per_unit[u] > 0) a.adjusted[u] = sum[u] / a.ratings_per_unit[u];
  }
}

}  // namespace

double RaterAdjustment::Adjust(const Rating& rating) const {
  return pooled_mean +
         (rating.value - pooled_mean - rater_effect[rating.rater]) / rater_scale[rating.rater];
}

RaterAdjustment FitAdditiveRaterEffects(const Ratings& ratings, double ridge) {
  RaterAdjustment a = Describe(ratings, AdjustmentMethod::kAdditive);
  if (ratings.values.empty()) return a;

  // Raters with ratings, numbered 0..J-1; the others keep a NaN effect.
  std::vector<int> column(ratings.raters.size(), -1);
  size_t J = 0;
  for (size_t r = 0; r < ratings.raters.size(); ++r) {
    if (a.ratings_per_rater[r] > 0) column[r] = static_cast<int>(J++);
  }
  std::vector<std::vector<const Rating*>> by_unit(ratings.units.size());
  for (const Rating& r : ratings.values) by_unit[r.unit].push_back(&r);

  // With a_u = mean_u(y - b) substituted, the normal equations for b are M b = g - nu * 1 with
  //   M = diag(n_r + lambda) - sum_u c_u c_u^T / n_u   (c_u: the unit's ratings per rater)
  //   g_r = sum over r's ratings of (y - unit mean),
  // and nu, the multiplier of sum(b) = 0, makes the effects sum to zero.
  const double lambda =
      ridge * std::max(1.0, static_cast<double>(ratings.values.size()) / static_cast<double>(J));
  std::vector<double> m(J * J, 0);
  std::vector<double> g(J, 0);
  for (size_t r = 0; r < ratings.raters.size(); ++r) {
    if (column[r] >= 0) m[column[r] * J + column[r]] = a.ratings_per_rater[r] + lambda;
  }
  for (size_t u = 0; u < by_unit.size(); ++u) {
    const double n_u = static_cast<double>(by_unit[u].size());
    for (const Rating* x : by_unit[u]) {
      g[column[x->rater]] += x->value - a.raw[u];
      for (const Rating* y : by_unit[u]) m[column[x->rater] * J + column[y->rater]] -= 1 / n_u;
    }
  }
  std::vector<double> x = g;
  std::vector<double> z(J, 1);
  std::vector<double> m_copy = m;
  if (!stats::CholeskySolve(m_copy, x, J) || !stats::CholeskySolve(m, z, J)) {
    throw std::runtime_error("rater effects: the normal equations are not positive definite");
  }
  double sum_x = 0;
  double sum_z = 0;
  for (size_t j = 0; j < J; ++j) {
    sum_x += x[j];
    sum_z += z[j];
  }
  const double nu = sum_x / sum_z;
  for (size_t r = 0; r < ratings.raters.size(); ++r) {
    if (column[r] >= 0) a.rater_effect[r] = x[column[r]] - nu * z[column[r]];
  }
  FillAdjustedUnits(ratings, a);

  double rss = 0;
  for (const Rating& r : ratings.values) {
    double e = r.value - a.adjusted[r.unit] - a.rater_effect[r.rater];
    rss += e * e;
  }
  size_t used_units = 0;
  for (int n : a.ratings_per_unit) used_units += n > 0 ? 1 : 0;
  const double df = static_cast<double>(ratings.values.size()) - used_units - J + 1;
  if (df > 0) a.residual_sd = std::sqrt(rss / df);
  return a;
}

RaterAdjustment StandardiseRaters(const Ratings& ratings) {
  RaterAdjustment a = Describe(ratings, AdjustmentMethod::kLocationScale);
  if (ratings.values.empty()) return a;
  const size_t raters = ratings.raters.size();
  std::vector<double> mean(raters, 0);
  for (const Rating& r : ratings.values) mean[r.rater] += r.value;
  for (size_t r = 0; r < raters; ++r) {
    if (a.ratings_per_rater[r] > 0) mean[r] /= a.ratings_per_rater[r];
  }
  std::vector<double> ss(raters, 0);
  for (const Rating& r : ratings.values) {
    ss[r.rater] += (r.value - mean[r.rater]) * (r.value - mean[r.rater]);
  }
  for (size_t r = 0; r < raters; ++r) {
    const int n = a.ratings_per_rater[r];
    if (n == 0) continue;
    a.rater_effect[r] = mean[r] - a.pooled_mean;
    const double sd = n > 1 ? std::sqrt(ss[r] / (n - 1)) : 0;
    // Without a spread of its own (or a pooled one) the rater can only be shifted.
    if (sd > 0 && a.pooled_sd > 0) a.rater_scale[r] = sd / a.pooled_sd;
  }
  FillAdjustedUnits(ratings, a);
  return a;
}

Ratings AdjustedRatings(const Ratings& ratings, const RaterAdjustment& adjustment) {
  Ratings out = ratings;
  for (Rating& r : out.values) r.value = adjustment.Adjust(r);
  return out;
}

}  // namespace kaieval::review
