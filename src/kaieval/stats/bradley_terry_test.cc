#include "kaieval/stats/bradley_terry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::stats {
namespace {

using Outcome = Battle::Outcome;

std::vector<Battle> Repeat(uint32_t a, uint32_t b, Outcome outcome, int times) {
  return std::vector<Battle>(static_cast<size_t>(times), Battle{a, b, outcome});
}

void Append(std::vector<Battle>& to, const std::vector<Battle>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// A uniform double in [0, 1) from the top 53 bits: the same on every standard library, unlike
// std::uniform_real_distribution.
double Uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// `count` battles among models with the given true ratings: a uniform random pair (a != b), a
// wins with the Bradley-Terry probability (scale 400, base 10); no ties.
std::vector<Battle> Simulate(const std::vector<double>& truth, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint64_t n = truth.size();
  std::vector<Battle> battles;
  battles.reserve(static_cast<size_t>(count));
  while (battles.size() < static_cast<size_t>(count)) {
    const uint32_t a = static_cast<uint32_t>(rng() % n);
    const uint32_t b = static_cast<uint32_t>(rng() % n);
    if (a == b) continue;
    const double p_a = 1.0 / (1.0 + std::pow(10.0, (truth[b] - truth[a]) / 400.0));
    battles.push_back({a, b, Uniform(rng) < p_a ? Outcome::kWinA : Outcome::kWinB});
  }
  return battles;
}

// The ridge (1e-6 of the battles per model) moves these small fits by far less than this
// many rating points, which is far below any effect tested.
constexpr double kRidgeSlack = 1e-3;

TEST(BradleyTerry, ThreeWinsOfFourGivesSeventyFivePercent) {
  // MLE with 3 wins of 4: P(A>B) = 3/4, so r_A - r_B = 400 * log10(3/1) = 190.848...; the
  // ratings are centred on 1000: 1095.424 and 904.576.
  std::vector<Battle> battles = Repeat(0, 1, Outcome::kWinA, 3);
  Append(battles, Repeat(0, 1, Outcome::kWinB, 1));
  const Ratings r = FitBradleyTerry(2, battles);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.rating[0] - r.rating[1], 400 * std::log10(3.0), kRidgeSlack);
  EXPECT_NEAR(Mean(r.rating), 1000, 1e-9);
  EXPECT_NEAR(PredictedWinRates(r.rating)[0][1], 0.75, 1e-6);
  EXPECT_EQ(r.wins[0], 3);
  EXPECT_EQ(r.losses[0], 1);
  EXPECT_EQ(r.battles[1], 4);
}

TEST(BradleyTerry, TiesCountAsHalfWinForBoth) {
  // 1 win each and 2 ties: 2 "wins" each, so equal ratings.
  std::vector<Battle> even = {{0, 1, Outcome::kWinA}, {0, 1, Outcome::kWinB}};
  Append(even, Repeat(1, 0, Outcome::kTie, 2));
  const Ratings r = FitBradleyTerry(2, even);
  EXPECT_NEAR(r.rating[0], 1000, 1e-9);
  EXPECT_NEAR(r.rating[1], 1000, 1e-9);
  EXPECT_EQ(r.ties[0], 2);

  // A 2 wins + 2 ties vs B: A has 3 "wins" of 4, as in ThreeWinsOfFourGivesSeventyFivePercent.
  std::vector<Battle> lopsided = Repeat(0, 1, Outcome::kWinA, 2);
  Append(lopsided, Repeat(0, 1, Outcome::kTie, 2));
  const Ratings t = FitBradleyTerry(2, lopsided);
  EXPECT_NEAR(t.rating[0] - t.rating[1], 400 * std::log10(3.0), kRidgeSlack);
}

TEST(BradleyTerry, CycleWithEqualRecordsGivesEqualRatings) {
  // 0 beats 1, 1 beats 2, 2 beats 0, each twice: every model is 2-2.
  std::vector<Battle> battles = Repeat(0, 1, Outcome::kWinA, 2);
  Append(battles, Repeat(1, 2, Outcome::kWinA, 2));
  Append(battles, Repeat(2, 0, Outcome::kWinA, 2));
  const Ratings r = FitBradleyTerry(3, battles);
  for (double x : r.rating) EXPECT_NEAR(x, 1000, 1e-9);
}

TEST(BradleyTerry, UndefeatedModelGetsFiniteHigherRating) {
  // Model 0 beats both others 3 times; 1 and 2 split their games. Without the ridge the MLE
  // would send model 0 to infinity.
  std::vector<Battle> battles = Repeat(0, 1, Outcome::kWinA, 3);
  Append(battles, Repeat(2, 0, Outcome::kWinB, 3));
  Append(battles, {{1, 2, Outcome::kWinA}, {1, 2, Outcome::kWinB}});
  const Ratings r = FitBradleyTerry(3, battles);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.iterations, 100);
  EXPECT_TRUE(std::isfinite(r.rating[0]));
  EXPECT_GT(r.rating[0], r.rating[1] + 500);
  EXPECT_NEAR(r.rating[1], r.rating[2], 1e-6);
  EXPECT_NEAR(Mean(r.rating), 1000, 1e-6);
}

TEST(BradleyTerry, AnchorShiftsRatingsKeepingDifferences) {
  std::vector<Battle> battles = Repeat(0, 1, Outcome::kWinA, 3);
  Append(battles, Repeat(1, 2, Outcome::kWinA, 2));
  Append(battles, {{0, 1, Outcome::kWinB}, {1, 2, Outcome::kWinB}, {2, 0, Outcome::kWinA}});
  const Ratings plain = FitBradleyTerry(3, battles);
  const Ratings anchored =
      FitBradleyTerry(3, battles, RatingOptions{.anchor = 2, .anchor_rating = 1114});
  EXPECT_DOUBLE_EQ(anchored.rating[2], 1114);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(anchored.rating[i] - anchored.rating[2], plain.rating[i] - plain.rating[2], 1e-9);
  }
}

TEST(BradleyTerry, DuplicatingEveryBattleLeavesRatingsUnchanged) {
  const std::vector<Battle> once = Simulate({1100, 1000, 950}, 300, 7);
  std::vector<Battle> twice = once;
  Append(twice, once);
  const Ratings a = FitBradleyTerry(3, once);
  const Ratings b = FitBradleyTerry(3, twice);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(a.rating[i], b.rating[i], 1e-6);

  // A weight of 2 is the same as two copies.
  std::vector<Battle> weighted = once;
  for (Battle& battle : weighted) battle.weight = 2;
  const Ratings w = FitBradleyTerry(3, weighted);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(w.rating[i], b.rating[i], 1e-9);
}

TEST(BradleyTerry, BothBadDroppedWhenNotCountedAsTie) {
  std::vector<Battle> battles = Repeat(0, 1, Outcome::kWinA, 3);
  Append(battles, Repeat(0, 1, Outcome::kWinB, 1));
  Append(battles, Repeat(0, 1, Outcome::kBothBad, 4));
  // As ties: A has 3 + 2 = 5 "wins" of 8, so r_A - r_B = 400 * log10(5/3) = 88.74.
  const Ratings as_tie = FitBradleyTerry(2, battles);
  EXPECT_NEAR(as_tie.rating[0] - as_tie.rating[1], 400 * std::log10(5.0 / 3.0), kRidgeSlack);
  EXPECT_EQ(as_tie.ties[0], 4);
  // Dropped: back to 3 of 4.
  const Ratings dropped =
      FitBradleyTerry(2, battles, RatingOptions{.count_both_bad_as_tie = false});
  EXPECT_NEAR(dropped.rating[0] - dropped.rating[1], 400 * std::log10(3.0), kRidgeSlack);
  EXPECT_EQ(dropped.ties[0], 0);
  EXPECT_EQ(dropped.battles[0], 4);
}

TEST(BradleyTerry, PredictedWinRatesFollowTheLogisticCurve) {
  // 400 points apart at base 10: odds 10 to 1, so P = 10/11.
  const std::vector<double> ratings = {1400, 1000, 1000};
  const auto p = PredictedWinRates(ratings);
  EXPECT_NEAR(p[0][1], 10.0 / 11.0, 1e-12);
  EXPECT_NEAR(p[1][0], 1.0 / 11.0, 1e-12);
  EXPECT_DOUBLE_EQ(p[1][2], 0.5);
  EXPECT_DOUBLE_EQ(p[0][0], 0.5);
}

TEST(BradleyTerry, RejectsBadInputNamingTheBattle) {
  const std::vector<Battle> good = {{0, 1, Outcome::kWinA}};
  EXPECT_THROW(FitBradleyTerry(1, good), InputError);
  const std::vector<Battle> out_of_range = {{0, 1, Outcome::kWinA}, {0, 5, Outcome::kWinA}};
  try {
    FitBradleyTerry(3, out_of_range);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("battle 1"), std::string::npos) << e.what();
  }
  const std::vector<Battle> self = {{2, 2, Outcome::kTie}};
  EXPECT_THROW(FitBradleyTerry(3, self), InputError);
  for (double weight : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    const std::vector<Battle> bad_weight = {{0, 1, Outcome::kWinA, weight}};
    EXPECT_THROW(FitBradleyTerry(2, bad_weight), InputError) << weight;
  }
  EXPECT_THROW(FitBradleyTerry(2, good, RatingOptions{.base = 1}), InputError);
  EXPECT_THROW(FitBradleyTerry(2, good, RatingOptions{.anchor = 2}), InputError);
  EXPECT_THROW(BootstrapRatings(2, good, {}, 1), InputError);
  EXPECT_THROW(BootstrapRatings(2, std::vector<Battle>{}, {}, 10), InputError);
}

TEST(BradleyTerryRatings, RecoversKnownStrengthsWithCoveringIntervals) {
  const std::vector<double> truth = {1200, 1100, 1000, 900, 800};
  const std::vector<Battle> battles = Simulate(truth, 20000, 42);
  const Ratings r = FitBradleyTerry(5, battles);
  EXPECT_TRUE(r.converged);
  // The truth has mean 1000 already, as have the fitted ratings.
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(r.rating[i], truth[i], 25) << "model " << i;

  const RatingIntervals ci = BootstrapRatings(5, battles, {}, 200, 99);
  int covered = 0;
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_LT(ci.lower[i], r.rating[i]);
    EXPECT_GT(ci.upper[i], r.rating[i]);
    EXPECT_GT(ci.stderr_[i], 0);
    if (ci.lower[i] <= truth[i] && truth[i] <= ci.upper[i]) ++covered;
  }
  EXPECT_GE(covered, 4);
  EXPECT_EQ(ci.resamples, 200);
  EXPECT_EQ(ci.seed, 99u);
}

TEST(BradleyTerryRatings, BootstrapIsDeterministicForSeedAndThreads) {
  const std::vector<Battle> battles = Simulate({1200, 1100, 1000, 900, 800}, 5000, 3);
  const RatingIntervals one = BootstrapRatings(5, battles, {}, 200, 5, 1);
  const RatingIntervals again = BootstrapRatings(5, battles, {}, 200, 5, 1);
  const RatingIntervals threaded = BootstrapRatings(5, battles, {}, 200, 5, 3);
  const RatingIntervals other_seed = BootstrapRatings(5, battles, {}, 200, 6, 1);
  EXPECT_EQ(one.lower, again.lower);
  EXPECT_EQ(one.upper, again.upper);
  EXPECT_EQ(one.stderr_, again.stderr_);
  EXPECT_EQ(one.lower, threaded.lower);
  EXPECT_EQ(one.upper, threaded.upper);
  EXPECT_EQ(one.stderr_, threaded.stderr_);
  EXPECT_NE(one.lower, other_seed.lower);
}

TEST(BradleyTerryRatings, LargeFitsAreFast) {
  std::vector<double> truth(30);
  for (size_t i = 0; i < truth.size(); ++i) truth[i] = 700 + 20.0 * static_cast<double>(i);
  const std::vector<Battle> many = Simulate(truth, 100000, 11);
  auto start = std::chrono::steady_clock::now();
  const Ratings r = FitBradleyTerry(30, many);
  const double fit_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.converged);

  const std::vector<Battle> battles = Simulate({1200, 1100, 1000, 900, 800}, 20000, 12);
  start = std::chrono::steady_clock::now();
  BootstrapRatings(5, battles, {}, 1000, 1);
  const double boot_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "fit 100k battles x 30 models: %.3f s (%d iterations); 1000 bootstrap resamples "
      "of 20k battles x 5 models: %.3f s\n",
      fit_s, r.iterations, boot_s);
#ifndef __SANITIZE_ADDRESS__
  EXPECT_LT(fit_s, 1.0);
  EXPECT_LT(boot_s, 10.0);
#endif
}

TEST(BradleyTerryCells, AggregationOrientsPairsAndCountsIdenticalBattles) {
  // (1, 0, B wins) is (0, 1, A wins); weights stay apart; "both bad" stays its own cell.
  const std::vector<Battle> battles = {{0, 1, Outcome::kWinA},    {1, 0, Outcome::kWinB},
                                       {2, 1, Outcome::kTie},     {1, 2, Outcome::kTie},
                                       {0, 1, Outcome::kWinA, 2}, {1, 0, Outcome::kBothBad},
                                       {0, 1, Outcome::kWinB}};
  const std::vector<BattleCell> cells = AggregateBattles(3, battles);
  ASSERT_EQ(cells.size(), 5u);
  auto expect = [&](size_t i, uint32_t a, uint32_t b, Outcome o, double w, uint64_t count) {
    EXPECT_EQ(cells[i].model_a, a) << i;
    EXPECT_EQ(cells[i].model_b, b) << i;
    EXPECT_EQ(cells[i].outcome, o) << i;
    EXPECT_EQ(cells[i].weight, w) << i;
    EXPECT_EQ(cells[i].count, count) << i;
  };
  expect(0, 0, 1, Outcome::kWinA, 1, 2);
  expect(1, 0, 1, Outcome::kWinA, 2, 1);
  expect(2, 0, 1, Outcome::kWinB, 1, 1);
  expect(3, 0, 1, Outcome::kBothBad, 1, 1);
  expect(4, 1, 2, Outcome::kTie, 1, 2);
  EXPECT_THROW(AggregateBattles(2, battles), InputError);  // model 2 is out of range
}

TEST(BradleyTerryCells, FitOnCellsEqualsFitOnBattles) {
  const std::vector<Battle> battles = Simulate({1100, 1000, 950, 900}, 2000, 21);
  const Ratings direct = FitBradleyTerry(4, battles);
  const Ratings counted = FitBradleyTerry(4, AggregateBattles(4, battles));
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(direct.rating[i], counted.rating[i], 1e-9);
    EXPECT_EQ(direct.wins[i], counted.wins[i]);
    EXPECT_EQ(direct.battles[i], counted.battles[i]);
  }
  const std::vector<BattleCell> empty_cell = {{0, 1, Outcome::kWinA, 1, 0}};
  EXPECT_NE(testing::InputErrorMessage([&] { FitBradleyTerry(2, empty_cell); }).find("cell 0"),
            std::string::npos);
}

TEST(BradleyTerryBootstrap, MultinomialResamplingIsDeterministicForSeed) {
  const std::vector<Battle> battles = Simulate({1200, 1100, 1000, 900, 800}, 5000, 8);
  const RatingIntervals a = BootstrapRatings(5, battles, {}, 100, 77, 1);
  const RatingIntervals b = BootstrapRatings(5, battles, {}, 100, 77, 2);
  EXPECT_EQ(a.replicates, b.replicates);
  // The battles' order does not matter: they are counted into sorted cells first.
  std::vector<Battle> reversed(battles.rbegin(), battles.rend());
  const RatingIntervals c = BootstrapRatings(5, reversed, {}, 100, 77, 1);
  EXPECT_EQ(a.replicates, c.replicates);
  // Nor whether the caller or BootstrapRatings counts them.
  const RatingIntervals d = BootstrapRatings(5, AggregateBattles(5, battles), {}, 100, 77, 1);
  EXPECT_EQ(a.replicates, d.replicates);
  ASSERT_EQ(a.replicates.size(), 100u * 5u);
  // Resample r draws from its own generator: the first 50 of 100 are the 50 of a run of 50.
  const RatingIntervals half = BootstrapRatings(5, battles, {}, 50, 77, 1);
  EXPECT_TRUE(std::equal(half.replicates.begin(), half.replicates.end(), a.replicates.begin()));
}

TEST(BradleyTerryBootstrap, SpreadMatchesTheBinomialDeltaMethod) {
  // 300 wins of 400 for A. A resample's wins k ~ Binomial(400, 3/4), and the rating gap is
  // d(k) = 400 log10(k / (400 - k)); by the delta method sd(d) = 400 / ln 10 * (1/300 + 1/100)
  // * sqrt(400 * 3/4 * 1/4) = 20.06, and each rating (centred) moves by d / 2: 10.03.
  std::vector<Battle> battles = Repeat(0, 1, Outcome::kWinA, 300);
  Append(battles, Repeat(1, 0, Outcome::kWinA, 100));
  const RatingIntervals ci = BootstrapRatings(2, battles, {}, 4000, 3, 2);
  const double expected = 0.5 * 400 / std::log(10.0) * (1.0 / 300 + 1.0 / 100) * std::sqrt(75.0);
  EXPECT_NEAR(expected, 10.03, 0.01);
  EXPECT_NEAR(ci.stderr_[0], expected, 0.05 * expected);
  EXPECT_NEAR(ci.stderr_[1], expected, 0.05 * expected);
  // The interval is about +-1.96 sd around the point estimate 1095.4.
  EXPECT_NEAR(ci.upper[0] - ci.lower[0], 2 * 1.96 * expected, 0.1 * 2 * 1.96 * expected);
  EXPECT_NEAR(ci.point.rating[0], 1000 + 200 * std::log10(3.0), kRidgeSlack);
}

TEST(BradleyTerryBootstrap, CellCountsActLikeRepeatedBattles) {
  // A cell of count 3 is three battles: same point fit and same resamples.
  const std::vector<BattleCell> cells = {{0, 1, Outcome::kWinA, 1, 3},
                                         {0, 1, Outcome::kWinB, 1, 2},
                                         {1, 2, Outcome::kTie, 1, 4},
                                         {0, 2, Outcome::kWinA, 1, 1}};
  std::vector<Battle> battles = Repeat(0, 1, Outcome::kWinA, 3);
  Append(battles, Repeat(0, 1, Outcome::kWinB, 2));
  Append(battles, Repeat(1, 2, Outcome::kTie, 4));
  Append(battles, Repeat(0, 2, Outcome::kWinA, 1));
  const RatingIntervals from_cells = BootstrapRatings(3, cells, {}, 20, 1);
  const RatingIntervals from_battles = BootstrapRatings(3, battles, {}, 20, 1);
  EXPECT_EQ(from_cells.point.rating, from_battles.point.rating);
  EXPECT_EQ(from_cells.replicates, from_battles.replicates);
  EXPECT_EQ(from_cells.point.ties[1], 4);
}

TEST(BradleyTerryRanks, RankIsOnePlusModelsWhoseLowerBoundIsAboveOurUpperBound) {
  // Intervals: A [1100, 1200], B [1090, 1150], C [1000, 1080], D [1001, 1095], E [900, 950].
  const std::vector<double> lower = {1100, 1090, 1000, 1001, 900};
  const std::vector<double> upper = {1200, 1150, 1080, 1095, 950};
  // A: nobody's lower bound is above 1200 -> 1. B: none above 1150 -> 1. C: A (1100) and
  // B (1090) are above 1080 -> 3. D: A (1100) is above 1095 -> 2. E: all four -> 5.
  EXPECT_EQ(RanksFromIntervals(lower, upper), (std::vector<int>{1, 1, 3, 2, 5}));
  EXPECT_THROW(RanksFromIntervals(lower, std::vector<double>{1}), InputError);
}

}  // namespace
}  // namespace kaieval::stats
