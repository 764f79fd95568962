#include "kaieval/bench/filters.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <functional>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::bench {
namespace {

// lm-eval's gsm8k filter_list, as task files write it.
constexpr const char* kGsm8kFilters = R"yaml(
- name: strict-match
  filter:
    - function: regex
      regex_pattern: "#### (\\-?[0-9\\.\\,]+)"
      group_select: 0
      fallback: "[invalid]"
    - function: take_first
- name: flexible-extract
  filter:
    - function: regex
      group_select: -1
      regex_pattern: "(-?[$0-9.,]{2,})|(-?[0-9]+)"
    - function: take_first
)yaml";

std::vector<FilterPipeline> Gsm8k() {
  return ParseFilterList(YAML::Load(kGsm8kFilters), "tasks/gsm8k.yaml: filter_list");
}

FilterPipeline Pipeline(const std::string& yaml) {
  return FilterPipeline::Parse(YAML::Load(yaml), "test");
}

std::string RegexOn(const std::string& pattern, int64_t group_select, const std::string& text) {
  auto re = CompileTaskRegex(pattern, "test");
  return RegexExtract(*re, text, group_select, "[invalid]");
}

TEST(FilterGsm8k, StrictMatchTakesTheNumberAfterHashes) {
  auto filters = Gsm8k();
  ASSERT_EQ(filters.size(), 2u);
  EXPECT_EQ(filters[0].name(), "strict-match");
  std::string out =
      "Janet's ducks lay 16 eggs. She eats 3 and bakes with 4, so she sells "
      "16 - 3 - 4 = 9 eggs... so she has 18 eggs.\n#### 18";
  EXPECT_EQ(filters[0].Apply({out}), std::vector<std::string>{"18"});
  EXPECT_EQ(filters[0].Apply({"The answer is 18."}), std::vector<std::string>{"[invalid]"});
}

TEST(FilterGsm8k, FlexibleExtractTakesTheLastNumberAndMatchesNumerically) {
  auto filters = Gsm8k();
  auto got = filters[1].Apply({"First 12 apples, then 3 more. The answer is $1,234."});
  ASSERT_EQ(got, std::vector<std::string>{"$1,234."});
  EXPECT_EQ(ExactMatch(got[0], "1234", {}), 1.0);
  // A lone digit is found by the second alternative (the first needs two characters).
  EXPECT_EQ(filters[1].Apply({"so x = 7"}), std::vector<std::string>{"7"});
  EXPECT_EQ(filters[1].Apply({"no digits"}), std::vector<std::string>{"[invalid]"});
}

TEST(Filter, GroupSelectIndexesMatchesLikePython) {
  const std::string text = "a1 b22 c333";
  EXPECT_EQ(RegexOn("[0-9]+", 0, text), "1");
  EXPECT_EQ(RegexOn("[0-9]+", 1, text), "22");
  EXPECT_EQ(RegexOn("[0-9]+", -1, text), "333");
  EXPECT_EQ(RegexOn("[0-9]+", -3, text), "1");
  EXPECT_EQ(RegexOn("[0-9]+", 3, text), "[invalid]");  // lm-eval would raise IndexError
  EXPECT_EQ(RegexOn("[0-9]+", -4, text), "[invalid]");
}

TEST(Filter, RegexGroupsFollowFindall) {
  EXPECT_EQ(RegexOn("b[0-9]+", 0, "a1 b22"), "b22");   // no group: the whole match
  EXPECT_EQ(RegexOn("([a-z])([0-9])", 0, "x9"), "x");  // several: the first non-empty
  EXPECT_EQ(RegexOn("(q)?([0-9])", 0, "x9"), "9");
  EXPECT_EQ(RegexOn("(q)?[0-9]", 0, "x9"), "");                     // one group that took no part
  EXPECT_EQ(RegexOn("(q)?(r)?[0-9]", 0, "x9"), "[invalid]");        // all groups empty
  EXPECT_EQ(RegexOn("answer: (.*)", 0, "answer:   42  \n"), "42");  // result stripped
}

TEST(Filter, EmptyMatchesCountLikePythonFindall) {
  // re.findall(r"\d*", "12a") == ["12", "", ""]
  EXPECT_EQ(RegexOn("\\d*", 0, "12a"), "12");
  EXPECT_EQ(RegexOn("\\d*", 2, "12a"), "");
  EXPECT_EQ(RegexOn("\\d*", 3, "12a"), "[invalid]");
  // Empty matches step over whole code points: re.findall("x*", "가나") == ["", "", ""].
  EXPECT_EQ(RegexOn("x*", 2, "가나"), "");
  EXPECT_EQ(RegexOn("x*", 3, "가나"), "[invalid]");
}

TEST(Filter, FallbackIsConfigurable) {
  auto p = Pipeline(R"yaml({name: f, filter: [{function: regex, regex_pattern: "(\\d+)",
                        fallback: "없음"}]})yaml");
  EXPECT_EQ(p.Apply({"none here"}), std::vector<std::string>{"없음"});
}

TEST(Filter, RegexIgnoreCaseAndUnicodeClasses) {
  auto p = Pipeline(R"yaml({name: f, filter: [{function: regex, ignore_case: true,
                        regex_pattern: "answer is (\\w+)"}]})yaml");
  EXPECT_EQ(p.Apply({"The ANSWER IS Seoul."}), std::vector<std::string>{"Seoul"});
  auto ko = Pipeline(R"yaml({name: f, filter: [{function: regex,
                         regex_pattern: "정답[은는]\\s*\\(?(\\w)\\)?"}]})yaml");
  EXPECT_EQ(ko.Apply({"따라서 정답은 (나) 입니다."}), std::vector<std::string>{"나"});
}

TEST(Filter, BadRegexThrowsInputErrorNamingWhere) {
  std::string what = testing::InputErrorMessage([] {
    ParseFilterList(YAML::Load("[{name: x, filter: [{function: regex, regex_pattern: '(a'}]}]"),
                    "tasks/gsm.yaml: filter_list");
  });
  EXPECT_NE(what.find("tasks/gsm.yaml: filter_list[0].filter[0].regex_pattern"), std::string::npos)
      << what;
  EXPECT_NE(what.find("(a"), std::string::npos) << what;
  // Python-only features that RE2 lacks are also bad input, not a crash.
  EXPECT_THROW(Pipeline("{name: x, filter: [{function: regex, regex_pattern: '(a)\\1'}]}"),
               InputError);
}

TEST(Filter, UnknownFunctionOrKeyListsTheValidOnes) {
  std::string what = testing::InputErrorMessage(
      [] { Pipeline("{name: x, filter: [{function: majority_vote}]}"); });
  EXPECT_NE(what.find("test.filter[0].function"), std::string::npos) << what;
  EXPECT_NE(what.find("regex, take_first"), std::string::npos) << what;
  what = testing::InputErrorMessage(
      [] { Pipeline("{name: x, filter: [{function: regex, group: 1}]}"); });
  EXPECT_NE(what.find("test.filter[0].group"), std::string::npos) << what;
  EXPECT_NE(what.find("group_select"), std::string::npos) << what;
  EXPECT_THROW(Pipeline("{name: x, filter: [{function: take_first, k: 2}]}"), InputError);
  EXPECT_THROW(Pipeline("{name: x, filter: [{function: regex, group_select: first}]}"), InputError);
  EXPECT_THROW(Pipeline("{name: x, filter: []}"), InputError);
  EXPECT_THROW(Pipeline("{filter: [{function: strip}]}"), InputError);
  EXPECT_THROW(Pipeline("{name: x, filters: [{function: strip}]}"), InputError);
}

TEST(Filter, TakeFirstKeepsOnlyTheFirstResponse) {
  auto p = Pipeline("{name: f, filter: [{function: strip}, {function: take_first}]}");
  EXPECT_EQ(p.Apply({" a ", " b "}), std::vector<std::string>{"a"});
  EXPECT_EQ(p.Apply({}), std::vector<std::string>{});
  auto no_take = Pipeline("{name: f, filter: [{function: strip}]}");
  EXPECT_EQ(no_take.Apply({" a ", " b "}), (std::vector<std::string>{"a", "b"}));
}

TEST(Filter, TextFunctions) {
  auto p = Pipeline("{name: f, filter: [{function: remove_whitespace}, {function: lowercase}]}");
  EXPECT_EQ(p.Apply({"\n  ÀB Ç  \t"}), std::vector<std::string>{"àb ç"});
  auto n = Pipeline(R"yaml({name: f, filter: [{function: normalize, ignore_case: true,
                       ignore_punctuation: true, regexes_to_ignore: ["^answer:"]}]})yaml");
  EXPECT_EQ(n.Apply({"Answer: Straße!"}), std::vector<std::string>{"answer strasse"});
  EXPECT_EQ(n.Apply({"answer: Straße!"}), std::vector<std::string>{"strasse"});
}

TEST(Filter, LastNumberReturnsDigitsWithoutSeparators) {
  EXPECT_EQ(LastNumber("I have 3 apples and 1,234.5 pears."), "1234.5");
  EXPECT_EQ(LastNumber("The answer is $1,234."), "1234");
  EXPECT_EQ(LastNumber("It is -7 degrees"), "-7");
  EXPECT_EQ(LastNumber("pages 3-5"), "5");
  EXPECT_EQ(LastNumber("정답은 ₩1,000원"), "1000");
  EXPECT_EQ(LastNumber("그래서 １８ 개"), "18");
  EXPECT_EQ(LastNumber("costs 12, not 1,80"), "12");  // "1,80" is no number
  EXPECT_EQ(LastNumber("no numbers"), std::nullopt);
  auto p = Pipeline("{name: f, filter: [{function: last_number, fallback: none}]}");
  EXPECT_EQ(p.Apply({"x = 4, y = 5.50"}), std::vector<std::string>{"5.50"});
  EXPECT_EQ(p.Apply({"nothing"}), std::vector<std::string>{"none"});
  EXPECT_EQ(ExactMatch(LastNumber("so $1,234.").value(), "1234", {}), 1.0);
}

TEST(Filter, FilterListDefaultsToNone) {
  auto absent = ParseFilterList(YAML::Node(), "f");
  ASSERT_EQ(absent.size(), 1u);
  EXPECT_EQ(absent[0].name(), "none");
  EXPECT_EQ(absent[0].Apply({" a ", "b"}), (std::vector<std::string>{" a ", "b"}));
  EXPECT_EQ(ParseFilterList(YAML::Load("[]"), "f")[0].name(), "none");
  YAML::Node map = YAML::Load("{x: 1}");
  EXPECT_EQ(ParseFilterList(map["filter_list"], "f")[0].name(), "none");
}

TEST(Filter, FilterListRejectsBadShapesAndDuplicateNames) {
  EXPECT_THROW(ParseFilterList(YAML::Load("strict"), "f"), InputError);
  EXPECT_THROW(ParseFilterList(YAML::Load("[strict]"), "f"), InputError);
  std::string what = testing::InputErrorMessage([] {
    ParseFilterList(YAML::Load("[{name: a, filter: [{function: strip}]},"
                               " {name: a, filter: [{function: strip}]}]"),
                    "f");
  });
  EXPECT_NE(what.find("f[1].name"), std::string::npos) << what;
}

TEST(Filter, ApplyIsThreadSafe) {
  auto filters = Gsm8k();
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        std::string n = std::to_string(t * 1000 + i);
        ok[t] += filters[0].Apply({"work\n#### " + n})[0] == n &&
                 filters[1].Apply({"so " + n + "."})[0] == n + ".";
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, (std::vector<int>(4, 500)));
}

}  // namespace
}  // namespace kaieval::bench
