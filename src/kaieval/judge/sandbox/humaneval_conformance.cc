// Conformance: the HumanEval loader and the sandbox against the real excerpt
// humaneval_sample.jsonl (in KAIEVAL_SHARED_DATA, else the build's default ../shared/data).
// Skipped when the file is absent. Every canonical solution must pass; broken ones must fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "kaieval/judge/sandbox/code_problem.h"
#include "kaieval/judge/sandbox/sandbox.h"

namespace kaieval::sandbox {
namespace {

namespace fs = std::filesystem;

fs::path SampleFile() {
  for (const char* var : {"KAIEVAL_SHARED_DATA", "KAIEVAL_SHARED_DATA_DEFAULT"}) {
    const char* dir = ::getenv(var);
    if (dir != nullptr && *dir != '\0') return fs::path(dir) / "humaneval_sample.jsonl";
  }
  return {};
}

class HumanEvalSample : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = SampleFile();
    if (file_.empty() || !fs::exists(file_)) {
      GTEST_SKIP() << "humaneval_sample.jsonl not found (set KAIEVAL_SHARED_DATA)";
    }
    problems_ = LoadCodeProblems(file_);
    std::cout << "[sandbox] isolation active: " << IsolationName(sandbox_.isolation()) << "\n";
  }
  std::vector<RunResult> RunWith(const std::function<std::string(const CodeProblem&)>& completion) {
    std::vector<Program> programs;
    for (const auto& p : problems_) {
      programs.push_back(PythonProgram(BuildProgram(p.prompt, completion(p), CheckCode(p))));
    }
    return RunAll(sandbox_, programs, 2);
  }
  fs::path file_;
  std::vector<CodeProblem> problems_;
  Sandbox sandbox_{SandboxOptions{.allow_process_only = true}};
};

TEST_F(HumanEvalSample, LoadsEveryRowWithItsFields) {
  ASSERT_EQ(problems_.size(), 12u);
  EXPECT_EQ(problems_[0].task_id, "HumanEval/0");
  EXPECT_EQ(problems_[0].entry_point, "has_close_elements");
  for (const auto& p : problems_) {
    EXPECT_THAT(p.prompt, ::testing::HasSubstr("def " + p.entry_point)) << p.task_id;
    EXPECT_THAT(p.test, ::testing::HasSubstr("def check(candidate)")) << p.task_id;
  }
}

TEST_F(HumanEvalSample, EveryCanonicalSolutionPasses) {
  auto results = RunWith([](const CodeProblem& p) { return p.canonical_solution; });
  for (size_t i = 0; i < problems_.size(); ++i) {
    EXPECT_TRUE(results[i].succeeded())
        << problems_[i].task_id << ": " << TerminationName(results[i].termination) << " "
        << results[i].exit_code << "\n"
        << results[i].stderr_text;
  }
}

TEST_F(HumanEvalSample, BrokenSolutionsFail) {
  // An empty body returns None; a canonical solution with its last line cut (the return) is
  // wrong or not even Python; an endless loop times out.
  auto empty = RunWith([](const CodeProblem&) { return std::string("    pass\n"); });
  auto cut = RunWith([](const CodeProblem& p) {
    std::string s = p.canonical_solution;
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s.substr(0, s.rfind('\n') + 1) + "    return None\n";
  });
  for (size_t i = 0; i < problems_.size(); ++i) {
    EXPECT_FALSE(empty[i].succeeded()) << problems_[i].task_id;
    EXPECT_FALSE(cut[i].succeeded()) << problems_[i].task_id;
  }
  Limits quick;
  quick.wall_seconds = 1;
  const CodeProblem& p = problems_[0];
  RunResult loop = sandbox_.Run(PythonProgram(
      BuildProgram(p.prompt, "    while True:\n        pass\n", CheckCode(p)), quick));
  EXPECT_EQ(loop.termination, Termination::kTimedOut);
}

}  // namespace
}  // namespace kaieval::sandbox
