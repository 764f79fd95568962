#include "kaieval/stage/stage_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "kaieval/common/testing.h"

namespace kaieval::stage {
namespace {

using testing::InputErrorMessage;
using testing::ScratchDir;

const char* kStage = R"(name: test stage
total_points: 100
selection: {advance: 1, ties: exclude}
teams:
  - {name: a, organisation: A corp, arena_name: a-7b}
  - {name: b}
evidence: {runs: runs, contest: contest.db}
rubric:
  id: total
  points: 100
  items:
    - id: bench
      points: 60
      evidence: {benchmark: {task: ko_facts_mc, metric: acc}}
      rule: {relative_to_reference: {reference: 0.9}}
    - id: users
      points: 40
      evidence: {arena: {}}
      rule: rank_based
gates:
  originality: {required: true, verdicts: {a: pass, b: fail}}
  safety: [{leaf: bench, min: 0.5}]
overrides:
  - {team: b, gate: originality, decision: pass, reason: "committee decision 2026-01-15"}
)";

std::string Write(const ScratchDir& dir, const std::string& text) {
  std::string path = dir.File("stage.yaml");
  std::ofstream(path) << text;
  return path;
}

std::string ErrorFor(const std::string& from, const std::string& to) {
  ScratchDir dir("stage_config_bad");
  std::string text = kStage;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  const std::string path = Write(dir, text);
  std::string message = InputErrorMessage([&] { LoadStageConfig(path); });
  // Errors name the file; strip the folder, which differs per run.
  size_t name = message.find("stage.yaml");
  return name == std::string::npos ? message : message.substr(name);
}

TEST(StageConfig, ReadsTeamsRubricGatesAndOverrides) {
  ScratchDir dir("stage_config");
  StageConfig c = LoadStageConfig(Write(dir, kStage));
  EXPECT_EQ(c.name, "test stage");
  ASSERT_EQ(c.teams.size(), 2u);
  EXPECT_EQ(c.teams[0].arena_name, "a-7b");
  EXPECT_EQ(c.teams[0].run_name, "a-7b");
  EXPECT_EQ(c.teams[1].organisation, "b");
  EXPECT_EQ(c.selection.advance, 1);
  EXPECT_EQ(c.selection.ties, TiePolicy::kExcludeTied);
  EXPECT_EQ(c.rubric.children.size(), 2u);
  EXPECT_EQ(c.rubric.children[0].rule, Rule::kRelativeToReference);
  EXPECT_EQ(c.rubric.children[0].evidence.params.at("task"), "ko_facts_mc");
  EXPECT_EQ(c.rubric.children[1].rule, Rule::kRankBased);
  EXPECT_EQ(c.runs_dir, (dir.path() / "runs").string());
  ASSERT_EQ(c.safety.size(), 1u);
  EXPECT_EQ(c.overrides.at(0).reason, "committee decision 2026-01-15");
  EXPECT_EQ(TeamIndex(c, "b"), 1);
  EXPECT_EQ(TeamIndex(c, "z"), -1);
}

TEST(StageConfig, TheFirstStageExampleLoads) {
  const char* src = std::getenv("KAIEVAL_SOURCE_DIR");
  std::filesystem::path root = src ? src : std::filesystem::path(__FILE__).parent_path() / "../../..";
  StageConfig c = LoadStageConfig(root / "examples/k-ai-stage1.yaml");
  EXPECT_EQ(c.teams.size(), 5u);
  EXPECT_EQ(c.rubric.children.size(), 3u);
  EXPECT_DOUBLE_EQ(c.rubric.children[0].points + c.rubric.children[1].points +
                       c.rubric.children[2].points, 100);
  EXPECT_EQ(c.selection.advance, 4);
}

TEST(StageConfig, BadConfigsNameTheField) {
  EXPECT_EQ(ErrorFor("points: 60", "points: 50"),
            "stage.yaml: rubric item 'total': its items add up to 90 points, not 100");
  EXPECT_EQ(ErrorFor("      evidence: {arena: {}}\n", ""),
            "stage.yaml: rubric item 'users': a leaf needs evidence (benchmark, review, arena, "
            "derivatives or value)");
  EXPECT_NE(ErrorFor(", reason: \"committee decision 2026-01-15\"", "")
                .find("overrides[0].reason: missing (an override is recorded with its reason)"),
            std::string::npos);
  EXPECT_NE(ErrorFor("leaf: bench, min", "leaf: nope, min").find("gates.safety[0].leaf: no rubric leaf 'nope'"),
            std::string::npos);
  EXPECT_NE(ErrorFor("{task: ko_facts_mc, metric: acc}", "{task: ko_facts_mc}").find("needs task and metric"),
            std::string::npos);
  EXPECT_NE(ErrorFor("rule: rank_based", "rule: best_guess").find("unknown rule 'best_guess'"),
            std::string::npos);
  EXPECT_NE(ErrorFor("evidence: {runs: runs, contest: contest.db}", "evidence: {contest: contest.db}")
                .find("evidence.runs: rubric item 'bench' needs benchmark results"),
            std::string::npos);
  EXPECT_NE(ErrorFor("  - {name: b}", "  - {name: a}").find("duplicate team name"), std::string::npos);
}

}  // namespace
}  // namespace kaieval::stage
