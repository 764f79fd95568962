// Response filters: a task's `filter_list` (lm-eval field names and semantics) that turns a
// model's raw generations into the answers the metrics compare. The task loader parses them
// (task_spec.cc); the runner applies them, from many threads at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/bench/text_match.h"

namespace re2 {
class RE2;
}

namespace kaieval::bench {

enum class FilterFunction {
  kRegex,             // regex_pattern, group_select, fallback, ignore_case
  kTakeFirst,         // keeps only the first response
  kStrip,             // Unicode whitespace off both ends
  kLowercase,         // per-code-point Unicode lowercase
  kNormalize,         // NormalizeForMatch; keys as in MatchOptions
  kRemoveWhitespace,  // lm-eval's remove_whitespace: strips both ends (it does not touch inner
                      // spaces; older lm-eval removed one leading space only)
  kLastNumber,        // the last number in the text, separators removed; fallback when none
};

// One step of a pipeline, parsed and compiled. Immutable once parsed.
struct Filter {
  std::string function;  // as written in the task file
  FilterFunction kind = FilterFunction::kTakeFirst;
  std::shared_ptr<const re2::RE2> regex;  // kRegex
  int64_t group_select = 0;               // kRegex: Python index into the matches (-1 the last)
  std::string fallback = "[invalid]";     // kRegex, kLastNumber: the answer when nothing matches
  MatchOptions options;                   // kNormalize

  // One entry of a pipeline's `filter` list. Throws InputError naming `where` (and the key).
  static Filter Parse(const YAML::Node& node, std::string_view where);

  // This step on one response. Not for kTakeFirst, which acts on the whole list.
  std::string ApplyOne(std::string_view response) const;
};

// A named sequence of filters: maps the responses of one request (one per repeat) to the
// filtered responses. Apply is const and thread-safe.
class FilterPipeline {
 public:
  // One entry of filter_list: {name: ..., filter: [{function: ..., ...}, ...]}.
  static FilterPipeline Parse(const YAML::Node& node, std::string_view where);
  // lm-eval's default pipeline, "none": responses unchanged.
  static FilterPipeline None();

  const std::string& name() const { return name_; }
  const std::vector<Filter>& filters() const { return filters_; }
  std::vector<std::string> Apply(std::vector<std::string> responses) const;

 private:
  std::string name_;
  std::vector<Filter> filters_;
};

// A task's filter_list; absent (null) gives {None()}. Names must be unique. `where` names the
// filter_list key; entries are reported as where[i].
std::vector<FilterPipeline> ParseFilterList(const YAML::Node& filter_list, std::string_view where);

// lm-eval's regex filter on one response: Python re.findall semantics (all non-overlapping
// matches; a match is the whole match when the pattern has no group, group 1 when it has one, the
// first non-empty group when it has several), the group_select-th of them (negative counts from
// the end), stripped of whitespace; `fallback` when there is no such match.
std::string RegexExtract(const re2::RE2& re, std::string_view text, int64_t group_select,
                         std::string_view fallback);

// The last number in `text` (after NFKC): digits with optional "," groups of three and an
// optional decimal part, with a "-" sign when one directly precedes it (and does not follow a
// letter or digit, so "3-5" gives "5"). Returned without separators ("$1,234." gives "1234");
// runs that are not a well-formed number ("1,80", "1.2.3") are skipped. nullopt when none.
std::optional<std::string> LastNumber(std::string_view text);

}  // namespace kaieval::bench
