#include "kaieval/bench/template.h"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

using nlohmann::ordered_json;
namespace mst = kainjow::mustache;

// Collects the names of the tags outside any section, and the section names themselves.
std::set<std::string> TopLevelNames(std::string_view text, std::string_view where) {
  std::set<std::string> names;
  int depth = 0;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    bool triple = text.substr(pos, 3) == "{{{";
    size_t open = pos + (triple ? 3 : 2);
    size_t close = text.find(triple ? "}}}" : "}}", open);
    if (close == std::string_view::npos) {
      throw InputError(fmt::format("{}: unclosed '{{{{' in template", where));
    }
    std::string tag(text.substr(open, close - open));
    pos = close + (triple ? 3 : 2);
    char sigil = tag.empty() ? '\0' : tag[0];
    if (sigil == '!' || sigil == '>' || sigil == '=') continue;  // comment, partial, delimiter
    if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&') tag.erase(0, 1);
    size_t b = tag.find_first_not_of(" \t");
    size_t e = tag.find_last_not_of(" \t");
    std::string name = b == std::string::npos ? "" : tag.substr(b, e - b + 1);
    if (sigil == '/') {
      --depth;
      continue;
    }
    if (depth == 0 && !name.empty() && name != ".") names.insert(name.substr(0, name.find('.')));
    if (sigil == '#' || sigil == '^') ++depth;
  }
  return names;
}

mst::data ToMustache(const ordered_json& v) {
  if (v.is_object()) {
    mst::data d{mst::data::type::object};
    for (const auto& [k, x] : v.items()) d.set(k, ToMustache(x));
    return d;
  }
  if (v.is_array()) {
    mst::data list{mst::data::type::list};
    for (const auto& x : v) list.push_back(ToMustache(x));
    return list;
  }
  if (v.is_boolean()) return v.get<bool>() ? mst::data(mst::data::type::bool_true)
                                           : mst::data(mst::data::type::bool_false);
  if (v.is_null()) return mst::data(mst::data::type::bool_false);
  return mst::data(ScalarText(v));
}

}  // namespace

std::string ScalarText(const ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number_unsigned()) return std::to_string(value.get<uint64_t>());
  if (value.is_number_float()) return fmt::format("{}", value.get<double>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_null()) return "";
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

PromptTemplate::PromptTemplate(std::string text, std::string where, bool allow_literal)
    : text_(std::move(text)), where_(std::move(where)), allow_literal_(allow_literal) {
  is_template_ = text_.find("{{") != std::string::npos;
  if (is_template_) {
    names_ = TopLevelNames(text_, where_);
    compiled_ = std::make_shared<mst::mustache>(text_);
    if (!compiled_->is_valid()) {
      throw InputError(fmt::format("{}: bad template: {}", where_, compiled_->error_message()));
    }
    compiled_->set_custom_escape([](const std::string& s) { return s; });  // prompts, not HTML
  }
}

PromptTemplate::Kind PromptTemplate::Classify(const ordered_json& doc) const {
  if (is_template_) return Kind::kTemplate;
  if (doc.contains(text_)) return Kind::kColumn;
  return allow_literal_ ? Kind::kLiteral : Kind::kColumn;
}

ordered_json PromptTemplate::Evaluate(const ordered_json& doc, std::string_view origin) const {
  switch (Classify(doc)) {
    case Kind::kLiteral:
      return text_;
    case Kind::kColumn: {
      auto it = doc.find(text_);
      if (it == doc.end()) {
        throw InputError(fmt::format("{}: {}: no column '{}' (it is not a template either)",
                                     origin, where_, text_));
      }
      return *it;
    }
    case Kind::kTemplate:
      break;
  }
  for (const auto& name : names_) {
    if (!doc.contains(name)) {
      throw InputError(
          fmt::format("{}: {}: the template uses '{{{{{}}}}}' but the document has no column '{}'",
                      origin, where_, name, name));
    }
  }
  return compiled_->render(ToMustache(doc));
}

std::string PromptTemplate::Render(const ordered_json& doc, std::string_view origin) const {
  ordered_json v = Evaluate(doc, origin);
  if (v.is_array() || v.is_object()) {
    throw InputError(fmt::format("{}: {}: column '{}' holds a list or object, expected text",
                                 origin, where_, text_));
  }
  return ScalarText(v);
}

}  // namespace kaieval::bench
