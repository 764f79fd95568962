#include "kaieval/stats/bradley_terry.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <random>
#include <string>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/stats/bootstrap.h"
#include "kaieval/stats/cholesky.h"
#include "kaieval/stats/multinomial.h"

namespace kaieval::stats {
namespace {

// A battle, or a cell of identical battles, reduced to what the fit needs: `share_a` of each
// battle's weight is a win for a, the rest a win for b (1 for a win of a, 0 for a win of b,
// 0.5 for a tie), and there are `count` such battles.
struct Contribution {
  uint32_t a;
  uint32_t b;
  double share_a;
  double weight;
  uint64_t count;
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

// Checks one battle (`where` names it in errors) and returns the share of its weight that is
// a win for model_a, or a negative number if the battle does not count ("both bad" dropped).
double ShareOfA(size_t n_models, const Battle& b, const RatingOptions& o,
                const std::string& where) {
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
  switch (b.outcome) {
    case Battle::Outcome::kWinA:
      return 1.0;
    case Battle::Outcome::kWinB:
      return 0.0;
    case Battle::Outcome::kTie:
      return 0.5;
    case Battle::Outcome::kBothBad:
      return o.count_both_bad_as_tie ? 0.5 : -1.0;
  }
  throw InputError(where + "unknown outcome " + std::to_string(static_cast<int>(b.outcome)));
}

// Checks every battle and keeps those that count (drops "both bad" when asked to).
std::vector<Contribution> Contributions(size_t n_models, std::span<const Battle> battles,
                                        const RatingOptions& o, const char* caller) {
  std::vector<Contribution> kept;
  kept.reserve(battles.size());
  for (size_t i = 0; i < battles.size(); ++i) {
    const Battle& b = battles[i];
    const double share_a =
        ShareOfA(n_models, b, o, std::string(caller) + ": battle " + std::to_string(i) + ": ");
    if (share_a >= 0) kept.push_back({b.model_a, b.model_b, share_a, b.weight, 1});
  }
  return kept;
}

std::vector<Contribution> Contributions(size_t n_models, std::span<const BattleCell> cells,
                                        const RatingOptions& o, const char* caller) {
  std::vector<Contribution> kept;
  kept.reserve(cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    const BattleCell& c = cells[i];
    const std::string where = std::string(caller) + ": cell " + std::to_string(i) + ": ";
    if (c.count == 0) throw InputError(where + "count is 0; expected at least 1");
    const double share_a =
        ShareOfA(n_models, Battle{c.model_a, c.model_b, c.outcome, c.weight}, o, where);
    if (share_a >= 0) kept.push_back({c.model_a, c.model_b, share_a, c.weight, c.count});
  }
  return kept;
}

void AddToTable(const Contribution& c, uint64_t count, PairTable& table) {
  const double mass = c.weight * static_cast<double>(count);
  table.wins[c.a * table.n + c.b] += mass * c.share_a;
  table.wins[c.b * table.n + c.a] += mass * (1.0 - c.share_a);
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
// One logarithm per pair: log(sigmoid(-d)) = log(sigmoid(d)) - d.
double Objective(const PairTable& t, const std::vector<double>& theta, double l2) {
  double f = 0;
  for (size_t i = 0; i < t.n; ++i) {
    f += 0.5 * l2 * theta[i] * theta[i];
    for (size_t j = i + 1; j < t.n; ++j) {
      const double wij = t.wins[i * t.n + j], wji = t.wins[j * t.n + i];
      if (wij == 0 && wji == 0) continue;
      const double d = theta[i] - theta[j];
      const double log_p = LogSigmoid(d);
      f -= wij * log_p + wji * (log_p - d);
    }
  }
  return f;
}

struct Solution {
  std::vector<double> theta;  // log-odds strengths, summing to 0
  int iterations = 0;
  bool converged = false;
};

// Damped Newton on the objective from `start` (which must sum to 0). The likelihood only sees
// rating differences, so its Hessian is singular along the all-ones direction; adding 1 1^T to
// the Hessian leaves the Newton step unchanged (the gradient sums to l2 * sum(theta) = 0)
// while making the system positive definite even with l2 = 0 on a connected comparison graph.
Solution SolveNewton(const PairTable& t, const RatingOptions& o, std::vector<double> start) {
  const size_t n = t.n;
  // The ridge grows with the battles per model, so duplicating or reweighting all battles
  // changes nothing and its pull on each rating does not grow with the number of models.
  double total = 0;
  for (double w : t.wins) total += w;
  const double l2 = o.l2 * (total > 0 ? total : 1.0) / static_cast<double>(n);
  Solution s;
  s.theta = std::move(start);
  std::vector<double> hessian(n * n), step(n);
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
    if (DampedNewtonUpdate(
            s.theta, step, f, [&](const std::vector<double>& x) { return Objective(t, x, l2); },
            o.tolerance)) {
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

struct Fitted {
  Ratings ratings;
  std::vector<double> theta;  // the solution, for warm starts
};

Fitted Fit(size_t n_models, const std::vector<Contribution>& kept, const RatingOptions& o) {
  PairTable table{n_models, std::vector<double>(n_models * n_models, 0.0)};
  Ratings r;
  r.wins.assign(n_models, 0.0);
  r.losses.assign(n_models, 0.0);
  r.ties.assign(n_models, 0.0);
  r.battles.assign(n_models, 0.0);
  for (const Contribution& c : kept) {
    AddToTable(c, c.count, table);
    const double mass = c.weight * static_cast<double>(c.count);
    r.battles[c.a] += mass;
    r.battles[c.b] += mass;
    if (c.share_a == 1.0) {
      r.wins[c.a] += mass;
      r.losses[c.b] += mass;
    } else if (c.share_a == 0.0) {
      r.wins[c.b] += mass;
      r.losses[c.a] += mass;
    } else {
      r.ties[c.a] += mass;
      r.ties[c.b] += mass;
    }
  }
  Solution s = SolveNewton(table, o, std::vector<double>(n_models, 0.0));
  r.rating = ToRatings(s.theta, o);
  r.iterations = s.iterations;
  r.converged = s.converged;
  return {std::move(r), std::move(s.theta)};
}

// Refits resamples taken from `next` (shared by the workers) until none is left, writing
// resample r's ratings to samples[r * n_models ...]. Each resample has its own generator, so
// which worker runs it does not matter.
void RunResamples(size_t n_models, const std::vector<Contribution>& kept, const RatingOptions& o,
                  const std::vector<double>& start, int resamples, uint64_t seed,
                  std::atomic<int>& next, std::vector<double>& samples) {
  std::vector<uint64_t> counts(kept.size()), drawn(kept.size());
  for (size_t k = 0; k < kept.size(); ++k) counts[k] = kept[k].count;
  PairTable table{n_models, std::vector<double>(n_models * n_models)};
  for (int r = next++; r < resamples; r = next++) {
    std::mt19937_64 rng(BlockSeed(seed, static_cast<uint64_t>(r)));
    DrawMultinomial(rng, counts, drawn);
    std::fill(table.wins.begin(), table.wins.end(), 0.0);
    for (size_t k = 0; k < kept.size(); ++k) {
      if (drawn[k] > 0) AddToTable(kept[k], drawn[k], table);
    }
    const std::vector<double> rating = ToRatings(SolveNewton(table, o, start).theta, o);
    std::copy(rating.begin(), rating.end(), samples.begin() + r * n_models);
  }
}

RatingIntervals Bootstrap(size_t n_models, const std::vector<Contribution>& kept,
                          const RatingOptions& options, int resamples, uint64_t seed, int threads,
                          const char* caller) {
  if (resamples < 2) {
    throw InputError(std::string(caller) + ": resamples is " + std::to_string(resamples) +
                     "; expected at least 2");
  }
  if (threads < 0) {
    throw InputError(std::string(caller) + ": threads is " + std::to_string(threads) +
                     "; expected 0 (all cores) or more");
  }
  if (kept.empty()) {
    throw InputError(std::string(caller) + ": no battles to resample; expected at least one");
  }

  RatingIntervals out;
  Fitted point = Fit(n_models, kept, options);
  // Neighbouring cells that count the same ("tie" and a "both bad" counted as a tie) are drawn
  // as one: the multinomial of merged cells is the same distribution, with fewer draws.
  std::vector<Contribution> merged;
  for (const Contribution& c : kept) {
    if (!merged.empty() && merged.back().a == c.a && merged.back().b == c.b &&
        merged.back().share_a == c.share_a && merged.back().weight == c.weight) {
      merged.back().count += c.count;
    } else {
      merged.push_back(c);
    }
  }
  out.point = std::move(point.ratings);
  out.resamples = resamples;
  out.seed = seed;
  // Every resample starts from the point estimate, exactly centred (SolveNewton needs it).
  double mean = 0;
  for (double x : point.theta) mean += x;
  mean /= static_cast<double>(n_models);
  for (double& x : point.theta) x -= mean;

  out.replicates.assign(static_cast<size_t>(resamples) * n_models, 0.0);
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = std::min(threads, resamples);
  std::atomic<int> next{0};
  std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
  auto work = [&](int w) {
    try {
      RunResamples(n_models, merged, options, point.theta, resamples, seed, next, out.replicates);
    } catch (...) {
      errors[static_cast<size_t>(w)] = std::current_exception();
      next = resamples;  // the others stop early
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }

  std::vector<double> column(static_cast<size_t>(resamples));
  for (size_t m = 0; m < n_models; ++m) {
    double sum = 0;
    for (size_t r = 0; r < column.size(); ++r) {
      column[r] = out.replicates[r * n_models + m];
      sum += column[r];
    }
    const double column_mean = sum / static_cast<double>(resamples);
    double ss = 0;
    for (double x : column) ss += (x - column_mean) * (x - column_mean);
    std::sort(column.begin(), column.end());
    out.lower.push_back(Percentile(column, 0.025));
    out.upper.push_back(Percentile(column, 0.975));
    out.stderr_.push_back(std::sqrt(ss / static_cast<double>(resamples - 1)));
  }
  return out;
}

}  // namespace

Ratings FitBradleyTerry(size_t n_models, std::span<const Battle> battles,
                        const RatingOptions& options) {
  CheckOptions(n_models, options, "FitBradleyTerry");
  return Fit(n_models, Contributions(n_models, battles, options, "FitBradleyTerry"), options)
      .ratings;
}

Ratings FitBradleyTerry(size_t n_models, std::span<const BattleCell> cells,
                        const RatingOptions& options) {
  CheckOptions(n_models, options, "FitBradleyTerry");
  return Fit(n_models, Contributions(n_models, cells, options, "FitBradleyTerry"), options).ratings;
}

std::vector<BattleCell> AggregateBattles(size_t n_models, std::span<const BattleCell> cells) {
  std::vector<BattleCell> out(cells.begin(), cells.end());
  const RatingOptions keep_all;  // checks only; "both bad" stays a cell of its own
  for (size_t i = 0; i < out.size(); ++i) {
    BattleCell& c = out[i];
    const std::string where = "AggregateBattles: cell " + std::to_string(i) + ": ";
    if (c.count == 0) throw InputError(where + "count is 0; expected at least 1");
    ShareOfA(n_models, Battle{c.model_a, c.model_b, c.outcome, c.weight}, keep_all, where);
    if (c.model_a > c.model_b) {
      std::swap(c.model_a, c.model_b);
      if (c.outcome == Battle::Outcome::kWinA) {
        c.outcome = Battle::Outcome::kWinB;
      } else if (c.outcome == Battle::Outcome::kWinB) {
        c.outcome = Battle::Outcome::kWinA;
      }
    }
  }
  // (model_a, model_b, outcome) packed into one integer (indices are below 2^16), then weight.
  auto packed = [](const BattleCell& c) {
    return (uint64_t{c.model_a} << 34) | (uint64_t{c.model_b} << 2) |
           static_cast<uint64_t>(c.outcome);
  };
  auto less = [&](const BattleCell& x, const BattleCell& y) {
    const uint64_t px = packed(x), py = packed(y);
    return px != py ? px < py : x.weight < y.weight;
  };
  std::sort(out.begin(), out.end(), less);
  size_t kept = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (kept > 0 && !less(out[kept - 1], out[i])) {
      out[kept - 1].count += out[i].count;
    } else {
      out[kept++] = out[i];
    }
  }
  out.resize(kept);
  out.shrink_to_fit();
  return out;
}

std::vector<BattleCell> AggregateBattles(size_t n_models, std::span<const Battle> battles) {
  std::vector<BattleCell> cells;
  cells.reserve(battles.size());
  const RatingOptions keep_all;
  for (size_t i = 0; i < battles.size(); ++i) {
    const Battle& b = battles[i];
    ShareOfA(n_models, b, keep_all, "AggregateBattles: battle " + std::to_string(i) + ": ");
    cells.push_back({b.model_a, b.model_b, b.outcome, b.weight, 1});
  }
  return AggregateBattles(n_models, cells);
}

RatingIntervals BootstrapRatings(size_t n_models, std::span<const BattleCell> cells,
                                 const RatingOptions& options, int resamples, uint64_t seed,
                                 int threads) {
  const char* caller = "BootstrapRatings";
  CheckOptions(n_models, options, caller);
  return Bootstrap(n_models, Contributions(n_models, cells, options, caller), options, resamples,
                   seed, threads, caller);
}

RatingIntervals BootstrapRatings(size_t n_models, std::span<const Battle> battles,
                                 const RatingOptions& options, int resamples, uint64_t seed,
                                 int threads) {
  CheckOptions(n_models, options, "BootstrapRatings");
  const std::vector<BattleCell> cells = AggregateBattles(n_models, battles);
  return BootstrapRatings(n_models, cells, options, resamples, seed, threads);
}

std::vector<int> RanksFromIntervals(std::span<const double> lower, std::span<const double> upper) {
  if (lower.size() != upper.size()) {
    throw InputError("RanksFromIntervals: " + std::to_string(lower.size()) + " lower but " +
                     std::to_string(upper.size()) + " upper bounds; expected one of each");
  }
  std::vector<int> rank(lower.size(), 1);
  for (size_t i = 0; i < lower.size(); ++i) {
    for (size_t j = 0; j < lower.size(); ++j) {
      if (j != i && lower[j] > upper[i]) ++rank[i];
    }
  }
  return rank;
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
