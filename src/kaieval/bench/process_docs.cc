#include "kaieval/bench/process_docs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <re2/re2.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "kaieval/bench/text_match.h"
#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace kaieval::bench {
namespace {

constexpr std::array<std::string_view, 8> kOps = {
    "parse_list", "columns_to_list", "rename",   "to_int",
    "add",        "strip",           "index_of", "regex_extract"};

std::string Excerpt(std::string_view s) { return Utf8Excerpt(s, 60); }

// ---- process_docs YAML ----------------------------------------------------------------------

// `where` may carry the line of the process_docs key ("task.yaml:12: process_docs"); a step's
// where names the step's own line instead ("task.yaml:14: process_docs[1]").
std::string StepWhere(const YAML::Node& node, std::string_view where, size_t index) {
  YAML::Mark mark = node.Mark();
  std::string suffix = fmt::format("[{}]", index);
  if (mark.is_null()) return fmt::format("{}{}", where, suffix);
  std::string line = std::to_string(mark.line + 1);
  // Find ":<digits>" that ends `where` or is followed by ':'.
  for (size_t colon = where.find(':'); colon != std::string_view::npos;
       colon = where.find(':', colon + 1)) {
    size_t end = colon + 1;
    while (end < where.size() && where[end] >= '0' && where[end] <= '9') ++end;
    if (end == colon + 1 || (end < where.size() && where[end] != ':')) continue;
    std::string rest(where.substr(end));
    return fmt::format("{}:{}{}", where.substr(0, colon), line,
                       rest.empty() ? rest : rest + suffix);
  }
  size_t field = where.find(": ");
  if (field == std::string_view::npos) return fmt::format("{}:{}", where, line);
  return fmt::format("{}:{}{}{}", where.substr(0, field), line, where.substr(field), suffix);
}

class StepParser {
 public:
  StepParser(std::string op, std::string where) : op_(std::move(op)), where_(std::move(where)) {}

  [[noreturn]] void Fail(std::string_view expected) const {
    throw InputError(fmt::format("{}: {}: expected {}", where_, op_, expected));
  }

  std::string Name(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar() || n.Scalar().empty()) Fail(fmt::format("{} as a column name", what));
    return n.Scalar();
  }

  // A map with exactly the given required keys, plus optional ones.
  void CheckKeys(const YAML::Node& n, std::initializer_list<std::string_view> required,
                 std::initializer_list<std::string_view> optional, std::string_view example) const {
    if (!n.IsMap()) Fail(fmt::format("a map like {}", example));
    for (auto kv : n) {
      std::string key = kv.first.as<std::string>("");
      bool known = std::find(required.begin(), required.end(), key) != required.end() ||
                   std::find(optional.begin(), optional.end(), key) != optional.end();
      if (!known) Fail(fmt::format("a map like {}; unknown key '{}'", example, key));
    }
    for (std::string_view key : required) {
      if (!n[std::string(key)]) Fail(fmt::format("a map like {}; missing '{}'", example, key));
    }
  }

  nlohmann::json Columns(const YAML::Node& n) const {
    auto columns = nlohmann::json::array();
    if (n.IsSequence()) {
      for (auto c : n) columns.push_back(Name(c, "each list item"));
      if (columns.empty()) Fail("at least one column");
    } else {
      columns.push_back(Name(n, "a column, a list of columns or {columns: [...]}"));
    }
    return columns;
  }

  nlohmann::json Parse(const YAML::Node& a) const {
    if (op_ == "parse_list") {
      if (a.IsScalar()) return {{"column", Name(a, "a column")}, {"into", a.Scalar()}};
      CheckKeys(a, {"column"}, {"into"}, "{column: choices, into: choices}");
      std::string column = Name(a["column"], "'column'");
      return {{"column", column}, {"into", a["into"] ? Name(a["into"], "'into'") : column}};
    }
    if (op_ == "columns_to_list") {
      CheckKeys(a, {"columns", "into"}, {}, "{columns: [A, B, C, D], into: choices}");
      if (!a["columns"].IsSequence()) Fail("'columns' as a list of column names");
      return {{"columns", Columns(a["columns"])}, {"into", Name(a["into"], "'into'")}};
    }
    if (op_ == "rename") {
      CheckKeys(a, {"from", "to"}, {}, "{from: old, to: new}");
      return {{"from", Name(a["from"], "'from'")}, {"to", Name(a["to"], "'to'")}};
    }
    if (op_ == "to_int" || op_ == "strip") {
      if (!a.IsMap()) return {{"columns", Columns(a)}};
      if (a["column"]) {
        CheckKeys(a, {"column"}, {}, "{column: answer}");
        return {{"columns", Columns(a["column"])}};
      }
      CheckKeys(a, {"columns"}, {}, "{columns: [answer, label]}");
      return {{"columns", Columns(a["columns"])}};
    }
    if (op_ == "add") {
      CheckKeys(a, {"column", "value"}, {}, "{column: answer, value: -1}");
      int64_t value = 0;
      std::string text = a["value"].IsScalar() ? a["value"].Scalar() : "";
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        Fail(fmt::format("'value' as a whole number, got '{}'", text));
      }
      return {{"column", Name(a["column"], "'column'")}, {"value", value}};
    }
    if (op_ == "regex_extract") {
      CheckKeys(a, {"column", "pattern"}, {"into"},
                "{column: answer, pattern: '#### (.*)', into: target}");
      std::string column = Name(a["column"], "'column'");
      if (!a["pattern"].IsScalar()) Fail("'pattern' as a regular expression");
      return {{"column", column},
              {"pattern", a["pattern"].Scalar()},
              {"into", a["into"] ? Name(a["into"], "'into'") : column}};
    }
    // index_of
    CheckKeys(a, {"column", "in"}, {"into"}, "{column: answer, in: choices, into: label}");
    std::string column = Name(a["column"], "'column'");
    return {{"column", column},
            {"in", Name(a["in"], "'in'")},
            {"into", a["into"] ? Name(a["into"], "'into'") : column}};
  }

 private:
  std::string op_;
  std::string where_;
};

// ---- applying steps -------------------------------------------------------------------------

class StepRunner {
 public:
  StepRunner(const ProcessStep& step, Document& doc) : step_(step), doc_(doc) {}

  [[noreturn]] void Fail(std::string_view column, std::string_view problem) const {
    throw InputError(fmt::format("{}: column '{}': {} (process_docs step {} at {})", doc_.origin,
                                 column, problem, step_.op, step_.where));
  }

  nlohmann::ordered_json& Column(const std::string& name) {
    auto it = doc_.fields.find(name);
    if (it == doc_.fields.end()) {
      std::vector<std::string> names;
      for (auto& [key, value] : doc_.fields.items()) names.push_back(key);
      Fail(name, fmt::format("no such column; the document has {}", fmt::join(names, ", ")));
    }
    return *it;
  }

  static std::string Show(const nlohmann::ordered_json& v) {
    return Excerpt(v.is_string() ? v.get_ref<const std::string&>() : v.dump());
  }

  void Run();

 private:
  void ParseList();
  void ColumnsToList();
  void Rename();
  void ToInt(const std::string& column);
  void Add();
  void Strip(const std::string& column);
  void IndexOf();
  void RegexExtract();
  std::string Arg(const char* key) const { return step_.args.at(key).get<std::string>(); }

  const ProcessStep& step_;
  Document& doc_;
};

void StepRunner::ParseList() {
  std::string column = Arg("column");
  nlohmann::ordered_json& value = Column(column);
  nlohmann::ordered_json list;
  if (value.is_array()) {
    list = value;
  } else if (value.is_string()) {
    list = ParseListLiteral(value.get_ref<const std::string&>(),
                            fmt::format("{}: column '{}'", doc_.origin, column));
  } else {
    Fail(column, fmt::format("expected a list literal string, got {}", value.type_name()));
  }
  doc_.fields[Arg("into")] = std::move(list);
}

// The first match of the step's pattern: its first group if it has groups, else the whole
// match, trimmed. No match is an error: a target silently left empty would score as wrong.
void StepRunner::RegexExtract() {
  std::string column = Arg("column");
  const nlohmann::ordered_json& value = Column(column);
  if (!value.is_string()) Fail(column, fmt::format("expected text, got {}", value.type_name()));
  const re2::RE2& re = *step_.regex;
  int groups = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> match(static_cast<size_t>(groups) + 1);
  const std::string& text = value.get_ref<const std::string&>();
  if (!re.Match(text, 0, text.size(), re2::RE2::UNANCHORED, match.data(),
                static_cast<int>(match.size()))) {
    Fail(column, fmt::format("pattern '{}' does not match '{}'", Arg("pattern"), Show(value)));
  }
  re2::StringPiece found = match[groups > 0 ? 1 : 0];
  doc_.fields[Arg("into")] = TrimWhitespace(std::string_view(found.data(), found.size()));
}

void StepRunner::ColumnsToList() {
  auto list = nlohmann::ordered_json::array();
  for (const auto& column : step_.args.at("columns")) list.push_back(Column(column));
  doc_.fields[Arg("into")] = std::move(list);
}

void StepRunner::Rename() {
  std::string from = Arg("from"), to = Arg("to");
  Column(from);
  if (from == to) return;
  if (doc_.fields.contains(to)) {
    Fail(to, fmt::format("already exists; cannot rename '{}' to it", from));
  }
  auto renamed = nlohmann::ordered_json::object();
  for (auto& [key, value] : doc_.fields.items()) renamed[key == from ? to : key] = std::move(value);
  doc_.fields = std::move(renamed);
}

std::optional<int64_t> WholeNumber(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return {};
  text = text.substr(first, text.find_last_not_of(" \t\r\n\f\v") - first + 1);
  if (text.starts_with('+')) text.remove_prefix(1);
  size_t dot = text.find('.');
  if (dot != std::string_view::npos) {  // "3.0", as pandas writes integer columns with gaps
    std::string_view zeros = text.substr(dot + 1);
    if (zeros.empty() || zeros.find_first_not_of('0') != std::string_view::npos) return {};
    text = text.substr(0, dot);
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return {};
  return value;
}

void StepRunner::ToInt(const std::string& column) {
  nlohmann::ordered_json& value = Column(column);
  if (value.is_number_integer()) return;
  std::optional<int64_t> n;
  if (value.is_string()) {
    n = WholeNumber(value.get_ref<const std::string&>());
  } else if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::trunc(d) == d && std::abs(d) < 9.2e18) n = static_cast<int64_t>(d);
  }
  if (!n) Fail(column, fmt::format("expected a whole number, got '{}'", Show(value)));
  value = *n;
}

void StepRunner::Add() {
  std::string column = Arg("column");
  nlohmann::ordered_json& value = Column(column);
  if (!value.is_number_integer() ||
      (value.is_number_unsigned() &&
       value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    Fail(column, fmt::format("expected a whole number (use to_int first), got '{}'", Show(value)));
  }
  int64_t sum = 0;
  if (__builtin_add_overflow(value.get<int64_t>(), step_.args.at("value").get<int64_t>(), &sum)) {
    Fail(column, "the sum overflows a 64-bit integer");
  }
  value = sum;
}

// White space as Python's str.strip() sees it: ASCII controls \t..\r and \x1c..\x1f, U+0085,
// and the separators (Zs, Zl, Zp), among them U+00A0 and the ideographic space U+3000.
bool IsSpace(utf8proc_int32_t cp) {
  if ((cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F) || cp == 0x85) return true;
  auto category = utf8proc_category(cp);
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP;
}

// Byte length of the code point starting at `at` if it is white space, else 0.
size_t SpaceAt(std::string_view s, size_t at) {
  utf8proc_int32_t cp = -1;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + at),
                            static_cast<utf8proc_ssize_t>(s.size() - at), &cp);
  return n > 0 && IsSpace(cp) ? static_cast<size_t>(n) : 0;
}

void StepRunner::Strip(const std::string& column) {
  nlohmann::ordered_json& value = Column(column);
  if (!value.is_string()) Fail(column, fmt::format("expected a string, got {}", value.type_name()));
  std::string_view s = value.get_ref<const std::string&>();
  while (!s.empty()) {
    size_t n = SpaceAt(s, 0);
    if (n == 0) break;
    s.remove_prefix(n);
  }
  while (!s.empty()) {
    size_t last = s.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(s[last]) & 0xC0) == 0x80) --last;
    if (SpaceAt(s, last) != s.size() - last) break;
    s.remove_suffix(s.size() - last);
  }
  value = std::string(s);
}

void StepRunner::IndexOf() {
  std::string column = Arg("column"), in = Arg("in");
  const nlohmann::ordered_json& list = Column(in);
  if (!list.is_array()) {
    Fail(in, fmt::format("expected a list (use parse_list or columns_to_list first), got {}",
                         list.type_name()));
  }
  const nlohmann::ordered_json& value = Column(column);
  auto it = std::find(list.begin(), list.end(), value);
  if (it == list.end()) {
    Fail(column, fmt::format("value '{}' is not one of '{}': {}", Show(value), in, Show(list)));
  }
  doc_.fields[Arg("into")] = static_cast<int64_t>(it - list.begin());
}

void StepRunner::Run() {
  const std::string& op = step_.op;
  if (op == "parse_list") return ParseList();
  if (op == "columns_to_list") return ColumnsToList();
  if (op == "rename") return Rename();
  if (op == "add") return Add();
  if (op == "index_of") return IndexOf();
  if (op == "regex_extract") return RegexExtract();
  for (const auto& column : step_.args.at("columns")) {
    if (op == "to_int") ToInt(column.get<std::string>());
    if (op == "strip") Strip(column.get<std::string>());
  }
}

}  // namespace

std::span<const std::string_view> KnownProcessOps() { return kOps; }

std::vector<ProcessStep> ParseProcessDocs(const YAML::Node& node, std::string_view where) {
  std::vector<ProcessStep> steps;
  if (!node || node.IsNull()) return steps;
  std::string known = fmt::format("{}", fmt::join(kOps, ", "));
  if (!node.IsSequence()) {
    bool hook = node.Tag() == "!function";
    throw InputError(fmt::format("{}: expected process_docs as a list of steps ({}){}", where,
                                 known, hook ? "; Python !function hooks are not supported" : ""));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    std::string step_where = StepWhere(item, where, i);
    if (!item.IsMap() || item.size() != 1) {
      throw InputError(
          fmt::format("{}: expected each process_docs step as one 'op: arguments' "
                      "entry, e.g. '- to_int: answer'; known ops: {}",
                      step_where, known));
    }
    auto entry = *item.begin();
    std::string op = entry.first.as<std::string>("");
    if (std::find(kOps.begin(), kOps.end(), op) == kOps.end()) {
      throw InputError(
          fmt::format("{}: unknown process_docs op '{}'; known ops: {}", step_where, op, known));
    }
    nlohmann::json args = StepParser(op, step_where).Parse(entry.second);
    ProcessStep step{std::move(op), std::move(args), std::move(step_where), nullptr};
    if (step.op == "regex_extract") {
      step.regex = CompileTaskRegex(step.args.at("pattern").get<std::string>(),
                                    step.where + ": regex_extract.pattern");
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

void ApplyProcessDocs(std::span<const ProcessStep> steps, Document& doc) {
  for (const ProcessStep& step : steps) StepRunner(step, doc).Run();
}

}  // namespace kaieval::bench
