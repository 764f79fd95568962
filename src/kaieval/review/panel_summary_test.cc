#include "kaieval/review/panel_summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "kaieval/common/testing.h"
#include "kaieval/review/review_testing.h"

namespace kaieval::review {
namespace {

using kaieval::testing::InputErrorMessage;
using testing::Correlation;
using testing::SimulatedConfig;
using testing::SimulatedTeams;

// The whole path: assignment, scores through CSV, criteria combined, the panel summarised.
TEST(PanelSummary, FromCsvScoresToAdjustedScoresAgreementAndFlags) {
  std::mt19937_64 rng(2024);
  ReviewConfig config = SimulatedConfig({12, 40, 3, 5, 0.1}, rng);
  config.panels[0].criteria.push_back({"rigour", "Rigour", 2, {{1, "weak"}, {10, "strong"}}});
  AssignmentPlan plan = AssignReviewers(config, SimulatedTeams(5), 8);

  std::vector<double> severity(12);
  for (int r = 0; r < 12; ++r) severity[r] = -1.5 + 3.0 * r / 11;
  std::normal_distribution<double> quality(5.5, 1.5);
  std::vector<double> truth(40);
  for (double& t : truth) t = quality(rng);
  std::normal_distribution<double> noise(0, 0.7);
  std::uniform_int_distribution<int> uniform(1, 10);
  const std::string random_reviewer = "r05";
  std::vector<ReviewScore> scores;
  for (const Assignment& a : plan.assignments) {
    const size_t u = std::stoul(a.item.substr(5));
    const size_t r = std::stoul(a.reviewer.substr(1));
    for (const char* criterion : {"quality", "rigour"}) {
      double value =
          a.reviewer == random_reviewer ? uniform(rng) : truth[u] + severity[r] + noise(rng);
      scores.push_back({a.item, a.reviewer, criterion,
                        static_cast<int>(std::clamp(std::round(value), 1.0, 10.0))});
    }
  }
  scores.pop_back();  // the last review misses a criterion
  std::stringstream csv;
  WriteScoresCsv(csv, scores);
  ReviewTotals totals = CombineCriteria(config, ReadScoresCsv(csv, "scores.csv", config, plan));
  EXPECT_EQ(totals.complete.size(), 119u);

  PanelSummary s = SummarisePanel(config, totals, "technical");
  EXPECT_EQ(s.ratings.units.size(), 40u);
  EXPECT_EQ(s.ratings.raters.size(), 12u);
  ASSERT_EQ(s.incomplete.size(), 1u);
  EXPECT_EQ(s.incomplete[0].item, "item-039");
  EXPECT_GT(Correlation(s.additive.adjusted, truth), Correlation(s.additive.raw, truth));
  EXPECT_GT(s.alpha.alpha, 0.3);
  EXPECT_LT(s.alpha.alpha, 0.9);
  EXPECT_GT(s.icc.single, 0.3);
  EXPECT_GT(s.icc.average, s.icc.single);
  for (const RaterAgreement& a : s.raters) {
    EXPECT_EQ(a.flagged, a.rater == random_reviewer) << a.rater;
  }
}

TEST(PanelSummary, UnknownPanelIsAnInputError) {
  std::mt19937_64 rng(1);
  ReviewConfig config = SimulatedConfig({4, 4, 2, 2, 0}, rng);
  EXPECT_EQ(InputErrorMessage([&] { SummarisePanel(config, {}, "legal"); }),
            "stage.yaml: review: unknown panel 'legal'");
}

TEST(PanelSummary, EmptyPanelHasNoScoresAndNoFlags) {
  std::mt19937_64 rng(1);
  ReviewConfig config = SimulatedConfig({4, 4, 2, 2, 0}, rng);
  PanelSummary s = SummarisePanel(config, {}, "technical");
  EXPECT_TRUE(s.ratings.units.empty());
  EXPECT_TRUE(s.raters.empty());
  EXPECT_TRUE(std::isnan(s.alpha.alpha));
}

}  // namespace
}  // namespace kaieval::review
