// Comparing a model's answer with a reference: Unicode-aware normalisation, number parsing,
// exact match and token F1, plus compiling the Python-syntax regexes that task files carry.
// Used by the response filters (filters.h) and the generation metrics (metrics.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace kaieval::bench {

// The options of lm-eval's exact_match (HF evaluate), plus ignore_numbers.
struct MatchOptions {
  bool ignore_case = false;
  bool ignore_punctuation = false;
  std::vector<std::string> regexes_to_ignore;  // Python re syntax, see CompileTaskRegex
  bool ignore_numbers = false;
};

// NFKC (invalid UTF-8 bytes become U+FFFD), then, as the options ask: remove every match of
// regexes_to_ignore (in order), full Unicode case folding, drop punctuation (general category
// P*; symbols such as "$" or "+" are category S and stay), drop decimal digits (category Nd);
// finally collapse runs of Unicode whitespace to one space and trim. Hangul written as conjoining
// jamo (NFD) and as syllables (NFC) give the same string. Throws InputError for a bad regex.
std::string NormalizeForMatch(std::string_view text, const MatchOptions& o);

// The value of `text` when it is one number (surrounding whitespace allowed, NFKC applied first,
// so full-width digits count): an optional sign ("-", "+" or U+2212), an optional currency sign
// ($ ₩ € £ ¥) before or "원" after, digits with optional "," thousands separators in groups of
// three, an optional decimal part, then an optional "%" and an optional sentence-final ".".
// "18", "18.0", "$18" and "18." are 18; "1,800" is 1800; "₩1,000" and "1000원" are 1000; "50%" is
// 50. Ambiguous forms are not numbers: "1,80", "1,8000", "1.2.3", "1e5", "$" alone.
std::optional<double> ParseNumber(std::string_view text);

// 1.0 when both texts, after NFKC and regexes_to_ignore, are numbers (ParseNumber) equal within
// a relative tolerance of 1e-9 (skipped under ignore_numbers); else 1.0 when NormalizeForMatch
// gives equal strings; else 0.0.
double ExactMatch(std::string_view prediction, std::string_view reference, const MatchOptions& o);

// SQuAD-style F1 over the space-separated tokens of the normalised strings, counting each token
// as often as it occurs in both (multiset overlap). Both empty: 1.0; only one empty: 0.0.
double TokenF1(std::string_view prediction, std::string_view reference, const MatchOptions& o);

// Unicode whitespace as Python's str.isspace() sees it (so str.strip() and re's \s agree).
bool IsUnicodeWhitespace(char32_t cp);

// `s` without leading and trailing Unicode whitespace, like Python's str.strip().
std::string_view TrimWhitespace(std::string_view s);

// Rewrites a Python `re` pattern into RE2 syntax with the same meaning where RE2 can express
// it: \d \w \s (and \D \W \S outside brackets) become their Unicode classes, as Python's are
// Unicode-aware while RE2's are ASCII; "[" inside a bracket expression is a literal, as in
// Python; \Z becomes \z. Not translated: \b (ASCII word boundary in RE2), "$" (Python also
// matches before a final "\n"). Lookaround and backreferences stay and RE2 rejects them.
std::string TranslatePythonRegex(std::string_view pattern);

// Compiles a regex from a task file (Python syntax, translated as above) with RE2, which matches
// in linear time whatever the pattern. Throws InputError naming `where` and RE2's complaint when
// the pattern is invalid or unsupported. The result is immutable and safe to share across threads.
std::shared_ptr<const re2::RE2> CompileTaskRegex(std::string_view pattern, std::string_view where,
                                                 bool ignore_case = false);

// Reads one YAML key of MatchOptions (ignore_case, ignore_punctuation, regexes_to_ignore,
// ignore_numbers) into *o, checking its type and compiling its regexes. Returns false when `key`
// is not one of them. `where` names the key's location for errors.
bool ReadMatchOption(std::string_view key, const YAML::Node& value, std::string_view where,
                     MatchOptions* o);

// The keys ReadMatchOption knows, for error messages.
inline constexpr std::string_view kMatchOptionKeys =
    "ignore_case, ignore_punctuation, regexes_to_ignore, ignore_numbers";

}  // namespace kaieval::bench
