// pass_at_k in the engine: parsing, the programs built from a task, and scoring from the runs.
// The sandbox itself is tested in judge/sandbox; here the runs are given.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "kaieval/bench/evaluator.h"
#include "kaieval/bench/task_spec.h"
#include "kaieval/common/testing.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::InputErrorMessage;

class CodeMetricTest : public ::testing::Test {
 protected:
  CodeMetricTest() : dir_("code_metric") {
    std::ofstream(dir_.path() / "code.jsonl")
        << R"({"task_id": "c/0", "prompt": "def f(x):\n", "test": "def check(g):\n    assert g(1) == 2\n", "entry_point": "f", "canonical_solution": "    return x + 1\n"})"
        << "\n"
        << R"({"task_id": "c/1", "prompt": "def h():\n", "test": "def check(g):\n    assert g() == 0\n", "entry_point": "h", "canonical_solution": "    return 0\n"})"
        << "\n";
  }
  fs::path Write(const std::string& yaml) {
    std::ofstream(dir_.path() / "task.yaml") << yaml;
    return dir_.path() / "task.yaml";
  }
  TaskSpec Task(const std::string& extra) {
    return LoadTaskSpec(
        Write("task: code\ntest_split: code.jsonl\ndoc_to_text: prompt\ndoc_to_target: "
              "canonical_solution\ngeneration_kwargs: {until: [\"\\ndef\"], temperature: 0.8}\n" +
              extra));
  }
  testing::ScratchDir dir_;
};

std::vector<std::string> Names(const TaskSpec& spec) {
  std::vector<std::string> names;
  for (const auto& m : spec.metrics) names.push_back(m.info.name);
  return names;
}

TEST_F(CodeMetricTest, EachKIsItsOwnReportedMetric) {
  TaskSpec spec = Task("repeats: 4\nmetric_list:\n  - metric: pass_at_k\n    k: [1, 2]\n");
  EXPECT_THAT(Names(spec), ElementsAre("pass@1", "pass@2"));
  EXPECT_EQ(spec.repeats, 4);
  ASSERT_NE(spec.code_metric(), nullptr);
  EXPECT_EQ(spec.code_metric()->check.text(), "{{test}}\n\ncheck({{entry_point}})");
  EXPECT_EQ(spec.code_metric()->timeout_seconds, 10);
  EXPECT_TRUE(spec.metrics[0].info.higher_is_better);
  TaskSpec one = Task("metric_list:\n  - metric: pass_at_k\n    timeout: 2.5\n");
  EXPECT_THAT(Names(one), ElementsAre("pass@1"));
  EXPECT_EQ(one.code_metric()->timeout_seconds, 2.5);
  EXPECT_EQ(Task("metric_list:\n  - metric: exact_match\n").code_metric(), nullptr);
}

TEST_F(CodeMetricTest, BadSettingsNameTheField) {
  auto error = [&](const std::string& extra) { return InputErrorMessage([&] { Task(extra); }); };
  EXPECT_THAT(error("repeats: 2\nmetric_list:\n  - metric: pass_at_k\n    k: [1, 5]\n"),
              HasSubstr("metric_list[0].k: pass@5 needs at least 5 generations per document; "
                        "set repeats: 5 or more (now 2)"));
  EXPECT_THAT(error("repeats: 3\nmetric_list:\n  - metric: exact_match\n"),
              HasSubstr("repeats: more than one generation per document needs a pass_at_k metric"));
  EXPECT_THAT(error("repeats: 0\n"), HasSubstr("repeats: expected a positive integer up to 10000"));
  EXPECT_THAT(error("metric_list:\n  - metric: pass_at_k\n    k: 0\n"),
              HasSubstr("metric_list[0].k: expected a positive integer"));
  EXPECT_THAT(error("metric_list:\n  - metric: pass_at_k\n    timeout: -1\n"),
              HasSubstr("metric_list[0].timeout: expected seconds"));
  EXPECT_THAT(error("metric_list:\n  - metric: pass_at_k\n    ignore_case: true\n"),
              HasSubstr("metric_list[0].ignore_case: unknown key for metric pass_at_k"));
  std::string mc = InputErrorMessage([&] {
    LoadTaskSpec(
        Write("task: c\ntest_split: code.jsonl\noutput_type: multiple_choice\n"
              "doc_to_text: prompt\ndoc_to_choice: [a, b]\ndoc_to_target: 0\n"
              "metric_list:\n  - metric: pass_at_k\n"));
  });
  EXPECT_THAT(mc, HasSubstr("unknown metric 'pass_at_k' for output_type multiple_choice"));
}

TEST_F(CodeMetricTest, ProgramsArePromptThenEachStoppedGenerationThenTheCheck) {
  PreparedTask task =
      Prepare(Task("repeats: 2\nmetric_list:\n  - metric: pass_at_k\n    k: [1, 2]\n"), {});
  ASSERT_EQ(task.instances.size(), 2u);
  Answers answers;
  answers.generations = {"    return x + 1\n\ndef other():\n", "    return x\n"};
  auto programs = CodePrograms(task, task.instances[0], answers);
  ASSERT_EQ(programs.size(), 2u);
  const std::string check = "def check(g):\n    assert g(1) == 2\n\n\ncheck(f)\n";
  EXPECT_EQ(programs[0], "def f(x):\n    return x + 1\n\n\n" + check);
  EXPECT_EQ(programs[1], "def f(x):\n    return x\n\n\n" + check);
}

TEST_F(CodeMetricTest, ScoresTheUnbiasedEstimatorFromTheRuns) {
  PreparedTask task =
      Prepare(Task("repeats: 4\nmetric_list:\n  - metric: pass_at_k\n    k: [1, 2]\n"), {});
  auto score = [&](size_t doc, std::vector<bool> passed) {
    Answers answers;
    answers.generations.assign(passed.size(), "    pass\n");
    for (bool p : passed) {
      answers.code_runs.push_back({p, p ? "passed" : "failed", p ? 0 : 1, 0.01, p ? "" : "E"});
    }
    return ScoreInstance(task, task.instances[doc], answers);
  };
  auto first = score(0, {true, false, false, true});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_DOUBLE_EQ(first[0].metrics["pass@1"].get<double>(), 0.5);
  // 1 - C(2,2)/C(4,2) = 1 - 1/6.
  EXPECT_NEAR(first[0].metrics["pass@2"].get<double>(), 5.0 / 6.0, 1e-15);
  ASSERT_EQ(first[0].execution.size(), 4u);
  EXPECT_EQ(first[0].execution[1]["status"], "failed");
  EXPECT_EQ(first[0].execution[0]["passed"], true);
  EXPECT_EQ(first[0].resps.size(), 4u);
  auto second = score(1, {false, false, false, false});
  EXPECT_EQ(second[0].metrics["pass@2"].get<double>(), 0.0);

  // The task's results: the mean over problems with its standard error.
  auto r = Aggregate(task, {first, second}, 1, 100);
  EXPECT_DOUBLE_EQ(r["pass@1,none"].get<double>(), 0.25);
  EXPECT_NEAR(r["pass@1_stderr,none"].get<double>(), 0.25, 1e-12);  // sd sqrt(1/8) / sqrt(2)
  EXPECT_NEAR(r["pass@2,none"].get<double>(), 5.0 / 12.0, 1e-12);
}

TEST_F(CodeMetricTest, MissingRunsAreABugNotAZeroScore) {
  PreparedTask task = Prepare(Task("metric_list:\n  - metric: pass_at_k\n"), {});
  Answers answers;
  answers.generation = "    return 0\n";
  EXPECT_THROW(ScoreInstance(task, task.instances[0], answers), std::logic_error);
}

}  // namespace
}  // namespace kaieval::bench
