#include "kaieval/stats/style_control.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <string>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/stats/bootstrap.h"
#include "kaieval/stats/cholesky.h"

namespace kaieval::stats {
namespace {

using Features = std::array<double, kStyleFeatures>;

// A battle as the fit sees it: outcome y for model a (1, 0.5, 0), weight and features.
struct Row {
  uint32_t a;
  uint32_t b;
  double y;
  double weight;
  Features f;
};

struct Problem {
  size_t n_models;
  std::vector<Row> rows;
  std::array<bool, kStyleFeatures> active{};  // false for a feature with no variation
  double alpha;                               // ln(base): rating units of `scale` to log-odds
  double l2;
};

void CheckOptions(size_t n_models, const StyleControlOptions& o, const char* caller) {
  const std::string where = std::string(caller) + ": ";
  if (n_models < 2 || n_models > (size_t{1} << 16)) {
    throw InputError(where + std::to_string(n_models) + " models; expected 2 to 65536");
  }
  if (!std::isfinite(o.scale) || o.scale <= 0 || !std::isfinite(o.base) || o.base <= 1) {
    throw InputError(where + "expected scale > 0 and base > 1");
  }
  if (!std::isfinite(o.initial) || !std::isfinite(o.anchor_rating)) {
    throw InputError(where + "initial and anchor_rating must be finite");
  }
  if (o.anchor >= 0 && static_cast<size_t>(o.anchor) >= n_models) {
    throw InputError(where + "anchor is model " + std::to_string(o.anchor) + " but there are " +
                     std::to_string(n_models) + " models");
  }
  if (!std::isfinite(o.l2) || o.l2 < 0) {
    throw InputError(where + "l2 is " + std::to_string(o.l2) + "; expected >= 0");
  }
  if (o.max_iterations < 1 || !(o.tolerance > 0)) {
    throw InputError(where + "expected max_iterations >= 1 and tolerance > 0");
  }
}

void CheckStyle(const AnswerStyle& s, const std::string& where) {
  const double counts[] = {s.length, s.headers, s.lists, s.bold};
  for (size_t k = 0; k < kStyleFeatures; ++k) {
    if (!std::isfinite(counts[k]) || counts[k] < 0) {
      throw InputError(where + kStyleFeatureNames[k] + " is " + std::to_string(counts[k]) +
                       "; expected a finite count >= 0");
    }
  }
}

// Checks the battles, keeps those that count, and standardises their features (weighted
// mean and population standard deviation), recording both in `fit`.
Problem MakeProblem(size_t n_models, std::span<const Battle> battles,
                    std::span<const BattleStyle> styles, const StyleControlOptions& o,
                    const char* caller, StyleControlFit& fit) {
  CheckOptions(n_models, o, caller);
  if (battles.size() != styles.size()) {
    throw InputError(std::string(caller) + ": " + std::to_string(battles.size()) + " battles but " +
                     std::to_string(styles.size()) + " styles; expected one style per battle");
  }
  Problem p{n_models, {}, {}, std::log(o.base), o.l2};
  p.rows.reserve(battles.size());
  for (size_t i = 0; i < battles.size(); ++i) {
    const Battle& b = battles[i];
    const std::string where = std::string(caller) + ": battle " + std::to_string(i) + ": ";
    if (b.model_a >= n_models || b.model_b >= n_models) {
      throw InputError(where + "model index out of range; expected < " + std::to_string(n_models));
    }
    if (b.model_a == b.model_b) throw InputError(where + "a model plays itself");
    if (!std::isfinite(b.weight) || b.weight <= 0) {
      throw InputError(where + "weight is " + std::to_string(b.weight) +
                       "; expected a finite number > 0");
    }
    CheckStyle(styles[i].a, where + "style of a: ");
    CheckStyle(styles[i].b, where + "style of b: ");
    double y = 0.5;
    if (b.outcome == Battle::Outcome::kWinA) {
      y = 1;
    } else if (b.outcome == Battle::Outcome::kWinB) {
      y = 0;
    } else if (b.outcome == Battle::Outcome::kBothBad && !o.count_both_bad_as_tie) {
      continue;
    }
    const AnswerStyle& sa = styles[i].a;
    const AnswerStyle& sb = styles[i].b;
    const Features ca = {sa.length, sa.headers, sa.lists, sa.bold};
    const Features cb = {sb.length, sb.headers, sb.lists, sb.bold};
    Row row{b.model_a, b.model_b, y, b.weight, {}};
    for (size_t k = 0; k < kStyleFeatures; ++k) row.f[k] = (ca[k] - cb[k]) / (ca[k] + cb[k] + 1);
    p.rows.push_back(row);
  }
  double total = 0;
  Features sum{}, sum_sq{};
  for (const Row& r : p.rows) {
    total += r.weight;
    for (size_t k = 0; k < kStyleFeatures; ++k) sum[k] += r.weight * r.f[k];
  }
  for (size_t k = 0; k < kStyleFeatures && total > 0; ++k) {
    fit.feature_mean[k] = sum[k] / total;
    for (const Row& r : p.rows) {
      const double d = r.f[k] - fit.feature_mean[k];
      sum_sq[k] += r.weight * d * d;
    }
    fit.feature_stddev[k] = std::sqrt(sum_sq[k] / total);
    p.active[k] = fit.feature_stddev[k] > 1e-12;
  }
  for (Row& r : p.rows) {
    for (size_t k = 0; k < kStyleFeatures; ++k) {
      r.f[k] = p.active[k] ? (r.f[k] - fit.feature_mean[k]) / fit.feature_stddev[k] : 0.0;
    }
  }
  return p;
}

// log(1 + e^z) without overflow.
double Softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

double Sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

double Logit(const Problem& p, const Row& r, const std::vector<double>& x) {
  double z = p.alpha * (x[r.a] - x[r.b]);
  for (size_t k = 0; k < kStyleFeatures; ++k) z += r.f[k] * x[p.n_models + k];
  return z;
}

// Row i counts times[i] times (all once when `times` is empty).
double Times(std::span<const uint32_t> times, size_t i) {
  return times.empty() ? 1.0 : static_cast<double>(times[i]);
}

double Objective(const Problem& p, const std::vector<double>& x, std::span<const uint32_t> times) {
  double f = 0;
  for (double v : x) f += 0.5 * p.l2 * v * v;
  for (size_t i = 0; i < p.rows.size(); ++i) {
    const double w = p.rows[i].weight * Times(times, i);
    if (w == 0) continue;
    const double z = Logit(p, p.rows[i], x);
    f += w * (Softplus(z) - p.rows[i].y * z);
  }
  return f;
}

struct Solution {
  std::vector<double> x;  // ratings in units of scale, then the coefficients
  int iterations = 0;
  bool converged = false;
};

// Damped Newton from `start` (ratings summing to 0). As in bradley_terry.cc, 1 1^T is added to
// the ratings block of the Hessian: the likelihood is flat along equal shifts of all ratings,
// and the gradient has no component there, so the step is unchanged but always defined.
Solution Solve(const Problem& p, const StyleControlOptions& o, std::vector<double> start,
               std::span<const uint32_t> times) {
  const size_t m = p.n_models, dim = m + kStyleFeatures;
  const double a2 = p.alpha * p.alpha;
  Solution s{std::move(start)};
  std::vector<double> hessian(dim * dim), step(dim);
  double f = Objective(p, s.x, times);
  while (s.iterations < o.max_iterations) {
    ++s.iterations;
    std::fill(hessian.begin(), hessian.end(), 0.0);
    for (size_t i = 0; i < m; ++i) std::fill_n(&hessian[i * dim], m, 1.0);
    for (size_t i = 0; i < dim; ++i) {
      step[i] = -p.l2 * s.x[i];  // minus the gradient
      hessian[i * dim + i] += p.l2;
    }
    for (size_t k = 0; k < kStyleFeatures; ++k) {
      if (!p.active[k]) hessian[(m + k) * dim + m + k] += 1.0;  // its gradient stays 0
    }
    for (size_t i = 0; i < p.rows.size(); ++i) {
      const Row& r = p.rows[i];
      const double w = r.weight * Times(times, i);
      if (w == 0) continue;
      const double q = Sigmoid(Logit(p, r, s.x));
      const double e = w * (r.y - q), h = w * q * (1 - q);
      step[r.a] += p.alpha * e;
      step[r.b] -= p.alpha * e;
      hessian[r.a * dim + r.a] += a2 * h;
      hessian[r.b * dim + r.b] += a2 * h;
      hessian[r.a * dim + r.b] -= a2 * h;
      hessian[r.b * dim + r.a] -= a2 * h;
      for (size_t k = 0; k < kStyleFeatures; ++k) {
        const size_t fk = m + k;
        step[fk] += e * r.f[k];
        const double c = p.alpha * h * r.f[k];
        hessian[r.a * dim + fk] += c;
        hessian[fk * dim + r.a] += c;
        hessian[r.b * dim + fk] -= c;
        hessian[fk * dim + r.b] -= c;
        for (size_t l = 0; l < kStyleFeatures; ++l)
          hessian[fk * dim + m + l] += h * r.f[k] * r.f[l];
      }
    }
    if (!CholeskySolve(hessian, step, dim)) {
      throw InputError(
          "FitStyleControl: the models do not form one connected comparison graph; set l2 > 0");
    }
    if (DampedNewtonUpdate(
            s.x, step, f, [&](const std::vector<double>& x) { return Objective(p, x, times); },
            o.tolerance)) {
      s.converged = true;
      break;
    }
  }
  return s;
}

std::vector<double> ToRatings(const std::vector<double>& x, size_t m,
                              const StyleControlOptions& o) {
  double mean = 0;
  for (size_t i = 0; i < m; ++i) mean += x[i];
  mean /= static_cast<double>(m);
  std::vector<double> rating(m);
  for (size_t i = 0; i < m; ++i) rating[i] = o.initial + o.scale * (x[i] - mean);
  if (o.anchor >= 0) {
    const double shift = o.anchor_rating - rating[static_cast<size_t>(o.anchor)];
    for (double& r : rating) r += shift;
  }
  return rating;
}

// The point fit, with the battle counts; `x` receives the solution for warm starts.
StyleControlFit FitPoint(const Problem& p, const StyleControlOptions& o, StyleControlFit fit,
                         std::vector<double>& x) {
  const size_t m = p.n_models;
  Ratings& r = fit.ratings;
  r.wins.assign(m, 0.0);
  r.losses.assign(m, 0.0);
  r.ties.assign(m, 0.0);
  r.battles.assign(m, 0.0);
  for (const Row& row : p.rows) {
    r.battles[row.a] += row.weight;
    r.battles[row.b] += row.weight;
    if (row.y == 1) {
      r.wins[row.a] += row.weight;
      r.losses[row.b] += row.weight;
    } else if (row.y == 0) {
      r.wins[row.b] += row.weight;
      r.losses[row.a] += row.weight;
    } else {
      r.ties[row.a] += row.weight;
      r.ties[row.b] += row.weight;
    }
  }
  Solution s = Solve(p, o, std::vector<double>(m + kStyleFeatures, 0.0), {});
  r.rating = ToRatings(s.x, m, o);
  r.iterations = s.iterations;
  r.converged = s.converged;
  for (size_t k = 0; k < kStyleFeatures; ++k) fit.coefficients[k] = s.x[m + k];
  x = std::move(s.x);
  return fit;
}

}  // namespace

StyleControlFit FitStyleControl(size_t n_models, std::span<const Battle> battles,
                                std::span<const BattleStyle> styles,
                                const StyleControlOptions& options) {
  StyleControlFit fit;
  const Problem p = MakeProblem(n_models, battles, styles, options, "FitStyleControl", fit);
  std::vector<double> x;
  return FitPoint(p, options, fit, x);
}

StyleControlIntervals BootstrapStyleControl(size_t n_models, std::span<const Battle> battles,
                                            std::span<const BattleStyle> styles,
                                            const StyleControlOptions& options, int resamples,
                                            uint64_t seed, int threads) {
  const std::string caller = "BootstrapStyleControl";
  StyleControlFit fit;
  const Problem p = MakeProblem(n_models, battles, styles, options, caller.c_str(), fit);
  if (resamples < 2 || threads < 0) {
    throw InputError(caller + ": expected resamples >= 2 and threads >= 0");
  }
  if (p.rows.empty() || p.rows.size() > UINT32_MAX) {
    throw InputError(caller + ": " + std::to_string(p.rows.size()) +
                     " battles to resample; expected between 1 and 2^32 - 1");
  }
  StyleControlIntervals out;
  std::vector<double> start;
  out.point = FitPoint(p, options, fit, start);
  out.ratings.point = out.point.ratings;
  out.ratings.resamples = resamples;
  out.ratings.seed = seed;
  const size_t m = n_models, dim = m + kStyleFeatures;
  double mean = 0;
  for (size_t i = 0; i < m; ++i) mean += start[i];
  for (size_t i = 0; i < m; ++i) start[i] -= mean / static_cast<double>(m);

  std::vector<double> params(static_cast<size_t>(resamples) * dim);
  std::atomic<int> next{0};
  auto run = [&] {
    const uint32_t n = static_cast<uint32_t>(p.rows.size());
    std::vector<uint32_t> times(n);
    for (int r = next++; r < resamples; r = next++) {
      IndexDrawer drawer(BlockSeed(seed, static_cast<uint64_t>(r)));
      std::fill(times.begin(), times.end(), 0u);
      for (uint32_t k = 0; k < n; ++k) ++times[drawer.Next(n)];
      const Solution s = Solve(p, options, start, times);
      std::copy(s.x.begin(), s.x.end(), params.begin() + static_cast<size_t>(r) * dim);
    }
  };
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = std::min(threads, resamples);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
  auto guarded = [&](int w) {
    try {
      run();
    } catch (...) {
      errors[static_cast<size_t>(w)] = std::current_exception();
      next = resamples;
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(guarded, w);
  guarded(0);
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }

  RatingIntervals& iv = out.ratings;
  iv.replicates.resize(static_cast<size_t>(resamples) * m);
  for (int r = 0; r < resamples; ++r) {
    const std::vector<double> x(params.begin() + static_cast<size_t>(r) * dim,
                                params.begin() + static_cast<size_t>(r + 1) * dim);
    const std::vector<double> rating = ToRatings(x, m, options);
    std::copy(rating.begin(), rating.end(), iv.replicates.begin() + static_cast<size_t>(r) * m);
  }
  std::vector<double> column(static_cast<size_t>(resamples));
  auto summarise = [&](auto value_of, double& lower, double& upper, double* stderr_out) {
    double sum = 0;
    for (int r = 0; r < resamples; ++r) sum += column[r] = value_of(r);
    const double column_mean = sum / resamples;
    double ss = 0;
    for (double v : column) ss += (v - column_mean) * (v - column_mean);
    std::sort(column.begin(), column.end());
    lower = Percentile(column, 0.025);
    upper = Percentile(column, 0.975);
    if (stderr_out) *stderr_out = std::sqrt(ss / (resamples - 1));
  };
  iv.lower.resize(m);
  iv.upper.resize(m);
  iv.stderr_.resize(m);
  for (size_t i = 0; i < m; ++i) {
    summarise([&](int r) { return iv.replicates[static_cast<size_t>(r) * m + i]; }, iv.lower[i],
              iv.upper[i], &iv.stderr_[i]);
  }
  for (size_t k = 0; k < kStyleFeatures; ++k) {
    summarise([&](int r) { return params[static_cast<size_t>(r) * dim + m + k]; },
              out.coefficient_lower[k], out.coefficient_upper[k], nullptr);
  }
  return out;
}

}  // namespace kaieval::stats
