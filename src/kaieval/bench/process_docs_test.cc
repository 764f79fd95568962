#include "kaieval/bench/process_docs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::bench {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

std::vector<ProcessStep> Steps(const std::string& yaml) {
  return ParseProcessDocs(YAML::Load(yaml)["process_docs"], "task.yaml");
}

Document Doc(const std::string& json) { return Document{Json::parse(json), "data.csv:row 7"}; }

Json Apply(const std::string& yaml, const std::string& json) {
  Document doc = Doc(json);
  auto steps = Steps(yaml);
  ApplyProcessDocs(steps, doc);
  return doc.fields;
}

std::string ApplyError(const std::string& yaml, const std::string& json) {
  return testing::InputErrorMessage([&] { Apply(yaml, json); });
}

std::string ListError(std::string_view text) {
  return testing::InputErrorMessage(
      [&] { ParseListLiteral(text, "x.tsv:row 3: column 'choices'"); });
}

TEST(ParseListLiteral, PythonSingleQuotedStrings) {
  EXPECT_EQ(ParseListLiteral("['a', 'b', 'c']", "w").dump(), R"(["a","b","c"])");
}

TEST(ParseListLiteral, JsonDoubleQuotedStrings) {
  EXPECT_EQ(ParseListLiteral(R"(["a","b"])", "w").dump(), R"(["a","b"])");
}

TEST(ParseListLiteral, EmptyListAndTrailingComma) {
  EXPECT_EQ(ParseListLiteral("[]", "w").dump(), "[]");
  EXPECT_EQ(ParseListLiteral(" [ 'a' , ] ", "w").dump(), R"(["a"])");
}

TEST(ParseListLiteral, CommasAndOtherQuotesInsideStrings) {
  EXPECT_EQ(ParseListLiteral(R"(['a, b', "it's", '"q"'])", "w").dump(),
            R"(["a, b","it's","\"q\""])");
}

TEST(ParseListLiteral, BackslashEscapes) {
  auto list = ParseListLiteral(
      R"(['it\'s', "say \"hi\"", 'a\\b', 'n\nt\t', '\x41\u00e9\U0001F600', '\q'])", "w");
  EXPECT_EQ(list[0], "it's");
  EXPECT_EQ(list[1], "say \"hi\"");
  EXPECT_EQ(list[2], "a\\b");
  EXPECT_EQ(list[3], "n\nt\t");
  EXPECT_EQ(list[4], "A\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(list[5], "\\q");  // Python keeps unknown escapes
}

TEST(ParseListLiteral, JsonSurrogatePairsCombine) {
  EXPECT_EQ(ParseListLiteral(R"(["\ud83d\ude00", "\ud55c"])", "w")[0], "\xF0\x9F\x98\x80");
  EXPECT_THAT(ListError(R"(["\ud83d"])"), HasSubstr("lone surrogate"));
}

TEST(ParseListLiteral, KoreanText) {
  auto list = ParseListLiteral("['손자', '할머니', '알 수 없음']", "w");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2], "알 수 없음");
}

TEST(ParseListLiteral, Numbers) {
  EXPECT_EQ(ParseListLiteral("[1, -2, +3, 2.5, -1e3, .5]", "w").dump(), "[1,-2,3,2.5,-1000.0,0.5]");
  EXPECT_TRUE(ParseListLiteral("[1]", "w")[0].is_number_integer());
}

TEST(ParseListLiteral, RejectsEverythingElseWithWhereAndPosition) {
  EXPECT_THAT(ListError("'a', 'b'"), HasSubstr("x.tsv:row 3: column 'choices': expected a list "
                                               "literal such as ['a', 'b']: expected '[' to open "
                                               "the list at character 1"));
  EXPECT_THAT(ListError("['a', 'b'"), HasSubstr("expected ',' or ']' after an item"));
  EXPECT_THAT(ListError("['a' 'b']"),
              HasSubstr("expected ',' or ']' after an item at character 6"));
  EXPECT_THAT(ListError("['a]"), HasSubstr("unterminated string"));
  EXPECT_THAT(ListError("[['a']]"), HasSubstr("expected a quoted string or a number"));
  EXPECT_THAT(ListError("[True, None]"), HasSubstr("expected a quoted string or a number"));
  EXPECT_THAT(ListError("[1 + 2]"), HasSubstr("expected ',' or ']'"));
  EXPECT_THAT(ListError("['a'] extra"), HasSubstr("unexpected text after the closing ']'"));
  EXPECT_THAT(ListError("[99999999999999999999]"), HasSubstr("out of the 64-bit range"));
  EXPECT_THAT(ListError("['a\nb']"), HasSubstr("line break inside a quoted string"));
  EXPECT_THAT(ListError("['\\x4']"), HasSubstr("expected 2 hex digits"));
  EXPECT_THAT(ListError("[1e999]"), HasSubstr("out of range"));
  EXPECT_THAT(ListError("[-]"), HasSubstr("expected digits"));
  EXPECT_THAT(ListError("['\xff']"), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(ListError(""), HasSubstr("expected '['"));
}

TEST(ParseProcessDocs, NullGivesNoSteps) {
  EXPECT_TRUE(ParseProcessDocs(YAML::Node(), "t.yaml").empty());
}

TEST(ParseProcessDocs, NormalisesShorthandsAndRecordsLines) {
  auto steps = Steps(R"(process_docs:
  - parse_list: choices
  - to_int: [answer, label]
  - strip: {column: question}
  - index_of: {column: answer, in: choices}
)");
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].args.dump(), R"({"column":"choices","into":"choices"})");
  EXPECT_EQ(steps[0].where, "task.yaml:2");
  EXPECT_EQ(steps[1].args.dump(), R"({"columns":["answer","label"]})");
  EXPECT_EQ(steps[2].args.dump(), R"({"columns":["question"]})");
  EXPECT_EQ(steps[3].args["into"], "answer");
  EXPECT_EQ(steps[3].where, "task.yaml:5");
}

TEST(ParseProcessDocs, WhereWithALineTakesTheStepsLine) {
  auto node = YAML::Load("process_docs:\n  - strip: q\n  - strip: r\n")["process_docs"];
  auto steps = ParseProcessDocs(node, "t.yaml:1: process_docs");
  EXPECT_EQ(steps[1].where, "t.yaml:3: process_docs[1]");
}

TEST(ParseProcessDocs, UnknownOpListsTheKnownOnes) {
  std::string error =
      testing::InputErrorMessage([] { Steps("process_docs:\n  - lowercase: q\n"); });
  EXPECT_THAT(error, HasSubstr("task.yaml:2: unknown process_docs op 'lowercase'"));
  EXPECT_THAT(error,
              HasSubstr("parse_list, columns_to_list, rename, to_int, add, strip, index_of"));
}

TEST(ParseProcessDocs, PythonFunctionHookIsRejected) {
  EXPECT_THAT(
      testing::InputErrorMessage([] { Steps("process_docs: !function utils.process_docs\n"); }),
      HasSubstr("!function hooks are not supported"));
}

TEST(ParseProcessDocs, MalformedArgumentsAreErrors) {
  EXPECT_THAT(testing::InputErrorMessage([] { Steps("process_docs:\n  - rename: {from: a}\n"); }),
              HasSubstr("task.yaml:2: rename: expected a map like {from: old, to: new}; missing "
                        "'to'"));
  EXPECT_THAT(testing::InputErrorMessage(
                  [] { Steps("process_docs:\n  - add: {column: a, value: one}\n"); }),
              HasSubstr("'value' as a whole number, got 'one'"));
  EXPECT_THAT(testing::InputErrorMessage(
                  [] { Steps("process_docs:\n  - columns_to_list: {columns: A, into: c}\n"); }),
              HasSubstr("'columns' as a list"));
  EXPECT_THAT(testing::InputErrorMessage(
                  [] { Steps("process_docs:\n  - index_of: {column: a, in: b, at: c}\n"); }),
              HasSubstr("unknown key 'at'"));
  EXPECT_THAT(
      testing::InputErrorMessage([] { Steps("process_docs:\n  - to_int: a\n    strip: b\n"); }),
      HasSubstr("one 'op: arguments' entry"));
}

TEST(ApplyProcessDocs, ParseListTurnsALiteralIntoAnArray) {
  EXPECT_EQ(Apply("process_docs: [parse_list: choices]", R"({"choices": "['a', 'b']"})").dump(),
            R"({"choices":["a","b"]})");
  EXPECT_EQ(Apply("process_docs: [parse_list: {column: c, into: l}]", R"({"c": "[1]"})").dump(),
            R"({"c":"[1]","l":[1]})");
  EXPECT_EQ(Apply("process_docs: [parse_list: c]", R"({"c": ["x"]})").dump(), R"({"c":["x"]})");
}

TEST(ApplyProcessDocs, ParseListErrorNamesOriginAndColumn) {
  EXPECT_THAT(ApplyError("process_docs: [parse_list: c]", R"({"c": "a, b"})"),
              HasSubstr("data.csv:row 7: column 'c': expected a list literal"));
  EXPECT_THAT(ApplyError("process_docs: [parse_list: c]", R"({"c": 3})"),
              HasSubstr("data.csv:row 7: column 'c': expected a list literal string, got number"));
}

TEST(ApplyProcessDocs, ColumnsToListKeepsOrderAndSources) {
  EXPECT_EQ(Apply("process_docs: [columns_to_list: {columns: [B, A], into: choices}]",
                  R"({"A": "x", "B": "y"})")
                .dump(),
            R"({"A":"x","B":"y","choices":["y","x"]})");
}

TEST(ApplyProcessDocs, RenameKeepsTheColumnsPlace) {
  EXPECT_EQ(Apply("process_docs: [rename: {from: b, to: z}]", R"({"a": 1, "b": 2, "c": 3})").dump(),
            R"({"a":1,"z":2,"c":3})");
  EXPECT_THAT(ApplyError("process_docs: [rename: {from: a, to: c}]", R"({"a": 1, "c": 3})"),
              HasSubstr("column 'c': already exists"));
}

TEST(ApplyProcessDocs, ToIntParsesWholeNumbers) {
  EXPECT_EQ(Apply("process_docs: [to_int: [a, b, c, d]]",
                  R"({"a": " 3 ", "b": "-2", "c": "1.0", "d": 4.0})")
                .dump(),
            R"({"a":3,"b":-2,"c":1,"d":4})");
}

TEST(ApplyProcessDocs, ToIntRejectsOtherText) {
  EXPECT_THAT(ApplyError("process_docs: [to_int: answer]", R"({"answer": "x"})"),
              HasSubstr("data.csv:row 7: column 'answer': expected a whole number, got 'x' "
                        "(process_docs step to_int at task.yaml:1)"));
  EXPECT_THAT(ApplyError("process_docs: [to_int: a]", R"({"a": "1.5"})"), HasSubstr("got '1.5'"));
  EXPECT_THAT(ApplyError("process_docs: [to_int: a]", R"({"a": ""})"), HasSubstr("got ''"));
}

TEST(ApplyProcessDocs, AddShiftsIntegers) {
  EXPECT_EQ(Apply("process_docs: [to_int: a, add: {column: a, value: -1}]", R"({"a": "3"})").dump(),
            R"({"a":2})");
  EXPECT_THAT(ApplyError("process_docs: [add: {column: a, value: 1}]", R"({"a": "3"})"),
              HasSubstr("use to_int first"));
  EXPECT_THAT(
      ApplyError("process_docs: [add: {column: a, value: 1}]", R"({"a": 9223372036854775807})"),
      HasSubstr("overflows"));
}

TEST(ApplyProcessDocs, StripTrimsUnicodeWhiteSpace) {
  EXPECT_EQ(Apply("process_docs: [strip: q]", "{\"q\": \"\\u3000 \\t질문 있음\\u00a0\\n\"}")["q"],
            "질문 있음");
  EXPECT_EQ(Apply("process_docs: [strip: q]", R"({"q": "   "})")["q"], "");
  EXPECT_THAT(ApplyError("process_docs: [strip: q]", R"({"q": 1})"),
              HasSubstr("expected a string, got number"));
}

TEST(ApplyProcessDocs, IndexOfFindsThePosition) {
  EXPECT_EQ(Apply("process_docs: [parse_list: c, index_of: {column: a, in: c, into: label}]",
                  R"({"c": "['손자', '할머니', '알 수 없음']", "a": "알 수 없음"})")["label"],
            2);
  EXPECT_THAT(
      ApplyError("process_docs: [index_of: {column: a, in: c}]", R"({"c": ["x", "y"], "a": "z"})"),
      HasSubstr("column 'a': value 'z' is not one of 'c': [\"x\",\"y\"]"));
  EXPECT_THAT(ApplyError("process_docs: [index_of: {column: a, in: c}]", R"({"c": "x", "a": "x"})"),
              HasSubstr("column 'c': expected a list (use parse_list"));
}

TEST(ApplyProcessDocs, MissingColumnNamesTheColumnsThereAre) {
  EXPECT_THAT(
      ApplyError("process_docs: [strip: question]", R"({"q": "x", "a": "y"})"),
      HasSubstr("data.csv:row 7: column 'question': no such column; the document has q, a"));
}

TEST(ApplyProcessDocs, KmmluStyleAnswerBecomesZeroBasedChoiceIndex) {
  auto fields = Apply(R"(process_docs:
  - columns_to_list: {columns: [A, B, C, D], into: choices}
  - to_int: answer
  - add: {column: answer, value: -1}
)",
                      R"({"question": "1+1?", "A": "1", "B": "2", "C": "3", "D": "4",
                          "answer": "2"})");
  EXPECT_EQ(fields["choices"].dump(), R"(["1","2","3","4"])");
  EXPECT_EQ(fields["answer"], 1);
  EXPECT_EQ(fields["choices"][fields["answer"].get<int>()], "2");
}

}  // namespace
}  // namespace kaieval::bench

namespace kaieval::bench {
namespace {

TEST(ApplyProcessDocsRegexExtract, TakesTheFirstGroupOfTheFirstMatchTrimmed) {
  auto fields = Apply(
      R"re(process_docs: [regex_extract: {column: answer, pattern: "#### (.*)", into: target}])re",
      R"({"answer": "3 + 4 = 7\n#### 7 "})");
  EXPECT_EQ(fields["target"], "7");
  EXPECT_EQ(fields["answer"], "3 + 4 = 7\n#### 7 ");  // the source column stays
  auto whole = Apply(R"re(process_docs: [regex_extract: {column: a, pattern: "[0-9]+"}])re",
                     R"({"a": "정답은 42개"})");
  EXPECT_EQ(whole["a"], "42");
}

TEST(ApplyProcessDocsRegexExtract, NoMatchAndBadPatternAreErrors) {
  std::string e =
      ApplyError(R"re(process_docs: [regex_extract: {column: a, pattern: "#### (.*)"}])re",
                 R"({"a": "no hashes"})");
  EXPECT_NE(e.find("data.csv:row 7: column 'a'"), std::string::npos) << e;
  EXPECT_NE(e.find("does not match"), std::string::npos) << e;
  std::string bad = testing::InputErrorMessage(
      [] { Steps(R"re(process_docs: [regex_extract: {column: a, pattern: "(?<=x)y"}])re"); });
  EXPECT_NE(bad.find("regex_extract.pattern"), std::string::npos) << bad;
}

}  // namespace
}  // namespace kaieval::bench
