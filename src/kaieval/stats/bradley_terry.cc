#include "kaieval/stats/bradley_terry.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/stats/bootstrap.h"

namespace kaieval::stats {
namespace {

// A battle reduced to what the fit needs: `share_a` of its weight is a win for a, the rest a
// win for b (1 for a win of a, 0 for a win of b, 0.5 for a tie).
struct Contribution {
  uint32_t a;
  uint32_t b;
  double share_a;
  double weight;
};

// wins[i * n + j]: weighted wins of model i over model j, ties split in half.
struct PairTable {
  size_t n;
  std::vector<double> wins;
};

void CheckOptions(size_t n_models, const RatingOptions& o, const char* caller) {
  const std::string where = std::string(caller) + ": ";
  if (n_models < 2) {
    throw InputError(where + std::to_string(n_models) + " models; expected at least 2");
  }
  if (n_models > (size_t{1} << 16)) {
    throw InputError(where + std::to_string(n_models) + " models; at most 65536 are supported");
  }
  if (!std::isfinite(o.scale) || o.scale <= 0) {
    throw InputError(where + "scale is " + std::to_string(o.scale) + "; expected > 0");
  }
  if (!std::isfinite(o.base) || o.base <= 1) {
    throw InputError(where + "base is " + std::to_string(o.base) + "; expected > 1");
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
  if (o.max_iterations < 1) {
    throw InputError(where + "max_iterations is " + std::to_string(o.max_iterations) +
                     "; expected >= 1");
  }
  if (!(o.tolerance > 0)) {
    throw InputError(where + "tolerance is " + std::to_string(o.tolerance) + "; expected > 0");
  }
}

// Checks every battle and keeps those that count (drops "both bad" when asked to).
std::vector<Contribution> Contributions(size_t n_models, std::span<const Battle> battles,
                                        const RatingOptions& o, const char* caller) {
  std::vector<Contribution> kept;
  kept.reserve(battles.size());
  for (size_t i = 0; i < battles.size(); ++i) {
    const Battle& b = battles[i];
    const std::string where = std::string(caller) + ": battle " + std::to_string(i) + ": ";
    if (b.model_a >= n_models || b.model_b >= n_models) {
      throw InputError(where + "model index " + std::to_string(std::max(b.model_a, b.model_b)) +
                       " is out of range; expected < " + std::to_string(n_models));
    }
    if (b.model_a == b.model_b) {
      throw InputError(where + "model " + std::to_string(b.model_a) +
                       " plays itself; expected two different models");
    }
    if (!std::isfinite(b.weight) || b.weight <= 0) {
      throw InputError(where + "weight is " + std::to_string(b.weight) +
                       "; expected a finite number > 0");
    }
    double share_a = 0.5;
    switch (b.outcome) {
      case Battle::Outcome::kWinA:
        share_a = 1.0;
        break;
      case Battle::Outcome::kWinB:
        share_a = 0.0;
        break;
      case Battle::Outcome::kTie:
        break;
      case Battle::Outcome::kBothBad:
        if (!o.count_both_bad_as_tie) continue;
        break;
      default:
        throw InputError(where + "unknown outcome " + std::to_string(static_cast<int>(b.outcome)));
    }
    kept.push_back({b.model_a, b.model_b, share_a, b.weight});
  }
  return kept;
}

void AddToTable(const Contribution& c, PairTable& table) {
  table.wins[c.a * table.n + c.b] += c.weight * c.share_a;
  table.wins[c.b * table.n + c.a] += c.weight * (1.0 - c.share_a);
}

// log(sigmoid(x)) without overflow.
double LogSigmoid(double x) {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

double Sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// The minimised objective: negative log-likelihood plus the ridge.
double Objective(const PairTable& t, const std::vector<double>& theta, double l2) {
  double f = 0;
  for (size_t i = 0; i < t.n; ++i) {
    f += 0.5 * l2 * theta[i] * theta[i];
    for (size_t j = 0; j < t.n; ++j) {
      const double w = t.wins[i * t.n + j];
      if (w > 0) f -= w * LogSigmoid(theta[i] - theta[j]);
    }
  }
  return f;
}

// Solves m x = rhs in place for a symmetric positive definite m (n x n, row-major) by
// Cholesky; returns false if m is not positive definite.
bool CholeskySolve(std::vector<double>& m, std::vector<double>& rhs, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    double d = m[j * n + j];
    for (size_t k = 0; k < j; ++k) d -= m[j * n + k] * m[j * n + k];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    m[j * n + j] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double s = m[i * n + j];
      for (size_t k = 0; k < j; ++k) s -= m[i * n + k] * m[j * n + k];
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

struct Solution {
  std::vector<double> theta;  // log-odds strengths, summing to 0
  int iterations = 0;
  bool converged = false;
};

// Damped Newton on the objective. The likelihood only sees rating differences, so its Hessian
// is singular along the all-ones direction; adding 1 1^T to the Hessian leaves the Newton step
// unchanged (the gradient sums to l2 * sum(theta) = 0 when starting from 0) while making the
// system positive definite even with l2 = 0 on a connected comparison graph.
Solution SolveNewton(const PairTable& t, const RatingOptions& o) {
  const size_t n = t.n;
  // The ridge grows with the data, so duplicating or reweighting all battles changes nothing.
  double total = 0;
  for (double w : t.wins) total += w;
  const double l2 = o.l2 * (total > 0 ? total : 1.0);
  Solution s;
  s.theta.assign(n, 0.0);
  std::vector<double> hessian(n * n), step(n), trial(n);
  double f = Objective(t, s.theta, l2);
  while (s.iterations < o.max_iterations) {
    ++s.iterations;
    std::fill(hessian.begin(), hessian.end(), 1.0);
    for (size_t i = 0; i < n; ++i) {
      step[i] = -l2 * s.theta[i];  // minus the gradient
      hessian[i * n + i] += l2;
    }
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        const double wij = t.wins[i * n + j], wji = t.wins[j * n + i];
        const double games = wij + wji;
        if (games == 0) continue;
        const double p = Sigmoid(s.theta[i] - s.theta[j]);
        const double g = wij - games * p;
        step[i] += g;
        step[j] -= g;
        const double h = games * p * (1.0 - p);
        hessian[i * n + i] += h;
        hessian[j * n + j] += h;
        hessian[i * n + j] -= h;
        hessian[j * n + i] -= h;
      }
    }
    if (!CholeskySolve(hessian, step, n)) {
      throw InputError(
          "FitBradleyTerry: the models do not form one connected comparison graph; set l2 > 0");
    }
    double largest = 0;
    for (double d : step) largest = std::max(largest, std::abs(d));
    // Halve the step until the objective does not rise (beyond rounding).
    double factor = 1.0, f_trial = f;
    for (int halvings = 0; halvings < 60; ++halvings, factor *= 0.5) {
      for (size_t i = 0; i < n; ++i) trial[i] = s.theta[i] + factor * step[i];
      f_trial = Objective(t, trial, l2);
      if (f_trial <= f + 1e-13 * (1.0 + std::abs(f))) break;
    }
    s.theta.swap(trial);
    f = f_trial;
    if (largest * factor < o.tolerance) {
      s.converged = true;
      break;
    }
  }
  return s;
}

std::vector<double> ToRatings(const std::vector<double>& theta, const RatingOptions& o) {
  const double per_unit = o.scale / std::log(o.base);
  std::vector<double> rating(theta.size());
  double mean = 0;
  for (double x : theta) mean += x;
  mean /= static_cast<double>(theta.size());
  for (size_t i = 0; i < theta.size(); ++i) rating[i] = o.initial + per_unit * (theta[i] - mean);
  if (o.anchor >= 0) {
    const double shift = o.anchor_rating - rating[static_cast<size_t>(o.anchor)];
    for (double& r : rating) r += shift;
  }
  return rating;
}

Ratings Fit(size_t n_models, const std::vector<Contribution>& kept, const RatingOptions& o) {
  PairTable table{n_models, std::vector<double>(n_models * n_models, 0.0)};
  Ratings r;
  r.wins.assign(n_models, 0.0);
  r.losses.assign(n_models, 0.0);
  r.ties.assign(n_models, 0.0);
  r.battles.assign(n_models, 0.0);
  for (const Contribution& c : kept) {
    AddToTable(c, table);
    r.battles[c.a] += c.weight;
    r.battles[c.b] += c.weight;
    if (c.share_a == 1.0) {
      r.wins[c.a] += c.weight;
      r.losses[c.b] += c.weight;
    } else if (c.share_a == 0.0) {
      r.wins[c.b] += c.weight;
      r.losses[c.a] += c.weight;
    } else {
      r.ties[c.a] += c.weight;
      r.ties[c.b] += c.weight;
    }
  }
  const Solution s = SolveNewton(table, o);
  r.rating = ToRatings(s.theta, o);
  r.iterations = s.iterations;
  r.converged = s.converged;
  return r;
}

// Fills samples[r * n_models + m] with model m's rating in resample r, for the resamples of
// blocks first_block, first_block + stride, ...
void RunBlocks(size_t n_models, const std::vector<Contribution>& kept, const RatingOptions& o,
               int resamples, uint64_t seed, int first_block, int stride,
               std::vector<double>& samples) {
  const int blocks = (resamples + kResamplesPerBlock - 1) / kResamplesPerBlock;
  const uint32_t count = static_cast<uint32_t>(kept.size());
  PairTable table{n_models, std::vector<double>(n_models * n_models)};
  for (int block = first_block; block < blocks; block += stride) {
    IndexDrawer drawer(BlockSeed(seed, static_cast<uint64_t>(block)));
    const int end = std::min(resamples, (block + 1) * kResamplesPerBlock);
    for (int r = block * kResamplesPerBlock; r < end; ++r) {
      std::fill(table.wins.begin(), table.wins.end(), 0.0);
      for (uint32_t k = 0; k < count; ++k) AddToTable(kept[drawer.Next(count)], table);
      const std::vector<double> rating = ToRatings(SolveNewton(table, o).theta, o);
      std::copy(rating.begin(), rating.end(), samples.begin() + r * n_models);
    }
  }
}

}  // namespace

Ratings FitBradleyTerry(size_t n_models, std::span<const Battle> battles,
                        const RatingOptions& options) {
  CheckOptions(n_models, options, "FitBradleyTerry");
  return Fit(n_models, Contributions(n_models, battles, options, "FitBradleyTerry"), options);
}

RatingIntervals BootstrapRatings(size_t n_models, std::span<const Battle> battles,
                                 const RatingOptions& options, int resamples, uint64_t seed,
                                 int threads) {
  const char* caller = "BootstrapRatings";
  CheckOptions(n_models, options, caller);
  if (resamples < 2) {
    throw InputError(std::string(caller) + ": resamples is " + std::to_string(resamples) +
                     "; expected at least 2");
  }
  if (threads < 0) {
    throw InputError(std::string(caller) + ": threads is " + std::to_string(threads) +
                     "; expected 0 (all cores) or more");
  }
  const std::vector<Contribution> kept = Contributions(n_models, battles, options, caller);
  if (kept.empty() || kept.size() > UINT32_MAX) {
    throw InputError(std::string(caller) + ": " + std::to_string(kept.size()) +
                     " battles to resample; expected between 1 and 2^32 - 1");
  }

  RatingIntervals out;
  out.point = Fit(n_models, kept, options);
  out.resamples = resamples;
  out.seed = seed;

  std::vector<double> samples(static_cast<size_t>(resamples) * n_models);
  const int blocks = (resamples + kResamplesPerBlock - 1) / kResamplesPerBlock;
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = std::min(threads, blocks);
  if (workers == 1) {
    RunBlocks(n_models, kept, options, resamples, seed, 0, 1, samples);
  } else {
    std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w) {
      pool.emplace_back([&, w] {
        try {
          RunBlocks(n_models, kept, options, resamples, seed, w, workers, samples);
        } catch (...) {
          errors[static_cast<size_t>(w)] = std::current_exception();
        }
      });
    }
    for (std::thread& t : pool) t.join();
    for (const std::exception_ptr& e : errors) {
      if (e) std::rethrow_exception(e);
    }
  }

  std::vector<double> column(static_cast<size_t>(resamples));
  for (size_t m = 0; m < n_models; ++m) {
    double sum = 0;
    for (size_t r = 0; r < column.size(); ++r) {
      column[r] = samples[r * n_models + m];
      sum += column[r];
    }
    const double mean = sum / static_cast<double>(resamples);
    double ss = 0;
    for (double x : column) ss += (x - mean) * (x - mean);
    std::sort(column.begin(), column.end());
    out.lower.push_back(Percentile(column, 0.025));
    out.upper.push_back(Percentile(column, 0.975));
    out.stderr_.push_back(std::sqrt(ss / static_cast<double>(resamples - 1)));
  }
  return out;
}

std::vector<std::vector<double>> PredictedWinRates(std::span<const double> ratings,
                                                   const RatingOptions& options) {
  if (!std::isfinite(options.scale) || options.scale <= 0 || !std::isfinite(options.base) ||
      options.base <= 1) {
    throw InputError("PredictedWinRates: expected scale > 0 and base > 1");
  }
  for (size_t i = 0; i < ratings.size(); ++i) {
    if (!std::isfinite(ratings[i])) {
      throw InputError("PredictedWinRates: rating " + std::to_string(i) +
                       " is not a finite number");
    }
  }
  const double per_point = std::log(options.base) / options.scale;
  std::vector<std::vector<double>> p(ratings.size(), std::vector<double>(ratings.size(), 0.5));
  for (size_t i = 0; i < ratings.size(); ++i) {
    for (size_t j = 0; j < ratings.size(); ++j) {
      if (i != j) p[i][j] = Sigmoid((ratings[i] - ratings[j]) * per_point);
    }
  }
  return p;
}

}  // namespace kaieval::stats
