#include "kaieval/stage/selection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace kaieval::stage {
namespace {

RubricNode Leaf(const std::string& id, double points, const std::string& kind) {
  RubricNode n;
  n.id = id;
  n.points = points;
  n.rule = Rule::kLinear;
  n.floor = 0;
  n.ceiling = 1;
  n.evidence.kind = kind;
  return n;
}

// total 100 = bench.a 30 + bench.b 30 + users 40, every leaf linear on [0, 1].
RubricNode Stage() {
  RubricNode root;
  root.id = "total";
  root.points = 100;
  RubricNode bench;
  bench.id = "benchmarks";
  bench.points = 60;
  bench.children = {Leaf("bench.a", 30, "benchmark"), Leaf("bench.b", 30, "benchmark")};
  root.children = {bench, Leaf("users", 40, "arena")};
  return root;
}

TEST(Selection, TopNAmongTeamsPassingTheGates) {
  Selection s = Select({90, 80, 70, 60, 50}, {true, false, true, true, true}, {3});
  EXPECT_EQ(s.advances, (std::vector<bool>{true, false, true, true, false}));
  EXPECT_EQ(s.rank, (std::vector<int>{1, 0, 2, 3, 4}));  // the gate failure has no rank
}

TEST(Selection, TiesAtTheCutFollowThePolicy) {
  const std::vector<double> totals = {90, 70, 70, 50};
  const std::vector<bool> gates(4, true);
  Selection in = Select(totals, gates, {2, TiePolicy::kIncludeTied});
  EXPECT_EQ(in.advances, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(in.rank, (std::vector<int>{1, 2, 2, 4}));
  Selection out = Select(totals, gates, {2, TiePolicy::kExcludeTied});
  EXPECT_EQ(out.advances, (std::vector<bool>{true, false, false, false}));
  // A tie that does not cross the cut changes nothing.
  Selection both = Select({90, 90, 50}, {true, true, true}, {2, TiePolicy::kExcludeTied});
  EXPECT_EQ(both.advances, (std::vector<bool>{true, true, false}));
}

TEST(Selection, ProbabilityOfAdvancingIsTheShareOfReplicates) {
  // Two teams, one advances. Team 0 is ahead in 3 of 4 constructed replicates.
  RubricNode root = Stage();
  LeafScores point = {{"bench.a", {0.9, 0.5}}, {"bench.b", {0.5, 0.5}}, {"users", {0.5, 0.5}}};
  std::vector<LeafScores> reps;
  for (double a1 : {0.9, 0.8, 0.7, 0.1}) {
    reps.push_back({{"bench.a", {a1, 0.5}}, {"bench.b", {0.5, 0.5}}, {"users", {0.5, 0.5}}});
  }
  StageDecision d = Decide(root, point, reps, {true, true}, {}, {1}, 2);
  EXPECT_EQ(d.selection.advances, (std::vector<bool>{true, false}));
  EXPECT_DOUBLE_EQ(d.p_advance[0], 0.75);
  EXPECT_DOUBLE_EQ(d.p_advance[1], 0.25);
  EXPECT_DOUBLE_EQ(d.points.points["total"][0], 30 * 0.9 + 15 + 20);
  // Quantiles of team 0's bench.a points over {27, 24, 21, 3} (numpy's linear interpolation).
  EXPECT_NEAR(d.points.lower["bench.a"][0], 3 + 0.075 * 18, 1e-9);
  EXPECT_NEAR(d.points.upper["bench.a"][0], 24 + 0.925 * 3, 1e-9);
  // A replicate in which team 0 fails a gate.
  StageDecision g = Decide(root, point, reps, {true, true}, {{false, true}, {true, true}, {true, true}, {true, true}}, {1}, 2);
  EXPECT_DOUBLE_EQ(g.p_advance[0], 0.5);
}

TEST(Selection, SensitivityListsOnlyPerturbationsThatChangeWhoAdvances) {
  RubricNode root = Stage();
  // Team 0 leads on bench.a, team 1 on users: close overall.
  LeafScores scores = {{"bench.a", {1.0, 0.0}}, {"bench.b", {0.5, 0.5}}, {"users", {0.0, 0.8}}};
  // Totals: team 0 30 + 15 + 0 = 45; team 1 0 + 15 + 32 = 47: team 1 advances.
  auto found = Sensitivity(root, scores, {true, true}, {1}, 2);
  std::vector<std::string> changes;
  for (const auto& p : found) changes.push_back(p.change);
  // benchmarks +5: team 0 = 65/60*45 = 48.75, team 1 = 15*65/60 + 32*35/40 = 44.25: flips.
  // benchmarks -5 and users +5 favour team 1: no change. users -5 = benchmarks +5: flips.
  // Without bench.b: bench.a worth 60: team 0 60, team 1 32: flips. Without bench.a: no.
  EXPECT_EQ(changes, (std::vector<std::string>{"benchmarks +5 points", "users -5 points",
                                               "without bench.b"}));
  for (const auto& p : found) EXPECT_EQ(p.advances, (std::vector<bool>{true, false}));
}

TEST(Selection, BootstrapIntervalsAreDeterministicForTheReplicates) {
  RubricNode root = Stage();
  std::mt19937_64 rng(3);
  auto u = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  LeafScores point = {{"bench.a", {0.6, 0.5, 0.4}}, {"bench.b", {0.5, 0.5, 0.5}}, {"users", {0.5, 0.6, 0.4}}};
  std::vector<LeafScores> reps;
  for (int b = 0; b < 200; ++b) {
    reps.push_back({{"bench.a", {0.6 + 0.1 * (u() - 0.5), 0.5 + 0.1 * (u() - 0.5), 0.4}},
                    {"bench.b", {0.5, 0.5, 0.5}},
                    {"users", {0.5, 0.6 + 0.2 * (u() - 0.5), 0.4}}});
  }
  StageDecision a = Decide(root, point, reps, {true, true, true}, {}, {2}, 3);
  StageDecision b = Decide(root, point, reps, {true, true, true}, {}, {2}, 3);
  EXPECT_EQ(a.p_advance, b.p_advance);
  EXPECT_EQ(a.points.lower["total"], b.points.lower["total"]);
  EXPECT_DOUBLE_EQ(a.p_advance[2], 0.0);  // always last of three
  EXPECT_LE(a.points.lower["total"][0], a.points.points["total"][0]);
  EXPECT_GE(a.points.upper["total"][0], a.points.points["total"][0]);
}

}  // namespace
}  // namespace kaieval::stage
