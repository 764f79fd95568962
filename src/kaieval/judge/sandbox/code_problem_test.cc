#include "kaieval/judge/sandbox/code_problem.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "kaieval/common/testing.h"
#include "kaieval/judge/sandbox/sandbox.h"

namespace kaieval::sandbox {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::InputErrorMessage;

constexpr const char* kTwoProblems =
    R"({"task_id": "t/0", "prompt": "def double(x):\n", "canonical_solution": "    return 2 * x\n", "test": "def check(f):\n    assert f(2) == 4\n", "entry_point": "double"})"
    "\n\n"
    R"({"task_id": "t/1", "prompt": "def 인사():\n", "canonical_solution": "    return '안녕'\n", "test": "def check(f):\n    assert f() == '안녕'\n", "entry_point": "인사x", "extra": 1})"
    "\n";

TEST(CodeProblem, ParsesEveryFieldAndSkipsBlankLines) {
  std::string text = kTwoProblems;
  text.replace(text.find("인사x"), std::string("인사x").size(), "greet");
  auto problems = ParseCodeProblems(text, "two.jsonl");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].task_id, "t/0");
  EXPECT_EQ(problems[0].prompt, "def double(x):\n");
  EXPECT_EQ(problems[0].canonical_solution, "    return 2 * x\n");
  EXPECT_EQ(problems[0].entry_point, "double");
  EXPECT_EQ(problems[1].task_id, "t/1");
}

TEST(CodeProblem, BadRowsNameTheLineAndField) {
  EXPECT_EQ(InputErrorMessage([] { ParseCodeProblems(kTwoProblems, "p.jsonl"); }),
            "p.jsonl:3: field 'entry_point': '인사x' is not a Python identifier");
  EXPECT_EQ(InputErrorMessage([] { ParseCodeProblems("{\"task_id\": \"a\"}\n", "p.jsonl"); }),
            "p.jsonl:1: field 'prompt' is missing");
  EXPECT_EQ(
      InputErrorMessage([] { ParseCodeProblems(R"({"task_id": 7, "prompt": ""})", "p.jsonl"); }),
      "p.jsonl:1: field 'task_id': expected a string");
  EXPECT_EQ(InputErrorMessage([] { ParseCodeProblems("\n[1, 2]\n", "p.jsonl"); }),
            "p.jsonl:2: expected a JSON object");
  EXPECT_EQ(InputErrorMessage([] { ParseCodeProblems("{\"task_id\": ", "p.jsonl"); }),
            "p.jsonl:1: not valid JSON");
  EXPECT_THAT(InputErrorMessage([] { LoadCodeProblems("/nonexistent/he.jsonl"); }),
              HasSubstr("/nonexistent/he.jsonl"));
}

TEST(CodeProblem, TheProgramIsPromptCompletionTestAndCheck) {
  CodeProblem p{"t", "def f():\n", "    return 1\n", "def check(c):\n    assert c() == 1\n", "f"};
  EXPECT_EQ(CheckCode(p), "def check(c):\n    assert c() == 1\n\n\ncheck(f)");
  EXPECT_EQ(BuildProgram(p.prompt, p.canonical_solution, CheckCode(p)),
            "def f():\n    return 1\n\n\ndef check(c):\n    assert c() == 1\n\n\ncheck(f)\n");
}

// The project's own sample problems (tasks/code): each canonical solution passes in the
// sandbox, and an empty body fails each test.
TEST(CodeProblem, TheBuiltInSampleProblemsPassWithTheirSolutionsOnly) {
  fs::path file = fs::path(__FILE__).parent_path() / "../../../../tasks/code/code_ko_en.jsonl";
  auto problems = LoadCodeProblems(file);
  ASSERT_GE(problems.size(), 5u);
  Sandbox sandbox(SandboxOptions{.allow_process_only = true});
  std::vector<Program> good, empty;
  for (const auto& p : problems) {
    good.push_back(PythonProgram(BuildProgram(p.prompt, p.canonical_solution, CheckCode(p))));
    empty.push_back(PythonProgram(BuildProgram(p.prompt, "    pass\n", CheckCode(p))));
  }
  auto good_results = RunAll(sandbox, good, 2);
  auto empty_results = RunAll(sandbox, empty, 2);
  for (size_t i = 0; i < problems.size(); ++i) {
    EXPECT_TRUE(good_results[i].succeeded()) << problems[i].task_id << good_results[i].stderr_text;
    EXPECT_FALSE(empty_results[i].succeeded()) << problems[i].task_id;
    EXPECT_THAT(empty_results[i].stderr_text, HasSubstr("AssertionError")) << problems[i].task_id;
  }
}

}  // namespace
}  // namespace kaieval::sandbox
