#include "kaieval/stage/originality.h"

#include <gtest/gtest.h>

#include <fstream>

#include "kaieval/common/testing.h"
#include "kaieval/stage/stage_run.h"

namespace kaieval::stage {
namespace {

using testing::InputErrorMessage;
using testing::ScratchDir;

// Three teams on one recorded value; a and c are "first" on points, b second.
void WriteStage(const std::filesystem::path& dir, const std::string& gates) {
  std::ofstream(dir / "stage.yaml") << "name: originality test\nbootstrap: 10\nselection: {advance: 2}\n"
                                       "teams: [{name: a}, {name: b}, {name: c}]\n"
                                       "rubric:\n  id: total\n  points: 100\n  items:\n"
                                       "    - {id: v, points: 100, evidence: {value: {a: 0.9, b: 0.5, c: 0.8}},"
                                       " rule: {linear: {floor: 0, ceiling: 1}}}\n"
                                    << gates;
}

void WriteOrigin(const std::filesystem::path& path, const std::string& verdict) {
  std::ofstream(path) << R"({"kind": "kaieval-origin-report", "version": 1, "candidate": "x", "verdict": ")"
                      << verdict << R"(", "derived": [{"component": "vision", "reference": "ref", "median_z": 40.0}],
      "null": {"used": "analytic"}, "components": [{"component": "vision", "verdict": ")" << verdict << R"("}],
      "references": [{"reference": "ref", "verdict": ")" << verdict << R"(", "compared_fraction": 1.0,
                      "components": [], "heatmap": [], "tensors": [{"name": "t"}]}]})";
}

TEST(Originality, AReportsVerdictDecidesTheGate) {
  ScratchDir dir("originality");
  WriteOrigin(dir.path() / "a.json", "derived");
  WriteOrigin(dir.path() / "b.json", "original");
  WriteOrigin(dir.path() / "c.json", "inconclusive");
  WriteStage(dir.path(), "gates:\n  originality: {reports: {a: a.json, b: b.json, c: c.json}}\n");
  const StageRun run = RunStage((dir.path() / "stage.yaml").string());
  EXPECT_FALSE(run.gates[0]);  // derived: cut although it has the most points
  EXPECT_TRUE(run.gates[1]);
  EXPECT_TRUE(run.gates[2]);   // inconclusive passes, with a note for the committee
  EXPECT_TRUE(run.decision.selection.advances[1]);
  EXPECT_TRUE(run.decision.selection.advances[2]);
  EXPECT_EQ(run.decision.p_advance[0], 0);
  ASSERT_EQ(run.originality.notes.size(), 1u);
  EXPECT_NE(run.originality.notes[0].find("c is inconclusive"), std::string::npos);
  const auto report = StageReportJson(run);
  EXPECT_EQ(report["originality"][0]["gate"], "fail");
  EXPECT_EQ(report["originality"][0]["source"], "report");
  EXPECT_EQ(report["originality"][0]["evidence"]["derived"][0]["component"], "vision");
  EXPECT_FALSE(report["originality"][0]["evidence"]["references"][0].contains("tensors"));
  bool hashed = false;
  for (const auto& e : report["evidence"]) hashed |= e["path"].get<std::string>().ends_with("a.json");
  EXPECT_TRUE(hashed) << "the origin report is not among the hashed evidence";
}

TEST(Originality, AnOverrideWinsAndIsShownWithItsReason) {
  ScratchDir dir("originality_override");
  WriteOrigin(dir.path() / "a.json", "derived");
  WriteStage(dir.path(), "gates:\n  originality: {reports: {a: a.json}}\n"
                         "overrides: [{team: a, gate: originality, decision: pass, reason: licensed encoder}]\n");
  const StageRun run = RunStage((dir.path() / "stage.yaml").string());
  EXPECT_TRUE(run.gates[0]);
  const auto report = StageReportJson(run);
  EXPECT_EQ(report["originality"][0]["source"], "override");
  EXPECT_EQ(report["originality"][0]["override_reason"], "licensed encoder");
}

TEST(Originality, BadReportsAreRefusedNamingTheField) {
  ScratchDir dir("originality_bad");
  std::ofstream(dir.path() / "other.json") << R"({"results": {}})";
  WriteStage(dir.path(), "gates:\n  originality: {reports: {a: other.json}}\n");
  EXPECT_NE(InputErrorMessage([&] { RunStage((dir.path() / "stage.yaml").string()); })
                .find("gates.originality.reports.a: "),
            std::string::npos);
  WriteStage(dir.path(), "gates:\n  originality: {reports: {a: missing.json}}\n");
  EXPECT_NE(InputErrorMessage([&] { RunStage((dir.path() / "stage.yaml").string()); }).find("missing.json"),
            std::string::npos);
  WriteStage(dir.path(), "gates:\n  originality: {verdicts: {a: pass}, reports: {a: other.json}}\n");
  EXPECT_NE(InputErrorMessage([&] { LoadStageConfig(dir.path() / "stage.yaml"); }).find("keep one"),
            std::string::npos);
  WriteStage(dir.path(), "gates:\n  originality: {reports: {zed: other.json}}\n");
  EXPECT_NE(InputErrorMessage([&] { LoadStageConfig(dir.path() / "stage.yaml"); }).find("unknown team"),
            std::string::npos);
}

}  // namespace
}  // namespace kaieval::stage
