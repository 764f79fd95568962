// libFuzzer target: HumanEval-style JSONL, as evaluators bring it. Only InputError may come out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kaieval/common/error.h"
#include "kaieval/judge/sandbox/code_problem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto problems = kaieval::sandbox::ParseCodeProblems(text, "fuzz.jsonl");
    for (const auto& p : problems) {
      (void)kaieval::sandbox::BuildProgram(p.prompt, p.canonical_solution,
                                           kaieval::sandbox::CheckCode(p));
    }
  } catch (const kaieval::InputError&) {
  }
  return 0;
}
