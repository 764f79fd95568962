// PromptTemplate: one prompt field of a task (doc_to_text, doc_to_target, an entry of
// doc_to_choice), either a Mustache template over the document's columns or a column name.
// The task loader compiles each once; the request builder renders it for every document.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

namespace kaieval::bench {

class PromptTemplate {
 public:
  enum class Kind { kTemplate, kColumn, kLiteral };

  // `text` containing "{{" is a Mustache template; otherwise it names a column, unless
  // `allow_literal` (entries of a doc_to_choice list such as "yes"), where a text that is not a
  // column of the document stays literal. `where` names the task file and field for errors.
  PromptTemplate(std::string text, std::string where, bool allow_literal);
  PromptTemplate() = default;

  // The value for one document: the rendered text, or the column's value as it is (so a list
  // column stays a list and an integer stays an integer). Throws InputError naming the
  // document's origin, the field and the missing column, never renders a missing name as "".
  nlohmann::ordered_json Evaluate(const nlohmann::ordered_json& doc, std::string_view origin) const;

  // As text: strings as they are, numbers in their shortest form, lists as an error.
  std::string Render(const nlohmann::ordered_json& doc, std::string_view origin) const;

  // The top-level names the template reads (section variables inside sections are not listed).
  const std::set<std::string>& names() const { return names_; }
  const std::string& text() const { return text_; }
  const std::string& where() const { return where_; }
  bool empty() const { return text_.empty(); }

 private:
  Kind Classify(const nlohmann::ordered_json& doc) const;

  std::string text_;
  std::string where_;
  bool allow_literal_ = false;
  bool is_template_ = false;
  std::set<std::string> names_;
  // Compiled once; rendering does not change it, but kainjow's render() is not const.
  std::shared_ptr<kainjow::mustache::mustache> compiled_;
};

// A JSON scalar as prompt text: strings unquoted, integers without ".0", floats shortest.
std::string ScalarText(const nlohmann::ordered_json& value);

}  // namespace kaieval::bench
