#include "kaieval/judge/sandbox/code_problem.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"

namespace kaieval::sandbox {
namespace {

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::vector<CodeProblem> ParseCodeProblems(std::string_view jsonl, std::string_view origin) {
  std::vector<CodeProblem> out;
  size_t line_no = 0, pos = 0;
  while (pos < jsonl.size()) {
    size_t end = jsonl.find('\n', pos);
    if (end == std::string_view::npos) end = jsonl.size();
    std::string_view line = jsonl.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::string where = fmt::format("{}:{}", origin, line_no);
    nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded()) throw InputError(where + ": not valid JSON");
    if (!row.is_object()) throw InputError(where + ": expected a JSON object");
    auto field = [&](const char* name) {
      auto it = row.find(name);
      if (it == row.end()) throw InputError(fmt::format("{}: field '{}' is missing", where, name));
      if (!it->is_string())
        throw InputError(fmt::format("{}: field '{}': expected a string", where, name));
      return it->get<std::string>();
    };
    CodeProblem p{field("task_id"), field("prompt"), field("canonical_solution"), field("test"),
                  field("entry_point")};
    if (!IsIdentifier(p.entry_point)) {
      throw InputError(fmt::format("{}: field 'entry_point': '{}' is not a Python identifier",
                                   where, p.entry_point));
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<CodeProblem> LoadCodeProblems(const std::filesystem::path& file) {
  return ParseCodeProblems(ReadFileBytes(file), file.string());
}

std::string CheckCode(const CodeProblem& problem) {
  return problem.test + "\n\ncheck(" + problem.entry_point + ")";
}

std::string BuildProgram(std::string_view prompt, std::string_view completion,
                         std::string_view check_code) {
  std::string program;
  program.reserve(prompt.size() + completion.size() + check_code.size() + 4);
  program.append(prompt).append(completion).append("\n\n").append(check_code).append("\n");
  return program;
}

}  // namespace kaieval::sandbox
