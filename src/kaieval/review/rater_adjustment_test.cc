#include "kaieval/review/rater_adjustment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "kaieval/review/assignment.h"
#include "kaieval/review/review_testing.h"

namespace kaieval::review {
namespace {

using testing::Correlation;
using testing::SimulatedConfig;
using testing::SimulatedTeams;
using testing::SimulateRatings;

Ratings Table(size_t units, size_t raters, std::vector<Rating> values) {
  Ratings r;
  for (size_t u = 0; u < units; ++u) r.units.push_back("u" + std::to_string(u));
  for (size_t j = 0; j < raters; ++j) r.raters.push_back("r" + std::to_string(j));
  r.values = std::move(values);
  return r;
}

// 12 reviewers with effects evenly from -1.5 to +1.5, 40 items, k = 3, noise sd 0.5, over 20
// simulated campaigns. Each effect rests on 10 ratings, so its standard error is about
// 0.5 / sqrt(10 * 2/3) = 0.19: the root mean square error over the 12 reviewers stays below
// 0.3 in every campaign and no single effect is off by more than 0.6 (3 standard errors).
TEST(RaterAdjustment, RecoversSimulatedSeveritiesAndImprovesItemScores) {
  double worst_error = 0;
  double worst_rmse = 0;
  double raw_correlation_sum = 0;
  double adjusted_correlation_sum = 0;
  const int runs = 20;
  for (int run = 0; run < runs; ++run) {
    std::mt19937_64 rng(1000 + run);
    ReviewConfig config = SimulatedConfig({12, 40, 3, 5, 0.1}, rng);
    AssignmentPlan plan = AssignReviewers(config, SimulatedTeams(5), run);
    std::vector<double> severity(12);
    for (int r = 0; r < 12; ++r) severity[r] = -1.5 + 3.0 * r / 11;
    std::normal_distribution<double> quality(5.5, 1.0);
    std::vector<double> truth(40);
    for (double& t : truth) t = quality(rng);
    auto sim = SimulateRatings(config, plan, truth, severity, 0.5, rng);

    RaterAdjustment fit = FitAdditiveRaterEffects(sim.ratings);
    double sum = 0;
    double squared_error = 0;
    for (int r = 0; r < 12; ++r) {
      const double error = fit.rater_effect[r] - severity[r];
      EXPECT_LT(std::abs(error), 0.6) << "run " << run << " rater " << r;
      worst_error = std::max(worst_error, std::abs(error));
      squared_error += error * error;
      sum += fit.rater_effect[r];
    }
    const double rmse = std::sqrt(squared_error / 12);
    EXPECT_LT(rmse, 0.3) << "run " << run;
    worst_rmse = std::max(worst_rmse, rmse);
    EXPECT_NEAR(sum, 0, 1e-9);
    const double raw = Correlation(fit.raw, truth);
    const double adjusted = Correlation(fit.adjusted, truth);
    EXPECT_GT(adjusted, raw) << "run " << run;
    EXPECT_GT(adjusted, 0.9) << "run " << run;
    raw_correlation_sum += raw;
    adjusted_correlation_sum += adjusted;
    EXPECT_NEAR(fit.residual_sd, 0.5, 0.15);  // it estimates the noise

    // Standardisation also helps here, though it cannot see which items a rater drew.
    RaterAdjustment standardised = StandardiseRaters(sim.ratings);
    EXPECT_GT(Correlation(standardised.adjusted, truth), raw) << "run " << run;
  }
  EXPECT_GT(adjusted_correlation_sum / runs, raw_correlation_sum / runs + 0.05);
  std::printf(
      "[ severity recovery ] %d runs: worst RMSE %.3f, worst |effect - truth| %.3f, "
      "mean correlation with truth raw %.3f, adjusted %.3f\n",
      runs, worst_rmse, worst_error, raw_correlation_sum / runs, adjusted_correlation_sum / runs);
}

// Item 0 is scored by both raters (5 and 7), item 1 only by rater 0 (4), item 2 only by
// rater 1 (8). Only item 0 tells the raters apart: b = (-1, +1), so items 1 and 2 move
// towards each other: 4 + 1 = 5 and 8 - 1 = 7.
TEST(RaterAdjustment, HandComputedIncompleteDesign) {
  Ratings r = Table(3, 2, {{0, 0, 5}, {0, 1, 7}, {1, 0, 4}, {2, 1, 8}});
  RaterAdjustment fit = FitAdditiveRaterEffects(r);
  EXPECT_NEAR(fit.rater_effect[0], -1, 1e-5);
  EXPECT_NEAR(fit.rater_effect[1], 1, 1e-5);
  EXPECT_DOUBLE_EQ(fit.raw[1], 4);
  EXPECT_NEAR(fit.adjusted[0], 6, 1e-5);
  EXPECT_NEAR(fit.adjusted[1], 5, 1e-5);
  EXPECT_NEAR(fit.adjusted[2], 7, 1e-5);
  EXPECT_TRUE(std::isnan(fit.residual_sd));  // 4 ratings, 3 + 2 - 1 parameters: no df left
  EXPECT_EQ(fit.ratings_per_rater[0], 2);
}

// When every rater scores every item, the effects are the raters' means minus the grand mean
// and the adjusted scores equal the raw ones.
TEST(RaterAdjustment, CompleteDesignEffectsAreRaterMeansMinusGrandMean) {
  const double y[3][3] = {{6, 7, 9}, {3, 5, 4}, {8, 8, 10}};  // [unit][rater]
  std::vector<Rating> values;
  for (uint32_t u = 0; u < 3; ++u) {
    for (uint32_t j = 0; j < 3; ++j) values.push_back({u, j, y[u][j]});
  }
  RaterAdjustment fit = FitAdditiveRaterEffects(Table(3, 3, values));
  const double grand = 60.0 / 9;
  EXPECT_NEAR(fit.rater_effect[0], 17.0 / 3 - grand, 1e-5);
  EXPECT_NEAR(fit.rater_effect[1], 20.0 / 3 - grand, 1e-5);
  EXPECT_NEAR(fit.rater_effect[2], 23.0 / 3 - grand, 1e-5);
  for (int u = 0; u < 3; ++u) EXPECT_NEAR(fit.adjusted[u], fit.raw[u], 1e-5);
  // Residuals: y - unit mean - rater effect; RSS over df = 9 - 3 - 3 + 1 = 4.
  double rss = 0;
  for (int u = 0; u < 3; ++u) {
    for (int j = 0; j < 3; ++j) {
      double e = y[u][j] - fit.raw[u] - fit.rater_effect[j];
      rss += e * e;
    }
  }
  EXPECT_NEAR(fit.residual_sd, std::sqrt(rss / 4), 1e-6);
}

TEST(RaterAdjustment, LocationScaleHandComputed) {
  // Rater 0 scores items 0..2 as 1, 3, 5; rater 1 as 4, 6, 8. Each has sd 2 and z = -1, 0, 1.
  // Pooled: mean 4.5, sd sqrt(29.5 / 5).
  Ratings r = Table(3, 2, {{0, 0, 1}, {1, 0, 3}, {2, 0, 5}, {0, 1, 4}, {1, 1, 6}, {2, 1, 8}});
  RaterAdjustment fit = StandardiseRaters(r);
  const double sd = std::sqrt(29.5 / 5);
  EXPECT_DOUBLE_EQ(fit.pooled_mean, 4.5);
  EXPECT_NEAR(fit.pooled_sd, sd, 1e-12);
  EXPECT_NEAR(fit.rater_effect[0], -1.5, 1e-12);
  EXPECT_NEAR(fit.rater_effect[1], 1.5, 1e-12);
  EXPECT_NEAR(fit.rater_scale[0], 2 / sd, 1e-12);
  EXPECT_NEAR(fit.adjusted[0], 4.5 - sd, 1e-12);
  EXPECT_NEAR(fit.adjusted[1], 4.5, 1e-12);
  EXPECT_NEAR(fit.adjusted[2], 4.5 + sd, 1e-12);
  EXPECT_TRUE(std::isnan(fit.residual_sd));
}

TEST(RaterAdjustment, LocationScaleOnlyShiftsARaterWithoutSpread) {
  // Rater 1 gives 7 to both items: no sd, so 7 - 7 + pooled mean.
  Ratings r = Table(2, 2, {{0, 0, 2}, {1, 0, 6}, {0, 1, 7}, {1, 1, 7}});
  RaterAdjustment fit = StandardiseRaters(r);
  EXPECT_EQ(fit.rater_scale[1], 1);
  EXPECT_DOUBLE_EQ(fit.Adjust({0, 1, 7}), fit.pooled_mean);
}

// Raters 0, 1 share items 0, 1; raters 2, 3 share items 2, 3; nothing links the groups.
TEST(RaterAdjustment, DisconnectedDesignStaysFiniteAndCentred) {
  Ratings r = Table(
      4, 4,
      {{0, 0, 5}, {0, 1, 7}, {1, 0, 6}, {1, 1, 8}, {2, 2, 2}, {2, 3, 3}, {3, 2, 4}, {3, 3, 5}});
  RaterAdjustment fit = FitAdditiveRaterEffects(r);
  double sum = 0;
  for (double b : fit.rater_effect) {
    EXPECT_TRUE(std::isfinite(b));
    sum += b;
  }
  EXPECT_NEAR(sum, 0, 1e-9);
  // Within each group the difference is identified; between groups the ridge picks 0.
  EXPECT_NEAR(fit.rater_effect[1] - fit.rater_effect[0], 2, 1e-4);
  EXPECT_NEAR(fit.rater_effect[3] - fit.rater_effect[2], 1, 1e-4);
  EXPECT_NEAR(fit.rater_effect[0] + fit.rater_effect[1], 0, 1e-4);
}

TEST(RaterAdjustment, EmptyAndUnratedEntriesAreNaN) {
  RaterAdjustment empty = FitAdditiveRaterEffects(Table(2, 2, {}));
  EXPECT_TRUE(std::isnan(empty.raw[0]));
  EXPECT_TRUE(std::isnan(empty.rater_effect[1]));
  RaterAdjustment fit = FitAdditiveRaterEffects(Table(3, 3, {{0, 0, 5}, {0, 1, 6}, {1, 0, 4}}));
  EXPECT_TRUE(std::isnan(fit.adjusted[2]));
  EXPECT_TRUE(std::isnan(fit.rater_effect[2]));
  EXPECT_NEAR(fit.rater_effect[0] + fit.rater_effect[1], 0, 1e-9);
  Ratings adjusted = AdjustedRatings(Table(3, 3, {{0, 0, 5}, {0, 1, 6}, {1, 0, 4}}), fit);
  EXPECT_NEAR(adjusted.values[0].value, 5.5, 1e-5);
  EXPECT_NEAR(adjusted.values[1].value, 5.5, 1e-5);
}

}  // namespace
}  // namespace kaieval::review
