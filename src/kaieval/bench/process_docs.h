// The declared per-document transforms a task may list under `process_docs` in its YAML, in
// place of lm-evaluation-harness's Python hook. The task loader parses them (ParseProcessDocs);
// the runner applies them to every Document in order (ApplyProcessDocs).
//
//   process_docs:
//     - parse_list: choices                        # "['a', 'b']" or '["a","b"]' -> ["a","b"]
//     - columns_to_list: {columns: [A, B, C, D], into: choices}
//     - rename: {from: old, to: new}
//     - to_int: answer                             # "3" -> 3 (also "3.0"; "x" is an error)
//     - add: {column: answer, value: -1}           # integer add, e.g. 1-based -> 0-based
//     - strip: question                            # trim leading/trailing Unicode whitespace
//     - index_of: {column: answer, in: choices, into: label}  # position of answer in choices
//     - regex_extract: {column: answer, pattern: "#### (.*)", into: target}  # first match
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/bench/dataset.h"
#include "kaieval/bench/list_literal.h"

namespace re2 {
class RE2;
}

namespace kaieval::bench {

struct ProcessStep {
  std::string op;  // one of KnownProcessOps()
  // Normalised arguments, whatever shorthand the YAML used:
  //   parse_list       {"column", "into"}        (into defaults to column)
  //   columns_to_list  {"columns": [...], "into"}
  //   rename           {"from", "to"}
  //   to_int, strip    {"columns": [...]}        (YAML: a column, a list, or {column|columns})
  //   add              {"column", "value": int}
  //   index_of         {"column", "in", "into"} (into defaults to column)
  //   regex_extract    {"column", "pattern", "into"} (into defaults to column)
  nlohmann::json args;
  std::string where;                      // "task.yaml:12", the step's line, for error messages
  std::shared_ptr<const re2::RE2> regex;  // regex_extract: compiled once, when parsed
};

// The op names, for documentation and error messages.
std::span<const std::string_view> KnownProcessOps();

// Parses a `process_docs` YAML sequence (a null node gives no steps). `where` names the YAML
// file; each step's where adds the step's line. Throws InputError naming the step's line for an
// unknown op (listing the known ones), a Python `!function` hook, or malformed arguments.
std::vector<ProcessStep> ParseProcessDocs(const YAML::Node& node, std::string_view where);

// Applies the steps in order. Throws InputError naming doc.origin, the step and the column when
// a column is missing or holds the wrong kind of value.
void ApplyProcessDocs(std::span<const ProcessStep> steps, Document& doc);

}  // namespace kaieval::bench
