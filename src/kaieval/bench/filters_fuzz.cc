// libFuzzer target: any regex pattern a task file may carry and any model response give a
// filtered answer or an InputError, never a crash; normalisation keeps its invariants.
// Input: flags byte, group_select byte, then pattern NUL text (no NUL: the text is the pattern).
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kaieval/bench/filters.h"
#include "kaieval/bench/metrics.h"
#include "kaieval/bench/text_match.h"
#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace {

using kaieval::InputError;
using namespace kaieval::bench;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

YAML::Node Pipeline(uint8_t flags, int group_select, const std::string& pattern) {
  YAML::Node regex;
  regex["function"] = "regex";
  regex["regex_pattern"] = pattern;
  regex["group_select"] = group_select;
  regex["fallback"] = "[invalid]";
  regex["ignore_case"] = (flags & 1) != 0;
  YAML::Node steps;
  if (flags & 2) steps.push_back(YAML::Load("{function: strip}"));
  steps.push_back(regex);
  if (flags & 4) {
    YAML::Node normalize;
    normalize["function"] = "normalize";
    normalize["ignore_case"] = (flags & 8) != 0;
    normalize["ignore_punctuation"] = (flags & 16) != 0;
    normalize["regexes_to_ignore"].push_back(pattern);
    steps.push_back(normalize);
  }
  if (flags & 32) steps.push_back(YAML::Load("{function: lowercase}"));
  if (flags & 64) steps.push_back(YAML::Load("{function: take_first}"));
  YAML::Node entry;
  entry["name"] = "fuzz";
  entry["filter"] = steps;
  return entry;
}

// NormalizeForMatch's output: valid UTF-8, trimmed, single spaces.
void CheckNormalized(const std::string& s) {
  Check(kaieval::IsValidUtf8(s));
  Check(s.empty() || (s.front() != ' ' && s.back() != ' '));
  Check(s.find("  ") == std::string::npos);
}

void FuzzTextMatch(uint8_t flags, const std::string& pattern, const std::string& text) {
  MatchOptions o;
  o.ignore_case = flags & 1;
  o.ignore_punctuation = flags & 2;
  o.ignore_numbers = flags & 4;
  CheckNormalized(NormalizeForMatch(text, o));
  Check(ExactMatch(text, text, o) == 1.0);
  double f1 = TokenF1(text, pattern, o);
  Check(f1 >= 0.0 && f1 <= 1.0);
  ParseNumber(text);
  if (auto n = LastNumber(text)) Check(ParseNumber(*n).has_value());
  o.regexes_to_ignore = {pattern};
  try {
    CheckNormalized(NormalizeForMatch(text, o));
    ExactMatch(text, pattern, o);
  } catch (const InputError&) {
  }
}

void FuzzYaml(const std::string& document) {
  YAML::Node node;
  try {
    node = YAML::Load(document);
  } catch (const YAML::Exception&) {
    return;
  }
  try {
    for (const auto& p : ParseFilterList(node, "fuzz")) p.Apply({document});
  } catch (const InputError&) {
  }
  try {
    ParseMetricSpec(node, OutputType::kGenerateUntil, "fuzz");
  } catch (const InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t flags = data[0];
  int group_select = static_cast<int8_t>(data[1]);
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  size_t nul = rest.find('\0');
  std::string pattern(rest.substr(0, nul));
  std::string text(nul == std::string_view::npos ? rest : rest.substr(nul + 1));

  if (flags & 128) {
    FuzzYaml(pattern);
    return 0;
  }
  FuzzTextMatch(flags, pattern, text);
  try {
    auto pipeline = FilterPipeline::Parse(Pipeline(flags, group_select, pattern), "fuzz");
    auto out = pipeline.Apply({text, pattern});
    Check(out.size() == ((flags & 64) ? 1u : 2u));
  } catch (const InputError&) {
  }
  return 0;
}
