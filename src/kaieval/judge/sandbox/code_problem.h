// CodeProblem: one HumanEval-style problem (task_id, prompt, canonical_solution, test,
// entry_point) from a JSONL file, and the program that checks a completion of it. The
// conformance test and the tools that check a problem set call these; the bench engine builds
// the same program from a task's templates (docs/sandbox.md).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kaieval::sandbox {

struct CodeProblem {
  std::string task_id;
  std::string prompt;              // imports, signature and docstring
  std::string canonical_solution;  // the body that completes the prompt
  std::string test;                // defines check(candidate)
  std::string entry_point;         // the function check() is called with
};

// One problem per non-blank line. Every field must be a string; entry_point a Python
// identifier. Throws InputError naming `origin`, the line and the field.
std::vector<CodeProblem> ParseCodeProblems(std::string_view jsonl, std::string_view origin);
std::vector<CodeProblem> LoadCodeProblems(const std::filesystem::path& file);

// The code after the completion: the test and the call of check on the entry point.
std::string CheckCode(const CodeProblem& problem);

// prompt + completion, then the checking code on lines of its own. A program exits 0 exactly
// when every assertion of the test holds.
std::string BuildProgram(std::string_view prompt, std::string_view completion,
                         std::string_view check_code);

}  // namespace kaieval::sandbox
