#include "kaieval/bench/text_match.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

// "한국어" as conjoining jamo (NFD): 한 = U+1112 U+1161 U+11AB, 국 = U+1100 U+116E U+11A8,
// 어 = U+110B U+1165.
constexpr const char* kHangulNfd =
    "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"
    "\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8"
    "\xE1\x84\x8B\xE1\x85\xA5";

MatchOptions IgnoreCase() {
  MatchOptions o;
  o.ignore_case = true;
  return o;
}

TEST(TextMatch, HangulNfdAndNfcMatchExactly) {
  ASSERT_NE(std::string(kHangulNfd), "한국어");  // different bytes going in
  EXPECT_EQ(NormalizeForMatch(kHangulNfd, {}), "한국어");
  EXPECT_EQ(ExactMatch(kHangulNfd, "한국어", {}), 1.0);
  EXPECT_EQ(ExactMatch(std::string(kHangulNfd) + " 문장", "한국어  문장", {}), 1.0);
}

TEST(TextMatch, IgnoreCaseUsesFullUnicodeCaseFolding) {
  // utf8proc folds U+00DF "ß" to "ss" (full folding), so both sides become "strasse".
  EXPECT_EQ(NormalizeForMatch("Straße", IgnoreCase()), "strasse");
  EXPECT_EQ(ExactMatch("Straße", "STRASSE", IgnoreCase()), 1.0);
  EXPECT_EQ(ExactMatch("Straße", "STRASSE", {}), 0.0);
  EXPECT_EQ(ExactMatch("ÉCOLE", "école", IgnoreCase()), 1.0);
  EXPECT_EQ(ExactMatch("Answer", "answer", {}), 0.0);
}

TEST(TextMatch, IgnorePunctuationDropsUnicodePunctuationButKeepsSymbols) {
  MatchOptions o;
  o.ignore_punctuation = true;
  EXPECT_EQ(NormalizeForMatch("「안녕하세요!」", o), "안녕하세요");
  EXPECT_EQ(NormalizeForMatch("Hello, world... (yes)", o), "Hello world yes");
  EXPECT_EQ(NormalizeForMatch("$5 + 3", o), "$5 + 3");  // "$" and "+" are symbols (S*)
  EXPECT_EQ(NormalizeForMatch("a - b", o), "a b");      // the hyphen goes, spaces collapse
}

TEST(TextMatch, CollapsesUnicodeWhitespaceAndTrims) {
  // NBSP and U+3000 IDEOGRAPHIC SPACE fold to " " under NFKC; tabs and newlines collapse.
  EXPECT_EQ(NormalizeForMatch("  a\t\n b\u00A0\u00A0c\u3000 ", {}), "a b c");
  EXPECT_EQ(NormalizeForMatch("   ", {}), "");
}

TEST(TextMatch, NfkcFoldsFullwidthForms) {
  EXPECT_EQ(NormalizeForMatch("ＡＢＣ１２３", {}), "ABC123");
}

TEST(TextMatch, RegexesToIgnoreAreRemovedFirst) {
  // lm-eval's gsm8k exact_match options applied to a gold answer.
  MatchOptions o;
  o.ignore_case = true;
  o.regexes_to_ignore = {",", "\\$", "(?s).*#### "};
  EXPECT_EQ(NormalizeForMatch("Natalia sold 48/2 = 24 clips.\n#### 1,072", o), "1072");
  EXPECT_EQ(ExactMatch("$1,072", "Natalia sold 48/2 = 24 clips.\n#### 1,072", o), 1.0);
}

TEST(TextMatch, IgnoreNumbersDropsDecimalDigits) {
  MatchOptions o;
  o.ignore_numbers = true;
  EXPECT_EQ(NormalizeForMatch("room 101 is ready", o), "room is ready");
  EXPECT_EQ(ExactMatch("18", "18.0", o), 0.0);  // "" vs "." : no numeric compare either
  EXPECT_EQ(ExactMatch("page 7", "page 9", o), 1.0);
}

TEST(TextMatch, BadRegexToIgnoreThrowsInputError) {
  MatchOptions o;
  o.regexes_to_ignore = {"(unclosed"};
  EXPECT_THROW(NormalizeForMatch("x", o), InputError);
}

TEST(TextMatch, ParseNumberAcceptsSignsCurrencySeparatorsAndTrailingPeriod) {
  EXPECT_EQ(ParseNumber("18"), 18.0);
  EXPECT_EQ(ParseNumber("18.0"), 18.0);
  EXPECT_EQ(ParseNumber("$18"), 18.0);
  EXPECT_EQ(ParseNumber(" 18. "), 18.0);
  EXPECT_EQ(ParseNumber("1,800"), 1800.0);
  EXPECT_EQ(ParseNumber("12,345,678.25"), 12345678.25);
  EXPECT_EQ(ParseNumber("-3.50"), -3.5);
  EXPECT_EQ(ParseNumber("-$3"), -3.0);
  EXPECT_EQ(ParseNumber("$-3"), -3.0);
  EXPECT_EQ(ParseNumber("₩1,000"), 1000.0);
  EXPECT_EQ(ParseNumber("1000원"), 1000.0);
  EXPECT_EQ(ParseNumber("1,000 원."), 1000.0);
  EXPECT_EQ(ParseNumber("€2.5"), 2.5);
  EXPECT_EQ(ParseNumber("50%"), 50.0);
  EXPECT_EQ(ParseNumber(".5"), 0.5);
  EXPECT_EQ(ParseNumber("１８"), 18.0);     // full-width digits, via NFKC
  EXPECT_EQ(ParseNumber("\u22127"), -7.0);  // U+2212 MINUS SIGN, then 7
}

TEST(TextMatch, ParseNumberRejectsAmbiguousForms) {
  for (const char* text : {"1,80", "1,8000", "1234,567", "1.2.3", "1e5", "$", "", "-", "abc",
                           "18 eggs", "₩1000원", "--1", "1,,000", "0x1F", "18..", "1 000"}) {
    EXPECT_EQ(ParseNumber(text), std::nullopt) << text;
  }
}

TEST(TextMatch, ExactMatchComparesNumbersByValue) {
  EXPECT_EQ(ExactMatch("18", "18.0", {}), 1.0);
  EXPECT_EQ(ExactMatch("$18", "18", {}), 1.0);
  EXPECT_EQ(ExactMatch("1,800", "1800", {}), 1.0);
  EXPECT_EQ(ExactMatch("₩1,000", "1000원", {}), 1.0);
  EXPECT_EQ(ExactMatch("-3.50", "-3.5", {}), 1.0);
  EXPECT_EQ(ExactMatch("18", "19", {}), 0.0);
  EXPECT_EQ(ExactMatch("1,80", "180", {}), 0.0);  // not a number, and the strings differ
  EXPECT_EQ(ExactMatch("0.1", "0.10000000000001", {}), 1.0);  // within 1e-9 relative
  EXPECT_EQ(ExactMatch("0.1", "0.1000001", {}), 0.0);
}

TEST(TextMatch, ExactMatchFindsNumbersAfterRegexesToIgnore) {
  MatchOptions o;
  o.regexes_to_ignore = {"(?s).*#### "};
  EXPECT_EQ(ExactMatch("1234", "so 1,200 + 34 = 1,234\n#### 1,234", o), 1.0);
}

TEST(TextMatch, TokenF1PartialOverlap) {
  // pred 3 tokens, ref 4 tokens, 3 shared: P = 3/3, R = 3/4, F1 = 2*1*0.75/1.75 = 6/7.
  EXPECT_NEAR(TokenF1("the cat sat", "the cat sat down", {}), 6.0 / 7.0, 1e-12);
  // "a a a" vs "a b": one "a" shared (multiset), P = 1/3, R = 1/2, F1 = 2*(1/6)/(5/6) = 0.4.
  EXPECT_NEAR(TokenF1("a a a", "a b", {}), 0.4, 1e-12);
  EXPECT_EQ(TokenF1("x y", "z", {}), 0.0);
  EXPECT_EQ(TokenF1("Seoul", "seoul", IgnoreCase()), 1.0);
}

TEST(TextMatch, TokenF1EmptyCases) {
  EXPECT_EQ(TokenF1("", "  ", {}), 1.0);
  EXPECT_EQ(TokenF1("", "a", {}), 0.0);
  EXPECT_EQ(TokenF1("a", "", {}), 0.0);
}

TEST(TextMatch, TrimWhitespaceIsUnicodeAware) {
  EXPECT_EQ(TrimWhitespace("\xE3\x80\x80 a b\n\xC2\x85"), "a b");
  EXPECT_EQ(TrimWhitespace(" \t "), "");
  EXPECT_EQ(TrimWhitespace("x"), "x");
}

TEST(TextMatch, TranslatesPythonUnicodeClassesForRe2) {
  auto digits = CompileTaskRegex("정답은 (\\d+)", "test");
  std::string n;
  EXPECT_TRUE(RE2::PartialMatch("정답은 ٣٤ 입니다", *digits, &n));  // Arabic-Indic digits are \d
  EXPECT_EQ(n, "٣٤");
  auto word = CompileTaskRegex("^(\\w+)\\s(\\S+)$", "test");
  std::string a, b;
  ASSERT_TRUE(RE2::FullMatch("한국어\xE3\x80\x80나무", *word, &a, &b));  // U+3000 is \s
  EXPECT_EQ(a, "한국어");
  EXPECT_EQ(b, "나무");
  EXPECT_TRUE(RE2::FullMatch("가_1", *CompileTaskRegex("[\\w]+", "test")));
  EXPECT_FALSE(RE2::FullMatch("가", *CompileTaskRegex("\\W", "test")));
}

TEST(TextMatch, TranslatesPythonOnlySyntax) {
  EXPECT_EQ(TranslatePythonRegex("a{,2}"), "a{0,2}");
  EXPECT_EQ(TranslatePythonRegex("[[]"), "[\\[]");
  EXPECT_EQ(TranslatePythonRegex("[]a]"), "[\\]a]");
  EXPECT_EQ(TranslatePythonRegex("end\\Z"), "end\\z");
  EXPECT_EQ(TranslatePythonRegex("\\uAC00"), "\\x{AC00}");
  EXPECT_TRUE(RE2::FullMatch("가", *CompileTaskRegex("\\uAC00", "test")));
  EXPECT_TRUE(RE2::FullMatch("[", *CompileTaskRegex("[[]", "test")));
}

TEST(TextMatch, CompileTaskRegexRejectsLookaroundNamingWhere) {
  try {
    CompileTaskRegex("foo(?=bar)", "tasks/x.yaml: filter_list[0].filter[0].regex_pattern");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("tasks/x.yaml: filter_list[0].filter[0].regex_pattern"), std::string::npos);
    EXPECT_NE(what.find("foo(?=bar)"), std::string::npos);
  }
}

TEST(TextMatch, CompileTaskRegexRejectsSingleByteMatches) {
  // RE2's \C could cut a character in half; Python has no \C. An escaped backslash is fine.
  EXPECT_THROW(CompileTaskRegex("a\\Cb", "w"), InputError);
  EXPECT_TRUE(RE2::FullMatch("a\\Cb", *CompileTaskRegex("a\\\\Cb", "w")));
}

TEST(TextMatch, ReadMatchOptionChecksTypes) {
  MatchOptions o;
  EXPECT_TRUE(ReadMatchOption("ignore_case", YAML::Load("true"), "m.ignore_case", &o));
  EXPECT_TRUE(o.ignore_case);
  EXPECT_TRUE(ReadMatchOption("regexes_to_ignore", YAML::Load("[',', '\\$']"), "m.r", &o));
  EXPECT_EQ(o.regexes_to_ignore.size(), 2u);
  EXPECT_FALSE(ReadMatchOption("ignore_spaces", YAML::Load("true"), "m.x", &o));
  EXPECT_THROW(ReadMatchOption("ignore_case", YAML::Load("maybe"), "m.i", &o), InputError);
  EXPECT_THROW(ReadMatchOption("regexes_to_ignore", YAML::Load("','"), "m.r", &o), InputError);
  EXPECT_THROW(ReadMatchOption("regexes_to_ignore", YAML::Load("['(']"), "m.r", &o), InputError);
}

}  // namespace
}  // namespace kaieval::bench
