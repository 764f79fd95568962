#include "kaieval/review/scores.h"

#include <gtest/gtest.h>

#include <sstream>

#include "kaieval/common/testing.h"

namespace kaieval::review {
namespace {

using kaieval::testing::InputErrorMessage;

ReviewConfig TwoCriteriaConfig() {
  return LoadReviewConfig(YAML::Load(R"(
panels:
  - name: technical
    reviews_per_item: 2
    criteria:
      - {id: novelty, weight: 2, anchors: {1: none, 10: new}}
      - {id: rigour, anchors: {1: weak, 10: strong}}
reviewers:
  - {id: kim, affiliations: []}
  - {id: lee, affiliations: []}
  - {id: park, affiliations: []}
items:
  - {id: a, team: t1, panel: technical, kind: report, title: A}
  - {id: b, team: t2, panel: technical, kind: output, title: B}
)"),
                          "stage.yaml");
}

// kim and lee review a; lee and park review b.
AssignmentPlan FixedPlan() {
  AssignmentPlan plan;
  plan.seed = 1;
  plan.assignments = {{"a", "kim"}, {"a", "lee"}, {"b", "lee"}, {"b", "park"}};
  plan.blind_codes = {{"a", "0a0a0a0a"}, {"b", "0b0b0b0b"}};
  return plan;
}

std::vector<ReviewScore> Read(const std::string& csv) {
  std::istringstream in(csv);
  return ReadScoresCsv(in, "scores.csv", TwoCriteriaConfig(), FixedPlan());
}

std::string ReadError(const std::string& csv) {
  return InputErrorMessage([&] { Read(csv); });
}

TEST(Scores, ReadsRowsInAnyColumnOrderWithBlindCodesAndTimestamps) {
  auto scores = Read(
      "\xEF\xBB\xBFreviewer,criterion,score,item,tstamp\r\n"
      "kim,novelty,7,a,1700000000.5\r\n"
      "lee,rigour, 4 ,0b0b0b0b,\r\n");
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_EQ(scores[0].item, "a");
  EXPECT_EQ(scores[0].score, 7);
  EXPECT_EQ(scores[0].tstamp, 1700000000.5);
  EXPECT_EQ(scores[1].item, "b");  // the blind code is mapped back to the item
  EXPECT_EQ(scores[1].score, 4);
}

TEST(Scores, BadRowsNameTheLineAndField) {
  const std::string header = "item,reviewer,criterion,score\n";
  EXPECT_EQ(ReadError(header + "a,kim,novelty,7\na,ghost,novelty,7\n"),
            "scores.csv:3: reviewer: unknown reviewer 'ghost'");
  EXPECT_EQ(ReadError(header + "zz,kim,novelty,7\n"), "scores.csv:2: item: unknown item 'zz'");
  EXPECT_EQ(ReadError(header + "a,kim,style,7\n"),
            "scores.csv:2: criterion: 'style' is not a criterion of panel 'technical' "
            "(expected one of novelty, rigour)");
  EXPECT_EQ(ReadError(header + "a,kim,novelty,11\n"),
            "scores.csv:2: score: expected an integer from 1 to 10, got 11");
  EXPECT_EQ(ReadError(header + "a,kim,novelty,0\n"),
            "scores.csv:2: score: expected an integer from 1 to 10, got 0");
  EXPECT_EQ(ReadError(header + "a,kim,novelty,7.5\n"),
            "scores.csv:2: score: expected an integer from 1 to 10, got '7.5'");
  EXPECT_EQ(ReadError(header + "b,kim,novelty,7\n"),
            "scores.csv:2: reviewer: reviewer 'kim' is not assigned to item 'b'");
  EXPECT_EQ(ReadError(header + "a,kim,novelty,7,extra\n"),
            "scores.csv:2: row 1: expected 4 fields as in the header, got 5");
  EXPECT_EQ(ReadError("item,reviewer,score\n"),
            "scores.csv:1: header: missing column 'criterion' (expected item, reviewer, "
            "criterion, score and optionally tstamp)");
  EXPECT_NE(ReadError("item,reviewer,criterion,score,note\n").find("unknown column 'note'"),
            std::string::npos);
  EXPECT_EQ(ReadError("item,reviewer,criterion,score,tstamp\na,kim,novelty,3,yesterday\n"),
            "scores.csv:2: tstamp: expected seconds since the epoch, got 'yesterday'");
}

TEST(Scores, LaterDuplicateReplacesEarlierOne) {
  auto scores = Read(
      "item,reviewer,criterion,score\n"
      "a,kim,novelty,3\n"
      "a,kim,rigour,5\n"
      "a,kim,novelty,9\n");
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_EQ(scores[0].criterion, "rigour");
  EXPECT_EQ(scores[1].criterion, "novelty");
  EXPECT_EQ(scores[1].score, 9);
}

TEST(Scores, ExportReadsBackAndQuotesWhereNeeded) {
  std::vector<ReviewScore> scores = {{"a", "kim", "novelty", 7}, {"b", "park", "rigour", 10}};
  std::ostringstream out;
  WriteScoresCsv(out, scores);
  EXPECT_EQ(out.str(), "item,reviewer,criterion,score\r\na,kim,novelty,7\r\nb,park,rigour,10\r\n");
  auto back = Read(out.str());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].reviewer, "park");
  EXPECT_EQ(back[1].score, 10);
  std::ostringstream quoted;
  WriteScoresCsv(quoted, {{"x,y", "say \"hi\"", "c", 1}});
  EXPECT_NE(quoted.str().find("\"x,y\",\"say \"\"hi\"\"\",c,1"), std::string::npos);
}

TEST(Scores, ReviewerSheetIsBlindAndImportsOnceFilledIn) {
  ReviewConfig config = TwoCriteriaConfig();
  std::ostringstream sheet;
  WriteReviewerSheetCsv(sheet, config, FixedPlan(), "lee");
  EXPECT_EQ(sheet.str(),
            "item,reviewer,criterion,score\r\n"
            "0a0a0a0a,lee,novelty,\r\n0a0a0a0a,lee,rigour,\r\n"
            "0b0b0b0b,lee,novelty,\r\n0b0b0b0b,lee,rigour,\r\n");
  EXPECT_TRUE(Read(sheet.str()).empty());  // blank scores are not scores yet
  std::string filled = sheet.str();
  filled.replace(filled.find("novelty,\r"), 9, "novelty,8\r");
  auto scores = Read(filled);
  ASSERT_EQ(scores.size(), 1u);
  EXPECT_EQ(scores[0].item, "a");
  EXPECT_EQ(scores[0].score, 8);
}

TEST(Scores, ItemScoreIsTheWeightedMeanOfCriteriaOverCompleteReviews) {
  ReviewConfig config = TwoCriteriaConfig();
  std::vector<ReviewScore> scores = {
      {"a", "kim", "novelty", 8},  {"a", "kim", "rigour", 5},   // (2*8 + 5) / 3 = 7
      {"a", "lee", "novelty", 4},  {"a", "lee", "rigour", 10},  // (2*4 + 10) / 3 = 6
      {"b", "lee", "novelty", 9},                               // incomplete
      {"b", "park", "novelty", 2}, {"b", "park", "rigour", 5},  // 3
  };
  ReviewTotals totals = CombineCriteria(config, scores);
  ASSERT_EQ(totals.complete.size(), 3u);
  EXPECT_DOUBLE_EQ(totals.complete[0].score, 7);
  EXPECT_DOUBLE_EQ(totals.complete[1].score, 6);
  ASSERT_EQ(totals.incomplete.size(), 1u);
  EXPECT_EQ(totals.incomplete[0].reviewer, "lee");
  EXPECT_EQ(totals.incomplete[0].criteria_scored, 1);
  auto items = ItemScores(config, totals);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_DOUBLE_EQ(items[0].score, 6.5);
  EXPECT_EQ(items[0].reviews, 2);
  EXPECT_DOUBLE_EQ(items[1].score, 3);
  EXPECT_EQ(items[1].reviews, 1);

  Ratings ratings = PanelRatings(config, totals.complete, "technical");
  EXPECT_EQ(ratings.units, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ratings.raters, (std::vector<std::string>{"kim", "lee", "park"}));
  ASSERT_EQ(ratings.values.size(), 3u);
  EXPECT_EQ(ratings.values[2].unit, 1u);
  EXPECT_EQ(ratings.values[2].rater, 2u);
  EXPECT_DOUBLE_EQ(ratings.values[2].value, 3);
}

TEST(Scores, CheckScoreExplainsTheFirstProblem) {
  auto problem = CheckScore(TwoCriteriaConfig(), FixedPlan(), {"a", "park", "rigour", 3});
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->field, "reviewer");
  EXPECT_FALSE(CheckScore(TwoCriteriaConfig(), FixedPlan(), {"a", "lee", "rigour", 3}));
}

}  // namespace
}  // namespace kaieval::review
