#include "kaieval/lineage/model_id.h"

#include <array>

namespace kaieval::lineage {
namespace {

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool ValidSegment(std::string_view s) {
  if (s.empty() || s.size() > 96) return false;
  for (char c : s) {
    if (!IsIdChar(c)) return false;
  }
  if (s.front() == '.' || s.front() == '-' || s.back() == '.' || s.back() == '-') return false;
  return s.find("..") == std::string_view::npos;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && SameId(s.substr(0, prefix.size()), prefix);
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<std::string> NormaliseModelId(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  static constexpr std::array<std::string_view, 6> kPrefixes = {
      "https://huggingface.co/", "http://huggingface.co/", "https://www.huggingface.co/",
      "huggingface.co/",         "https://hf.co/",         "hf.co/"};
  for (std::string_view prefix : kPrefixes) {
    if (StartsWithNoCase(text, prefix)) {
      text.remove_prefix(prefix.size());
      break;
    }
  }
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (!ValidSegment(text)) return std::nullopt;
  } else if (!ValidSegment(text.substr(0, slash)) || !ValidSegment(text.substr(slash + 1))) {
    return std::nullopt;
  }
  return std::string(text);
}

std::string_view ModelOrg(std::string_view id) {
  const size_t slash = id.find('/');
  return slash == std::string_view::npos ? std::string_view() : id.substr(0, slash);
}

bool SameId(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string LowerId(std::string_view id) {
  std::string out(id);
  for (char& c : out) c = Lower(c);
  return out;
}

}  // namespace kaieval::lineage
