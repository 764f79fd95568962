#include "kaieval/common/yaml_reader.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "kaieval/common/error.h"

namespace kaieval {

YAML::Node YamlReader::Load(const std::string& what) const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the {}", path_.string(), what));
  std::stringstream text;
  text << in.rdbuf();
  try {
    return YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    throw InputError(fmt::format("{}:{}: invalid YAML: {}", path_.string(), e.mark.line + 1, e.msg));
  }
}

void YamlReader::Fail(const YAML::Node& node, const std::string& field,
                      const std::string& problem) const {
  int line = node.IsDefined() ? node.Mark().line + 1 : 0;
  if (line > 0) {
    throw InputError(fmt::format("{}:{}: {}: {}", path_.string(), line, field, problem));
  }
  throw InputError(fmt::format("{}: {}: {}", path_.string(), field, problem));
}

int64_t YamlReader::Integer(const YAML::Node& node, const std::string& field, int64_t min,
                            int64_t max) const {
  std::string expected = max == INT64_MAX ? fmt::format("an integer >= {}", min)
                                          : fmt::format("an integer from {} to {}", min, max);
  if (!node.IsScalar()) Fail(node, field, "expected " + expected);
  int64_t value = 0;
  try {
    value = node.as<int64_t>();
  } catch (const YAML::Exception&) {
    Fail(node, field, fmt::format("expected {}, got '{}'", expected, node.Scalar()));
  }
  if (value < min || value > max) {
    Fail(node, field, fmt::format("expected {}, got {}", expected, value));
  }
  return value;
}

double YamlReader::Number(const YAML::Node& node, const std::string& field, double min,
                          double max) const {
  std::string expected = std::isinf(min) && std::isinf(max)
                             ? "a number"
                             : fmt::format("a number from {} to {}", min, max);
  if (!node.IsScalar()) Fail(node, field, "expected " + expected);
  double value = 0;
  try {
    value = node.as<double>();
  } catch (const YAML::Exception&) {
    Fail(node, field, fmt::format("expected {}, got '{}'", expected, node.Scalar()));
  }
  if (!std::isfinite(value) || value < min || value > max) {
    Fail(node, field, fmt::format("expected {}, got {}", expected, node.Scalar()));
  }
  return value;
}

bool YamlReader::Boolean(const YAML::Node& node, const std::string& field) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  Fail(node, field, "expected true or false");
}

std::string YamlReader::String(const YAML::Node& node, const std::string& field) const {
  if (!node.IsScalar() || node.Scalar().empty()) Fail(node, field, "expected a non-empty string");
  return node.Scalar();
}

void YamlReader::RequireKnownKeys(const YAML::Node& node, const std::string& field,
                                  std::initializer_list<const char*> known) const {
  if (!node.IsMap()) Fail(node, field, "expected a map");
  for (const auto& entry : node) {
    auto key = entry.first.as<std::string>();
    bool ok = false;
    std::string list;
    for (const char* k : known) {
      ok = ok || key == k;
      list += list.empty() ? k : std::string(", ") + k;
    }
    if (!ok) {
      std::string where = field.empty() ? key : field + "." + key;
      Fail(entry.first, where, fmt::format("unknown key (expected {})", list));
    }
  }
}

}  // namespace kaieval
