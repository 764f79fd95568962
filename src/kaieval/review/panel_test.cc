#include "kaieval/review/panel.h"

#include <gtest/gtest.h>

#include <string>

#include "kaieval/common/testing.h"

namespace kaieval::review {
namespace {

using kaieval::testing::InputErrorMessage;

// A stage config whose review section is valid; tests replace one line to break it.
const std::string kStage = R"(title: stage 1
review:
  panels:
    - name: technical
      reviews_per_item: 2
      criteria:
        - id: novelty
          name: Technical novelty
          weight: 2
          anchors: {1: "nothing new", 5: "incremental", 10: "state of the art"}
        - id: rigour
          anchors: {1: "unsupported claims", 10: "every claim evidenced"}
  reviewers:
    - id: kim
      name: Kim
      affiliations: [Naver Cloud, KAIST]
    - id: lee
      affiliations: []
      panels: [technical]
    - id: park
      affiliations: [SNU]
  items:
    - id: item-a
      team: LG AI Research
      panel: technical
      kind: report
      title: Technical report A
      content: reports/a.pdf
    - id: item-b
      team: Upstage
      panel: technical
      kind: training_log
      title: Training log B
      content: https://example.org/b
)";

ReviewConfig Load(const std::string& text) {
  return LoadReviewConfig(YAML::Load(text)["review"], "/cfg/stage.yaml");
}

// `text` with the first occurrence of `from` replaced by `to`.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

std::string With(const std::string& from, const std::string& to) {
  return Replace(kStage, from, to);
}

TEST(PanelConfig, LoadsPanelsReviewersAndItemsWithDefaults) {
  ReviewConfig c = Load(kStage);
  ASSERT_EQ(c.panels.size(), 1u);
  const ReviewPanel& p = c.panels[0];
  EXPECT_EQ(p.reviews_per_item, 2);
  ASSERT_EQ(p.criteria.size(), 2u);
  EXPECT_EQ(p.criteria[0].weight, 2);
  EXPECT_EQ(p.criteria[0].anchors.at(5), "incremental");
  EXPECT_EQ(p.criteria[1].name, "rigour");  // the id when no name is given
  EXPECT_EQ(p.criteria[1].weight, 1);
  EXPECT_EQ(p.TotalWeight(), 3);
  ASSERT_EQ(c.reviewers.size(), 3u);
  EXPECT_EQ(c.reviewers[0].affiliations, (std::vector<std::string>{"Naver Cloud", "KAIST"}));
  EXPECT_TRUE(c.reviewers[0].ServesOn("technical"));  // no list = every panel
  EXPECT_EQ(c.reviewers[1].name, "lee");
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].content, "/cfg/reports/a.pdf");  // relative to the config
  EXPECT_EQ(c.items[1].content, "https://example.org/b");
  EXPECT_EQ(c.items[1].kind, ItemKind::kTrainingLog);
  EXPECT_EQ(c.items[0].line, 23);
  EXPECT_EQ(c.FindItem("item-b")->team, "Upstage");
  EXPECT_EQ(c.FindReviewer("nobody"), nullptr);
}

TEST(PanelConfig, ErrorsNameFileLineAndField) {
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {"id: lee", "id: kim", "/cfg/stage.yaml:17: review.reviewers[1].id: duplicate id 'kim'"},
      {"id: item-b", "id: item-a", "review.items[1].id: duplicate id 'item-a'"},
      {"panel: technical\n      kind: training_log", "panel: legal\n      kind: training_log",
       "/cfg/stage.yaml:31: review.items[1].panel: unknown panel 'legal' (expected one of "
       "technical)"},
      {"10: \"every claim evidenced\"", "9: \"nearly\"",
       "review.panels[0].criteria[1].anchors: needs a description for score 10"},
      {"5: \"incremental\"", "11: \"too high\"",
       "/cfg/stage.yaml:10: review.panels[0].criteria[0].anchors: expected an integer from 1 "
       "to 10, got 11"},
      {"reviews_per_item: 2", "reviews_per_item: 4",
       "/cfg/stage.yaml:5: review.panels[0].reviews_per_item: 4 reviewers per item, but only 3 "
       "reviewers serve on panel 'technical'"},
      {"      affiliations: [SNU]\n", "",
       "review.reviewers[2].affiliations: missing (declare the reviewer's organisations"},
      {"weight: 2", "weight: 0", "review.panels[0].criteria[0].weight: expected a number above 0"},
      {"kind: report", "kind: essay",
       "review.items[0].kind: expected report, training_log or output, got 'essay'"},
      {"title: Technical report A", "titel: Technical report A",
       "review.items[0].titel: unknown key"},
      {"panels: [technical]", "panels: [legal]",
       "review.reviewers[1].panels[0]: unknown panel 'legal'"},
      {"criteria:\n        - id: novelty", "criteria: []\n      other:\n        - id: novelty",
       "review.panels[0].other: unknown key"},
  };
  for (const Case& c : cases) {
    std::string message = InputErrorMessage([&] { Load(With(c.from, c.to)); });
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "replacing '" << c.from << "'\n got: " << message;
  }
}

TEST(PanelConfig, RequiresEachSection) {
  EXPECT_NE(InputErrorMessage([] {
              Load("review: {panels: []}");
            }).find("review.panels: expected a non-empty list"),
            std::string::npos);
  EXPECT_NE(InputErrorMessage([] { Load("other: 1"); }).find("review: expected a map"),
            std::string::npos);
}

TEST(PanelConfig, AnchorsMustBeAMapOfScores) {
  std::string message = InputErrorMessage([] {
    Load(With("anchors: {1: \"unsupported claims\", 10: \"every claim evidenced\"}",
              "anchors: [1, 10]"));
  });
  EXPECT_NE(
      message.find("/cfg/stage.yaml:12: review.panels[0].criteria[1].anchors: expected a map"),
      std::string::npos)
      << message;
}

TEST(PanelConfig, ReviewsPerItemCountsOnlyReviewersOfThePanel) {
  std::string text = With("  reviewers:",
                          "    - name: other\n      reviews_per_item: 1\n      criteria:\n"
                          "        - {id: x, anchors: {1: a, 10: b}}\n  reviewers:");
  text = Replace(text, "affiliations: [SNU]", "affiliations: [SNU]\n      panels: [other]");
  text = Replace(text, "reviews_per_item: 2", "reviews_per_item: 3");
  // Only kim and lee serve on 'technical' once park moves to 'other'.
  std::string message = InputErrorMessage([&] { Load(text); });
  EXPECT_NE(message.find("3 reviewers per item, but only 2 reviewers serve on panel 'technical'"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace kaieval::review
