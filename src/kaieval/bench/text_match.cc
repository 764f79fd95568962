#include "kaieval/bench/text_match.h"

#include <re2/re2.h>
#include <utf8proc.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <unordered_map>

#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace kaieval::bench {
namespace {

// The code point at s[i] and its length in bytes; an invalid byte decodes as -1, length 1.
int32_t DecodeAt(std::string_view s, size_t i, size_t* len) {
  utf8proc_int32_t cp = -1;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                            static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  *len = n > 0 ? static_cast<size_t>(n) : 1;
  return n > 0 ? cp : -1;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

size_t CountDigits(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && IsAsciiDigit(s[i + n])) ++n;
  return n;
}

// NFKC of valid UTF-8: invalid bytes become U+FFFD first, so every later step sees code points.
std::string NfkcOfValidUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return NormalizeNfkc(text);
  std::string valid;
  for (const auto& cp : SplitCodePoints(text)) valid += cp;
  return NormalizeNfkc(valid);
}

std::vector<std::shared_ptr<const re2::RE2>> CompileIgnored(const MatchOptions& o) {
  std::vector<std::shared_ptr<const re2::RE2>> out;
  for (size_t i = 0; i < o.regexes_to_ignore.size(); ++i) {
    out.push_back(
        CompileTaskRegex(o.regexes_to_ignore[i], "regexes_to_ignore[" + std::to_string(i) + "]"));
  }
  return out;
}

// The first stage of normalisation: NFKC, then regexes_to_ignore removed (as HF evaluate does,
// before any case or punctuation change). Numbers are recognised at this stage.
std::string PrepareForMatch(std::string_view text,
                            const std::vector<std::shared_ptr<const re2::RE2>>& ignored) {
  std::string s = NfkcOfValidUtf8(text);
  for (const auto& re : ignored) re2::RE2::GlobalReplace(&s, *re, "");
  return s;
}

// The second stage: case folding, punctuation and digits dropped, whitespace collapsed.
std::string FinishNormalize(std::string_view prepared, const MatchOptions& o) {
  std::string folded = o.ignore_case ? CaseFold(prepared) : std::string(prepared);
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (size_t i = 0; i < folded.size();) {
    size_t len;
    int32_t cp = DecodeAt(folded, i, &len);
    std::string_view bytes(folded.data() + i, len);
    i += len;
    if (cp >= 0 && IsUnicodeWhitespace(static_cast<char32_t>(cp))) {
      pending_space = !out.empty();
      continue;
    }
    auto category = cp >= 0 ? utf8proc_category(cp) : UTF8PROC_CATEGORY_CN;
    if (o.ignore_punctuation && category >= UTF8PROC_CATEGORY_PC &&
        category <= UTF8PROC_CATEGORY_PO) {
      continue;
    }
    if (o.ignore_numbers && category == UTF8PROC_CATEGORY_ND) continue;
    if (pending_space) out += ' ';
    pending_space = false;
    out += cp >= 0 ? bytes : std::string_view("\xEF\xBF\xBD");  // U+FFFD keeps the output valid
  }
  return out;
}

bool NumbersEqual(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t end = s.find(' ');
    out.push_back(s.substr(0, end));
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return out;
}

bool IsHex(char c) { return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The number of hex digits of a Python "\\uXXXX" or "\\UXXXXXXXX" escape at p[i], else 0.
size_t HexEscapeLength(std::string_view p, size_t i) {
  size_t n = p[i + 1] == 'u' ? 4 : p[i + 1] == 'U' ? 8 : 0;
  if (n == 0 || i + 2 + n > p.size()) return 0;
  return std::all_of(p.begin() + i + 2, p.begin() + i + 2 + n, IsHex) ? n : 0;
}

// Python's \w and \s as RE2 class bodies (usable inside or, bracketed, outside a class).
constexpr std::string_view kWordBody = "\\p{L}\\p{N}_";
constexpr std::string_view kSpaceBody = "\\x{09}-\\x{0D}\\x{1C}-\\x{1F}\\x{85}\\p{Z}";

// The RE2 text for the Python escape "\<c>", or nullopt to copy it as written.
std::optional<std::string> TranslateEscape(char c, bool in_class) {
  auto bracket = [&](std::string_view body, bool negate) {
    return std::string(negate ? "[^" : "[") + std::string(body) + "]";
  };
  switch (c) {
    case 'd':
      return std::string("\\p{Nd}");
    case 'D':
      return std::string("\\P{Nd}");
    case 'w':
      return in_class ? std::string(kWordBody) : bracket(kWordBody, false);
    case 's':
      return in_class ? std::string(kSpaceBody) : bracket(kSpaceBody, false);
    case 'W':
      return in_class ? std::nullopt : std::optional(bracket(kWordBody, true));
    case 'S':
      return in_class ? std::nullopt : std::optional(bracket(kSpaceBody, true));
    case 'Z':
      return in_class ? std::nullopt : std::optional(std::string("\\z"));
    default:
      return std::nullopt;
  }
}

}  // namespace

bool IsUnicodeWhitespace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::string_view TrimWhitespace(std::string_view s) {
  size_t begin = s.size(), end = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len;
    int32_t cp = DecodeAt(s, i, &len);
    if (cp < 0 || !IsUnicodeWhitespace(static_cast<char32_t>(cp))) {
      begin = std::min(begin, i);
      end = i + len;
    }
    i += len;
  }
  return begin >= end ? std::string_view() : s.substr(begin, end - begin);
}

std::string TranslatePythonRegex(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char e = p[i + 1];
      if (auto t = TranslateEscape(e, in_class)) {
        out += *t;
      } else if (size_t n = HexEscapeLength(p, i); n > 0) {  // Python code-point escapes
        out += "\\x{" + std::string(p.substr(i + 2, n)) + "}";
        i += n;
      } else {
        out += p.substr(i, 2);
      }
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
      out += c == '[' ? std::string("\\[") : std::string(1, c);
    } else if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') {  // "[]...]": the first "]" is a literal
        out += "\\]";
        ++i;
      }
    } else if (c == '{' && i + 1 < p.size() && p[i + 1] == ',') {
      // Python reads "{,n}" as "{0,n}"; RE2 would read it as literal text.
      size_t digits = CountDigits(p, i + 2);
      bool quantifier = digits > 0 && i + 2 + digits < p.size() && p[i + 2 + digits] == '}';
      out += quantifier ? "{0" : "{";
    } else {
      out += c;
    }
  }
  return out;
}

std::shared_ptr<const re2::RE2> CompileTaskRegex(std::string_view pattern, std::string_view where,
                                                 bool ignore_case) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] != '\\') continue;
    if (pattern[i + 1] == 'C') {  // RE2's "any byte" could split a character; Python lacks it
      throw InputError(std::string(where) + ": \\C (match one byte) is not supported");
    }
    ++i;
  }
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(!ignore_case);
  auto re = std::make_shared<const re2::RE2>(TranslatePythonRegex(pattern), options);
  if (!re->ok()) {
    std::string shown(pattern.substr(0, 120));
    if (shown.size() < pattern.size()) shown += "...";
    throw InputError(std::string(where) + ": invalid regular expression \"" + shown + "\": " +
                     re->error() + " (patterns use RE2 syntax: no lookaround, no backreferences)");
  }
  return re;
}

std::string NormalizeForMatch(std::string_view text, const MatchOptions& o) {
  return FinishNormalize(PrepareForMatch(text, CompileIgnored(o)), o);
}

std::optional<double> ParseNumber(std::string_view text) {
  std::string nfkc = NfkcOfValidUtf8(text);
  std::string_view s = TrimWhitespace(nfkc);
  size_t i = 0;
  auto eat = [&](std::string_view token) {
    if (s.substr(i, token.size()) != token) return false;
    i += token.size();
    return true;
  };
  auto eat_spaces = [&] {
    for (size_t len; i < s.size(); i += len) {
      int32_t cp = DecodeAt(s, i, &len);
      if (cp < 0 || !IsUnicodeWhitespace(static_cast<char32_t>(cp))) break;
    }
  };
  bool negative = false, has_sign = false, has_currency = false;
  auto eat_sign = [&] {
    if (has_sign) return;
    if (eat("-") || eat("\u2212")) {
      negative = has_sign = true;
    } else if (eat("+")) {
      has_sign = true;
    }
  };
  eat_sign();
  for (std::string_view symbol : {"$", "\u20A9", "\u20AC", "\u00A3", "\u00A5"}) {
    if (eat(symbol)) {
      has_currency = true;
      eat_spaces();
      break;
    }
  }
  eat_sign();  // "$-3" as well as "-$3"

  std::string digits = "0";  // from_chars wants a digit before "."
  size_t run = CountDigits(s, i);
  digits += s.substr(i, run);
  i += run;
  if (run > 0 && i < s.size() && s[i] == ',') {
    if (run > 3) return std::nullopt;  // "1234,567"
    while (i < s.size() && s[i] == ',') {
      if (CountDigits(s, i + 1) != 3) return std::nullopt;  // "1,80", "1,8000"
      digits += s.substr(i + 1, 3);
      i += 4;
    }
  }
  bool has_fraction = i + 1 < s.size() && s[i] == '.' && IsAsciiDigit(s[i + 1]);
  if (has_fraction) {
    size_t n = CountDigits(s, i + 1);
    digits += '.';
    digits += s.substr(i + 1, n);
    i += 1 + n;
  }
  if (run == 0 && !has_fraction) return std::nullopt;
  eat_spaces();
  if (has_currency || !eat("\uC6D0")) eat("%");  // 원
  eat(".");                                      // sentence-final period
  if (i != s.size()) return std::nullopt;        // "1.2.3", "12abc"

  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

double ExactMatch(std::string_view prediction, std::string_view reference, const MatchOptions& o) {
  auto ignored = CompileIgnored(o);
  std::string p = PrepareForMatch(prediction, ignored);
  std::string r = PrepareForMatch(reference, ignored);
  if (!o.ignore_numbers) {
    auto a = ParseNumber(p), b = ParseNumber(r);
    if (a && b && NumbersEqual(*a, *b)) return 1.0;
  }
  return FinishNormalize(p, o) == FinishNormalize(r, o) ? 1.0 : 0.0;
}

double TokenF1(std::string_view prediction, std::string_view reference, const MatchOptions& o) {
  std::string p = NormalizeForMatch(prediction, o);
  std::string r = NormalizeForMatch(reference, o);
  auto pred_tokens = SplitSpaces(p), ref_tokens = SplitSpaces(r);
  if (pred_tokens.empty() || ref_tokens.empty()) {
    return pred_tokens.empty() && ref_tokens.empty() ? 1.0 : 0.0;
  }
  std::unordered_map<std::string_view, int> ref_counts;
  for (auto t : ref_tokens) ++ref_counts[t];
  size_t common = 0;
  for (auto t : pred_tokens) {
    auto it = ref_counts.find(t);
    if (it != ref_counts.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  }
  if (common == 0) return 0.0;
  double precision = static_cast<double>(common) / static_cast<double>(pred_tokens.size());
  double recall = static_cast<double>(common) / static_cast<double>(ref_tokens.size());
  return 2 * precision * recall / (precision + recall);
}

namespace {

bool ReadBool(const YAML::Node& value, std::string_view where) {
  try {
    if (value.IsScalar()) return value.as<bool>();
  } catch (const YAML::Exception&) {
  }
  throw InputError(std::string(where) + ": expected true or false");
}

}  // namespace

bool ReadMatchOption(std::string_view key, const YAML::Node& value, std::string_view where,
                     MatchOptions* o) {
  if (key == "ignore_case") {
    o->ignore_case = ReadBool(value, where);
  } else if (key == "ignore_punctuation") {
    o->ignore_punctuation = ReadBool(value, where);
  } else if (key == "ignore_numbers") {
    o->ignore_numbers = ReadBool(value, where);
  } else if (key == "regexes_to_ignore") {
    o->regexes_to_ignore.clear();
    if (value.IsNull()) return true;
    if (!value.IsSequence()) throw InputError(std::string(where) + ": expected a list of regexes");
    for (size_t i = 0; i < value.size(); ++i) {
      std::string at = std::string(where) + "[" + std::to_string(i) + "]";
      if (!value[i].IsScalar()) throw InputError(at + ": expected a regex string");
      CompileTaskRegex(value[i].Scalar(), at);  // reject a bad pattern now, not mid-run
      o->regexes_to_ignore.push_back(value[i].Scalar());
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace kaieval::bench
