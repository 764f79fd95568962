#include "kaieval/stage/rubric.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kaieval/common/testing.h"

namespace kaieval::stage {
namespace {

using testing::InputErrorMessage;

RubricNode Leaf(const std::string& id, double points, Rule rule) {
  RubricNode n;
  n.id = id;
  n.points = points;
  n.rule = rule;
  n.evidence.kind = "value";
  return n;
}

// total 100 = benchmarks 40 (relative 30 + linear 10) + users 60 (rank based)
RubricNode Stage() {
  RubricNode root;
  root.id = "total";
  root.points = 100;
  RubricNode bench;
  bench.id = "benchmarks";
  bench.points = 40;
  RubricNode rel = Leaf("bench.global", 30, Rule::kRelativeToReference);
  rel.reference = 0.8;
  RubricNode lin = Leaf("bench.national", 10, Rule::kLinear);
  lin.floor = 0.5;
  lin.ceiling = 1.0;
  bench.children = {rel, lin};
  root.children = {bench, Leaf("users", 60, Rule::kRankBased)};
  return root;
}

TEST(Rubric, RulesMatchHandComputedPoints) {
  RubricNode root = Stage();
  ValidateRubric(root, "stage.yaml");
  LeafScores scores = {{"bench.global", {0.4, 0.8, 0.9}},
                       {"bench.national", {0.75, 0.5, 1.2}},
                       {"users", {1100, 1000, 900}}};
  NodePoints p = ScoreRubric(root, scores, 3);
  // relative_to_reference: 30 * min(1, s / 0.8)
  EXPECT_DOUBLE_EQ(p["bench.global"][0], 15);
  EXPECT_DOUBLE_EQ(p["bench.global"][1], 30);
  EXPECT_DOUBLE_EQ(p["bench.global"][2], 30);  // capped at the reference
  // linear between 0.5 and 1.0: 10 * clamp((s - 0.5) / 0.5)
  EXPECT_DOUBLE_EQ(p["bench.national"][0], 5);
  EXPECT_DOUBLE_EQ(p["bench.national"][1], 0);
  EXPECT_DOUBLE_EQ(p["bench.national"][2], 10);
  // rank based: 60 * (n - rank) / (n - 1)
  EXPECT_DOUBLE_EQ(p["users"][0], 60);
  EXPECT_DOUBLE_EQ(p["users"][1], 30);
  EXPECT_DOUBLE_EQ(p["users"][2], 0);
  EXPECT_DOUBLE_EQ(p["benchmarks"][0], 20);
  EXPECT_DOUBLE_EQ(p["total"][0], 80);
  EXPECT_DOUBLE_EQ(p["total"][1], 60);
  EXPECT_DOUBLE_EQ(p["total"][2], 40);
}

TEST(Rubric, MeanOfChildrenAveragesTheChildrensShares) {
  RubricNode root;
  root.id = "expert";
  root.points = 35;
  root.rule = Rule::kMeanOfChildren;
  RubricNode a = Leaf("report", 1, Rule::kLinear);
  a.floor = 1;
  a.ceiling = 10;
  RubricNode b = Leaf("outputs", 1, Rule::kLinear);
  b.floor = 1;
  b.ceiling = 10;
  root.children = {a, b};
  ValidateRubric(root, "stage.yaml");
  // shares 1.0 and 0.5: 35 * 0.75
  NodePoints p = ScoreRubric(root, {{"report", {10}}, {"outputs", {5.5}}}, 1);
  EXPECT_DOUBLE_EQ(p["expert"][0], 26.25);
}

TEST(Rubric, RankBasedTiesShareTheBetterRankAndMissingScoresEarnNothing) {
  RubricNode root = Leaf("users", 30, Rule::kRankBased);
  NodePoints p = ScoreRubric(root, {{"users", {5, 5, 1, std::nan("")}}}, 4);
  EXPECT_DOUBLE_EQ(p["users"][0], 30);  // rank 1 of 4
  EXPECT_DOUBLE_EQ(p["users"][1], 30);
  EXPECT_DOUBLE_EQ(p["users"][2], 10);  // rank 3 of 4: 30 * 1/3
  EXPECT_DOUBLE_EQ(p["users"][3], 0);
  root.lower_is_better = true;
  EXPECT_DOUBLE_EQ(ScoreRubric(root, {{"users", {5, 1}}}, 2)["users"][1], 30);
}

TEST(Rubric, BadRubricsNameTheItem) {
  RubricNode root = Stage();
  root.children[0].children[1].points = 11;  // 30 + 11 != 40
  EXPECT_EQ(InputErrorMessage([&] { ValidateRubric(root, "stage.yaml"); }),
            "stage.yaml: rubric item 'benchmarks': its items add up to 41 points, not 40");
  root = Stage();
  root.children[1].evidence.kind = "";
  EXPECT_EQ(InputErrorMessage([&] { ValidateRubric(root, "stage.yaml"); }),
            "stage.yaml: rubric item 'users': a leaf needs evidence (benchmark, review, arena, "
            "derivatives or value)");
  root = Stage();
  root.children[0].children[0].reference = 0;
  EXPECT_NE(InputErrorMessage([&] { ValidateRubric(root, "stage.yaml"); }).find("reference > 0"),
            std::string::npos);
  root = Stage();
  root.children[1].id = "benchmarks";
  EXPECT_NE(InputErrorMessage([&] { ValidateRubric(root, "stage.yaml"); }).find("duplicate id"),
            std::string::npos);
  EXPECT_NE(InputErrorMessage([&] { ScoreRubric(Stage(), {{"users", {1}}}, 1); }).find("no evidence"),
            std::string::npos);
}

TEST(Rubric, WeightShiftsKeepTheTotal) {
  RubricNode shifted = ShiftTopLevelWeight(Stage(), "benchmarks", 5);
  ValidateRubric(shifted, "shifted");
  EXPECT_DOUBLE_EQ(shifted.children[0].points, 45);
  EXPECT_DOUBLE_EQ(shifted.children[0].children[0].points, 30 * 45.0 / 40);
  EXPECT_DOUBLE_EQ(shifted.children[1].points, 55);
  EXPECT_THROW(ShiftTopLevelWeight(Stage(), "nope", 5), InputError);
}

TEST(Rubric, LeavingOutALeafGivesItsShareToItsSiblings) {
  RubricNode without = WithoutLeaf(Stage(), "bench.national");
  ValidateRubric(without, "without");
  ASSERT_EQ(without.children[0].children.size(), 1u);
  EXPECT_DOUBLE_EQ(without.children[0].children[0].points, 40);
  EXPECT_EQ(Leaves(without).size(), 2u);
  EXPECT_THROW(WithoutLeaf(Stage(), "benchmarks"), InputError);
}

}  // namespace
}  // namespace kaieval::stage
