#include "kaieval/arena/leaderboard.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kaieval/common/error.h"
#include "kaieval/stats/bootstrap.h"

namespace kaieval::arena {
namespace {

// A count as a JSON integer when it is whole (it is, unless battles carry fractional weights).
nlohmann::json Count(double x) {
  if (std::abs(x) < 9e15 && x == std::floor(x)) return static_cast<int64_t>(x);
  return x;
}

// Mean predicted win probability of each model against the others.
std::vector<double> MeanWinProbability(std::span<const double> rating,
                                       const stats::RatingOptions& options) {
  const auto p = stats::PredictedWinRates(rating, options);
  const size_t n = rating.size();
  std::vector<double> w(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (j != i) w[i] += p[i][j];
    }
    w[i] /= static_cast<double>(n - 1);
  }
  return w;
}

std::vector<double> PointsFromRatings(std::span<const double> rating, double max_points,
                                      const stats::RatingOptions& options) {
  std::vector<double> w = MeanWinProbability(rating, options);
  const double best = *std::max_element(w.begin(), w.end());
  for (double& x : w) x = max_points * x / best;
  return w;
}

}  // namespace

Leaderboard BuildLeaderboard(std::span<const std::string> models,
                             std::span<const stats::BattleCell> cells,
                             const LeaderboardOptions& options) {
  stats::RatingIntervals ratings = stats::BootstrapRatings(
      models.size(), cells, options.rating, options.resamples, options.seed, options.threads);
  return MakeLeaderboard(models, cells, std::move(ratings), options.rating.count_both_bad_as_tie);
}

Leaderboard BuildLeaderboard(std::span<const std::string> models,
                             std::span<const stats::Battle> battles,
                             const LeaderboardOptions& options) {
  const std::vector<stats::BattleCell> cells = stats::AggregateBattles(models.size(), battles);
  return BuildLeaderboard(models, cells, options);
}

Leaderboard MakeLeaderboard(std::span<const std::string> models,
                            std::span<const stats::BattleCell> cells,
                            stats::RatingIntervals ratings, bool count_both_bad_as_tie) {
  const size_t n = models.size();
  const stats::Ratings& point = ratings.point;
  if (point.rating.size() != n || ratings.lower.size() != n || ratings.upper.size() != n ||
      point.wins.size() != n) {
    throw InputError(fmt::format("MakeLeaderboard: {} models but ratings for {}; expected one each",
                                 n, point.rating.size()));
  }
  // Pairwise counts in input order: won[i][j] counts ties as half.
  std::vector<std::vector<double>> won(n, std::vector<double>(n, 0.0));
  std::vector<std::vector<double>> played(n, std::vector<double>(n, 0.0));
  for (size_t k = 0; k < cells.size(); ++k) {
    const stats::BattleCell& c = cells[k];
    if (c.model_a >= n || c.model_b >= n || c.model_a == c.model_b) {
      throw InputError(
          fmt::format("MakeLeaderboard: cell {} names models {} and {}; expected "
                      "two different models below {}",
                      k, c.model_a, c.model_b, n));
    }
    using Outcome = stats::Battle::Outcome;
    if (c.outcome == Outcome::kBothBad && !count_both_bad_as_tie) continue;
    const double mass = c.weight * static_cast<double>(c.count);
    const double share_a = c.outcome == Outcome::kWinA   ? 1.0
                           : c.outcome == Outcome::kWinB ? 0.0
                                                         : 0.5;
    won[c.model_a][c.model_b] += mass * share_a;
    won[c.model_b][c.model_a] += mass * (1 - share_a);
    played[c.model_a][c.model_b] += mass;
    played[c.model_b][c.model_a] += mass;
  }

  const std::vector<int> rank = stats::RanksFromIntervals(ratings.lower, ratings.upper);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    if (point.rating[x] != point.rating[y]) return point.rating[x] > point.rating[y];
    return models[x] < models[y];
  });

  Leaderboard board;
  for (size_t i : order) {
    board.models.push_back({.name = models[i],
                            .rating = point.rating[i],
                            .lower = ratings.lower[i],
                            .upper = ratings.upper[i],
                            .rank = rank[i],
                            .votes = point.battles[i],
                            .wins = point.wins[i],
                            .losses = point.losses[i],
                            .ties = point.ties[i]});
  }
  board.win_rate.assign(n, std::vector<std::optional<double>>(n));
  board.battles.assign(n, std::vector<double>(n, 0.0));
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < n; ++c) {
      const size_t i = order[r], j = order[c];
      board.battles[r][c] = played[i][j];
      if (i != j && played[i][j] > 0) board.win_rate[r][c] = won[i][j] / played[i][j];
    }
  }
  board.ratings = std::move(ratings);
  return board;
}

nlohmann::json LeaderboardJson(const Leaderboard& board) {
  using nlohmann::json;
  json models = json::array(), names = json::array(), win_rate = json::array(),
       battles = json::array();
  for (const LeaderboardEntry& e : board.models) {
    models.push_back({{"name", e.name},
                      {"rating", e.rating},
                      {"lower", e.lower},
                      {"upper", e.upper},
                      {"rank", e.rank},
                      {"votes", Count(e.votes)},
                      {"wins", Count(e.wins)},
                      {"losses", Count(e.losses)},
                      {"ties", Count(e.ties)}});
    names.push_back(e.name);
  }
  for (size_t i = 0; i < board.models.size(); ++i) {
    json rates = json::array(), counts = json::array();
    for (size_t j = 0; j < board.models.size(); ++j) {
      rates.push_back(board.win_rate[i][j] ? json(*board.win_rate[i][j]) : json(nullptr));
      counts.push_back(Count(board.battles[i][j]));
    }
    win_rate.push_back(std::move(rates));
    battles.push_back(std::move(counts));
  }
  json out = json::object();
  out["models"] = std::move(models);
  out["matrix"] = {{"models", std::move(names)},
                   {"win_rate", std::move(win_rate)},
                   {"battles", std::move(battles)}};
  out["bootstrap"] = {{"resamples", board.ratings.resamples}, {"seed", board.ratings.seed}};
  return out;
}

StagePoints ArenaPoints(const stats::RatingIntervals& ratings, double max_points,
                        const stats::RatingOptions& options) {
  const size_t n = ratings.point.rating.size();
  if (!std::isfinite(max_points) || max_points <= 0) {
    throw InputError(
        fmt::format("ArenaPoints: max_points is {}; expected a number > 0", max_points));
  }
  if (n < 2) throw InputError("ArenaPoints: expected at least 2 models");
  const size_t resamples = ratings.replicates.size() / n;
  if (resamples < 2 || ratings.replicates.size() != resamples * n) {
    throw InputError("ArenaPoints: the ratings have no bootstrap replicates");
  }
  StagePoints out;
  out.points = PointsFromRatings(ratings.point.rating, max_points, options);
  std::vector<double> samples(resamples * n);
  for (size_t r = 0; r < resamples; ++r) {
    const std::vector<double> points = PointsFromRatings(
        std::span<const double>(ratings.replicates).subspan(r * n, n), max_points, options);
    for (size_t i = 0; i < n; ++i) samples[i * resamples + r] = points[i];
  }
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> column(samples.begin() + i * resamples,
                               samples.begin() + (i + 1) * resamples);
    std::sort(column.begin(), column.end());
    out.lower.push_back(stats::Percentile(column, 0.025));
    out.upper.push_back(stats::Percentile(column, 0.975));
  }
  return out;
}

}  // namespace kaieval::arena
