#include "kaieval/arena/leaderboard.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::arena {
namespace {

using Outcome = stats::Battle::Outcome;

// "alpha" beats "beta" 3 times, loses once, ties twice (one "both bad"); "gamma" beats "alpha"
// once and loses to it twice; "beta" and "gamma" never meet.
const std::vector<std::string> kModels = {"beta", "alpha", "gamma"};
std::vector<stats::Battle> Battles() {
  std::vector<stats::Battle> b(3, stats::Battle{1, 0, Outcome::kWinA});
  b.push_back({0, 1, Outcome::kWinA});
  b.push_back({0, 1, Outcome::kTie});
  b.push_back({1, 0, Outcome::kBothBad});
  b.push_back({2, 1, Outcome::kWinA});
  b.push_back({1, 2, Outcome::kWinA});
  b.push_back({2, 1, Outcome::kWinB});
  return b;
}

LeaderboardOptions Quick() { return LeaderboardOptions{.resamples = 50, .seed = 9, .threads = 1}; }

TEST(Leaderboard, HandCountedMatrixVotesAndOrder) {
  const Leaderboard board = BuildLeaderboard(kModels, Battles(), Quick());
  // alpha: 5 wins (3 + 2) of 9 battles; beta 1 win; gamma 1 win of 3.
  ASSERT_EQ(board.models.size(), 3u);
  EXPECT_EQ(board.models[0].name, "alpha");
  const LeaderboardEntry& alpha = board.models[0];
  EXPECT_EQ(alpha.votes, 9);
  EXPECT_EQ(alpha.wins, 5);
  EXPECT_EQ(alpha.losses, 2);
  EXPECT_EQ(alpha.ties, 2);
  EXPECT_GT(alpha.rating, board.models[1].rating);
  EXPECT_GE(board.models[1].rating, board.models[2].rating);
  EXPECT_LT(alpha.lower, alpha.rating);
  EXPECT_GT(alpha.upper, alpha.rating);
  // Order by rating: alpha, then beta and gamma by their fitted ratings.
  const size_t beta = board.models[1].name == "beta" ? 1 : 2;
  const size_t gamma = 3 - beta;
  // alpha vs beta: 3 wins + 2 ties of 6 -> (3 + 1) / 6; alpha vs gamma: 2 of 3.
  EXPECT_DOUBLE_EQ(*board.win_rate[0][beta], 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(*board.win_rate[beta][0], 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(*board.win_rate[0][gamma], 2.0 / 3.0);
  EXPECT_FALSE(board.win_rate[beta][gamma].has_value());  // never met
  EXPECT_FALSE(board.win_rate[0][0].has_value());         // the diagonal
  EXPECT_EQ(board.battles[0][beta], 6);
  EXPECT_EQ(board.battles[gamma][0], 3);
  EXPECT_EQ(board.battles[beta][gamma], 0);
  // Ranks follow the intervals rule.
  for (const LeaderboardEntry& e : board.models) {
    int above = 0;
    for (const LeaderboardEntry& o : board.models) above += o.lower > e.upper;
    EXPECT_EQ(e.rank, 1 + above) << e.name;
  }
}

TEST(Leaderboard, BothBadDroppedFromMatrixWhenNotATie) {
  LeaderboardOptions options = Quick();
  options.rating.count_both_bad_as_tie = false;
  const Leaderboard board = BuildLeaderboard(kModels, Battles(), options);
  EXPECT_EQ(board.models[0].votes, 8);
  EXPECT_EQ(board.models[0].ties, 1);
  const size_t beta = board.models[1].name == "beta" ? 1 : 2;
  EXPECT_EQ(board.battles[0][beta], 5);
  EXPECT_DOUBLE_EQ(*board.win_rate[0][beta], 3.5 / 5.0);
}

TEST(Leaderboard, JsonHasTheDocumentedShape) {
  const Leaderboard board = BuildLeaderboard(kModels, Battles(), Quick());
  const nlohmann::json j = LeaderboardJson(board);
  ASSERT_EQ(j.size(), 3u);
  const nlohmann::json& first = j["models"][0];
  for (const char* key :
       {"name", "rating", "lower", "upper", "rank", "votes", "wins", "losses", "ties"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(first.size(), 9u);
  EXPECT_EQ(first["name"], "alpha");
  EXPECT_TRUE(first["votes"].is_number_integer());
  EXPECT_TRUE(first["rank"].is_number_integer());
  EXPECT_EQ(j["matrix"]["models"][0], "alpha");
  EXPECT_TRUE(j["matrix"]["win_rate"][0][0].is_null());
  EXPECT_TRUE(j["matrix"]["battles"][0][0].is_number_integer());
  EXPECT_EQ(j["matrix"]["battles"][0][0], 0);
  EXPECT_EQ(j["bootstrap"], (nlohmann::json{{"resamples", 50}, {"seed", 9}}));
}

TEST(Leaderboard, CellsAndBattlesGiveTheSameBoard) {
  const std::vector<stats::Battle> battles = Battles();
  const Leaderboard a = BuildLeaderboard(kModels, battles, Quick());
  const Leaderboard b =
      BuildLeaderboard(kModels, stats::AggregateBattles(kModels.size(), battles), Quick());
  EXPECT_EQ(LeaderboardJson(a), LeaderboardJson(b));
}

TEST(Leaderboard, RejectsRatingsOfAnotherSize) {
  const Leaderboard board = BuildLeaderboard(kModels, Battles(), Quick());
  const std::vector<std::string> two = {"x", "y"};
  EXPECT_THROW(MakeLeaderboard(two, {}, board.ratings), InputError);
}

stats::RatingIntervals WithReplicates(std::vector<double> point,
                                      std::vector<std::vector<double>> replicates) {
  stats::RatingIntervals r;
  r.point.rating = std::move(point);
  for (const auto& rep : replicates)
    r.replicates.insert(r.replicates.end(), rep.begin(), rep.end());
  r.resamples = static_cast<int>(replicates.size());
  return r;
}

TEST(ArenaPoints, ScaledMeanWinProbabilityHandComputed) {
  // 1400 vs 1000 at scale 400, base 10: P = 10/11. W = (10/11 + 10/11) / 2 = 10/11 for the
  // top model; (1/11 + 1/2) / 2 = 13/44 for the others. Points: 100 and 100 * (13/44) / (10/11)
  // = 32.5.
  const stats::RatingIntervals r =
      WithReplicates({1400, 1000, 1000}, {{1400, 1000, 1000}, {1000, 1000, 1000}});
  const StagePoints p = ArenaPoints(r, 100);
  EXPECT_DOUBLE_EQ(p.points[0], 100);
  EXPECT_NEAR(p.points[1], 32.5, 1e-12);
  EXPECT_NEAR(p.points[2], 32.5, 1e-12);
  // Replicates give 32.5 and 100 for model 1: linear-interpolated quantiles of two values,
  // 32.5 + 0.025 * 67.5 and 32.5 + 0.975 * 67.5; the top model has 100 in both.
  EXPECT_NEAR(p.lower[1], 34.1875, 1e-12);
  EXPECT_NEAR(p.upper[1], 98.3125, 1e-12);
  EXPECT_DOUBLE_EQ(p.lower[0], 100);
  EXPECT_DOUBLE_EQ(p.upper[0], 100);
}

TEST(ArenaPoints, AnchorShiftChangesNothing) {
  const stats::RatingIntervals r =
      WithReplicates({1210, 1100, 980}, {{1200, 1105, 990}, {1220, 1090, 970}});
  const stats::RatingIntervals shifted =
      WithReplicates({1324, 1214, 1094}, {{1314, 1219, 1104}, {1334, 1204, 1084}});
  const StagePoints a = ArenaPoints(r, 30), b = ArenaPoints(shifted, 30);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(a.points[i], b.points[i], 1e-9);
    EXPECT_NEAR(a.lower[i], b.lower[i], 1e-9);
    EXPECT_NEAR(a.upper[i], b.upper[i], 1e-9);
  }
  EXPECT_DOUBLE_EQ(a.points[0], 30);
  EXPECT_LT(a.points[2], a.points[1]);
}

TEST(ArenaPoints, RejectsBadMaximumAndMissingReplicates) {
  const stats::RatingIntervals r = WithReplicates({1100, 900}, {{1100, 900}, {1000, 1000}});
  EXPECT_THROW(ArenaPoints(r, 0), InputError);
  EXPECT_THROW(ArenaPoints(r, std::nan("")), InputError);
  EXPECT_THROW(ArenaPoints(WithReplicates({1100, 900}, {}), 10), InputError);
  EXPECT_THROW(ArenaPoints(WithReplicates({1100}, {{1100}, {1100}}), 10), InputError);
}

}  // namespace
}  // namespace kaieval::arena
