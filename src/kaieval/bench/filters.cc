#include "kaieval/bench/filters.h"

#include <re2/re2.h>
#include <utf8proc.h>

#include <array>
#include <cstdlib>
#include <deque>
#include <set>

#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace kaieval::bench {
namespace {

constexpr std::string_view kDefaultPattern = "#### (\\-?[0-9\\.\\,]+)";  // lm-eval's default

struct FunctionName {
  std::string_view name;
  FilterFunction kind;
  std::string_view keys;  // the keys besides `function`, for validation and error messages
};

constexpr std::array<FunctionName, 7> kFunctions = {{
    {"regex", FilterFunction::kRegex, "regex_pattern, group_select, fallback, ignore_case"},
    {"take_first", FilterFunction::kTakeFirst, ""},
    {"strip", FilterFunction::kStrip, ""},
    {"lowercase", FilterFunction::kLowercase, ""},
    {"normalize", FilterFunction::kNormalize, kMatchOptionKeys},
    {"remove_whitespace", FilterFunction::kRemoveWhitespace, ""},
    {"last_number", FilterFunction::kLastNumber, "fallback"},
}};

std::string FunctionList() {
  std::string out;
  for (const auto& f : kFunctions) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

std::string ReadString(const YAML::Node& value, const std::string& where) {
  if (!value.IsScalar()) throw InputError(where + ": expected a string");
  return value.Scalar();
}

int64_t ReadInt(const YAML::Node& value, const std::string& where) {
  try {
    if (value.IsScalar()) return value.as<int64_t>();
  } catch (const YAML::Exception&) {
  }
  throw InputError(where + ": expected an integer");
}

bool ReadBool(const YAML::Node& value, const std::string& where) {
  try {
    if (value.IsScalar()) return value.as<bool>();
  } catch (const YAML::Exception&) {
  }
  throw InputError(where + ": expected true or false");
}

std::string KeyOf(const YAML::const_iterator::value_type& kv) {
  return kv.first.IsScalar() ? kv.first.Scalar() : std::string("<non-scalar key>");
}

utf8proc_int32_t ToLower(utf8proc_int32_t cp, void*) { return utf8proc_tolower(cp); }

std::string Lowercase(std::string_view s) {
  utf8proc_uint8_t* result = nullptr;
  auto n = utf8proc_map_custom(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                               static_cast<utf8proc_ssize_t>(s.size()), &result,
                               static_cast<utf8proc_option_t>(0), &ToLower, nullptr);
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(result, &std::free);
  if (n < 0) return std::string(s);  // invalid UTF-8: leave the bytes as they are
  return std::string(reinterpret_cast<const char*>(result), static_cast<size_t>(n));
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsNumberChar(char c) { return (c >= '0' && c <= '9') || c == ',' || c == '.'; }

// The text findall reports for one match: see RegexExtract. nullopt when the pattern has several
// groups and all are empty (lm-eval raises there; we use the fallback).
std::optional<std::string_view> SelectGroup(const std::vector<re2::StringPiece>& sub) {
  if (sub.size() == 1) return std::string_view(sub[0].data(), sub[0].size());
  if (sub.size() == 2) return std::string_view(sub[1].data(), sub[1].size());
  for (size_t g = 1; g < sub.size(); ++g) {
    if (!sub[g].empty()) return std::string_view(sub[g].data(), sub[g].size());
  }
  return std::nullopt;
}

std::string Finish(std::optional<std::string_view> selected, std::string_view fallback) {
  return selected ? std::string(TrimWhitespace(*selected)) : std::string(fallback);
}

}  // namespace

std::string RegexExtract(const re2::RE2& re, std::string_view text, int64_t group_select,
                         std::string_view fallback) {
  if (text.data() == nullptr) text = std::string_view("", 0);
  std::vector<re2::StringPiece> sub(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
  re2::StringPiece input(text.data(), text.size());
  // For a negative index only the last |group_select| matches are kept.
  uint64_t keep = group_select < 0 ? static_cast<uint64_t>(-(group_select + 1)) + 1 : 0;
  std::deque<std::optional<std::string_view>> recent;
  uint64_t count = 0;
  size_t pos = 0;
  while (pos <= text.size() && re.Match(input, pos, text.size(), re2::RE2::UNANCHORED, sub.data(),
                                        static_cast<int>(sub.size()))) {
    auto selected = SelectGroup(sub);
    if (group_select >= 0 && count == static_cast<uint64_t>(group_select)) {
      return Finish(selected, fallback);
    }
    if (keep > 0) {
      recent.push_back(selected);
      if (recent.size() > keep) recent.pop_front();
    }
    ++count;
    size_t end = static_cast<size_t>(sub[0].data() - text.data()) + sub[0].size();
    if (!sub[0].empty()) {
      pos = end;  // Python also allows an empty match right after a non-empty one
    } else if (end >= text.size()) {
      break;
    } else {  // step over one code point so that an empty match is not found again
      utf8proc_int32_t cp;
      auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + end),
                                static_cast<utf8proc_ssize_t>(text.size() - end), &cp);
      pos = end + (n > 0 ? static_cast<size_t>(n) : 1);
    }
  }
  if (keep > 0 && recent.size() == keep) return Finish(recent.front(), fallback);
  return std::string(fallback);
}

std::optional<std::string> LastNumber(std::string_view text) {
  std::string s = NormalizeNfkc(text);
  std::optional<std::string> last;
  for (size_t i = 0; i < s.size();) {
    if (s[i] < '0' || s[i] > '9') {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && IsNumberChar(s[i])) ++i;
    std::string_view run(s.data() + start, i - start);
    while (run.back() == '.' || run.back() == ',') run.remove_suffix(1);
    if (!ParseNumber(run)) continue;
    std::string number;
    bool minus = start > 0 && s[start - 1] == '-' && (start == 1 || !IsAsciiAlnum(s[start - 2]));
    if (minus) number += '-';
    for (char c : run) {
      if (c != ',') number += c;
    }
    last = std::move(number);
  }
  return last;
}

Filter Filter::Parse(const YAML::Node& node, std::string_view where_view) {
  std::string where(where_view);
  if (!node.IsMap()) throw InputError(where + ": expected a map with a `function` key");
  const YAML::Node function = node["function"];
  if (!function || !function.IsScalar()) {
    throw InputError(where + ".function: missing; expected one of: " + FunctionList());
  }
  Filter f;
  f.function = function.Scalar();
  const FunctionName* spec = nullptr;
  for (const auto& candidate : kFunctions) {
    if (candidate.name == f.function) spec = &candidate;
  }
  if (spec == nullptr) {
    throw InputError(where + ".function: unknown filter '" + f.function +
                     "'; expected one of: " + FunctionList());
  }
  f.kind = spec->kind;

  std::string pattern(kDefaultPattern);
  bool ignore_case = false;
  for (const auto& kv : node) {
    std::string key = KeyOf(kv);
    if (key == "function") continue;
    std::string at = where + "." + key;
    bool known = true;
    if (f.kind == FilterFunction::kRegex && key == "regex_pattern") {
      pattern = ReadString(kv.second, at);
    } else if (f.kind == FilterFunction::kRegex && key == "group_select") {
      f.group_select = ReadInt(kv.second, at);
    } else if (f.kind == FilterFunction::kRegex && key == "ignore_case") {
      ignore_case = ReadBool(kv.second, at);
    } else if ((f.kind == FilterFunction::kRegex || f.kind == FilterFunction::kLastNumber) &&
               key == "fallback") {
      f.fallback = ReadString(kv.second, at);
    } else {
      known =
          f.kind == FilterFunction::kNormalize && ReadMatchOption(key, kv.second, at, &f.options);
    }
    if (!known) {
      throw InputError(at + ": unknown key for filter '" + f.function + "'; " +
                       (spec->keys.empty() ? std::string("it takes no options")
                                           : "expected: " + std::string(spec->keys)));
    }
  }
  if (f.kind == FilterFunction::kRegex) {
    f.regex = CompileTaskRegex(pattern, where + ".regex_pattern", ignore_case);
  }
  return f;
}

std::string Filter::ApplyOne(std::string_view response) const {
  switch (kind) {
    case FilterFunction::kRegex:
      return RegexExtract(*regex, response, group_select, fallback);
    case FilterFunction::kStrip:
    case FilterFunction::kRemoveWhitespace:
      return std::string(TrimWhitespace(response));
    case FilterFunction::kLowercase:
      return Lowercase(response);
    case FilterFunction::kNormalize:
      return NormalizeForMatch(response, options);
    case FilterFunction::kLastNumber:
      return LastNumber(response).value_or(fallback);
    case FilterFunction::kTakeFirst:
      break;
  }
  return std::string(response);
}

FilterPipeline FilterPipeline::Parse(const YAML::Node& node, std::string_view where_view) {
  std::string where(where_view);
  if (!node.IsMap()) throw InputError(where + ": expected a map with `name` and `filter`");
  FilterPipeline p;
  for (const auto& kv : node) {
    std::string key = KeyOf(kv);
    if (key != "name" && key != "filter") {
      throw InputError(where + "." + key + ": unknown key; expected: name, filter");
    }
  }
  const YAML::Node name = node["name"];
  if (!name || !name.IsScalar() || name.Scalar().empty()) {
    throw InputError(where + ".name: expected a non-empty string");
  }
  p.name_ = name.Scalar();
  const YAML::Node steps = node["filter"];
  if (!steps || !steps.IsSequence() || steps.size() == 0) {
    throw InputError(where + ".filter: expected a non-empty list of {function: ...}");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    p.filters_.push_back(Filter::Parse(steps[i], where + ".filter[" + std::to_string(i) + "]"));
  }
  return p;
}

FilterPipeline FilterPipeline::None() {
  FilterPipeline p;
  p.name_ = "none";
  return p;
}

std::vector<std::string> FilterPipeline::Apply(std::vector<std::string> responses) const {
  for (const auto& f : filters_) {
    if (f.kind == FilterFunction::kTakeFirst) {
      if (responses.size() > 1) responses.resize(1);
      continue;
    }
    for (auto& r : responses) r = f.ApplyOne(r);
  }
  return responses;
}

std::vector<FilterPipeline> ParseFilterList(const YAML::Node& filter_list,
                                            std::string_view where_view) {
  std::string where(where_view);
  if (!filter_list.IsDefined() || filter_list.IsNull()) return {FilterPipeline::None()};
  if (!filter_list.IsSequence()) {
    throw InputError(where + ": expected a list of {name: ..., filter: [...]}");
  }
  if (filter_list.size() == 0) return {FilterPipeline::None()};
  std::vector<FilterPipeline> out;
  std::set<std::string> names;
  for (size_t i = 0; i < filter_list.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    out.push_back(FilterPipeline::Parse(filter_list[i], at));
    if (!names.insert(out.back().name()).second) {
      throw InputError(at + ".name: '" + out.back().name() + "' is used by an earlier filter");
    }
  }
  return out;
}

}  // namespace kaieval::bench
