#include "kaieval/bench/template.h"

#include <gtest/gtest.h>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

using nlohmann::ordered_json;

const ordered_json kDoc = {{"question", "대한민국의 수도는?"},
                           {"choices", {"서울", "부산"}},
                           {"answer", 0},
                           {"html", "<b>&</b>"},
                           {"meta", {{"source", "quiz"}}}};

TEST(PromptTemplate, RendersColumnsWithoutHtmlEscaping) {
  PromptTemplate t("Q: {{question}} {{html}} ({{meta.source}})", "t.yaml: doc_to_text", false);
  EXPECT_EQ(t.Render(kDoc, "d:1"), "Q: 대한민국의 수도는? <b>&</b> (quiz)");
  EXPECT_EQ(t.names(), (std::set<std::string>{"question", "html", "meta"}));
}

TEST(PromptTemplate, ColumnNameGivesTheValueAsItIs) {
  PromptTemplate choices("choices", "t.yaml: doc_to_choice", false);
  EXPECT_EQ(choices.Evaluate(kDoc, "d:1"), (ordered_json{"서울", "부산"}));
  PromptTemplate answer("answer", "t.yaml: doc_to_target", false);
  EXPECT_EQ(answer.Evaluate(kDoc, "d:1"), 0);
  EXPECT_EQ(answer.Render(kDoc, "d:1"), "0");
}

TEST(PromptTemplate, UnknownFieldIsAnErrorNamingDocumentFieldAndColumn) {
  PromptTemplate t("{{questoin}}", "t.yaml:4: doc_to_text", false);
  try {
    t.Render(kDoc, "data.jsonl:7");
    FAIL();
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("data.jsonl:7"), std::string::npos) << m;
    EXPECT_NE(m.find("t.yaml:4: doc_to_text"), std::string::npos) << m;
    EXPECT_NE(m.find("'questoin'"), std::string::npos) << m;
  }
  PromptTemplate column("answr", "t.yaml:5: doc_to_target", false);
  EXPECT_THROW(column.Evaluate(kDoc, "data.jsonl:7"), InputError);
}

TEST(PromptTemplate, ChoiceListEntriesMayBeLiteral) {
  PromptTemplate yes("yes", "t.yaml: doc_to_choice[1]", true);
  EXPECT_EQ(yes.Render(kDoc, "d:1"), "yes");
}

TEST(PromptTemplate, NamesInsideSectionsAreNotRequiredAtTopLevel) {
  PromptTemplate t("{{#choices}}- {{.}}\n{{/choices}}", "t.yaml: doc_to_text", false);
  EXPECT_EQ(t.names(), (std::set<std::string>{"choices"}));
  EXPECT_EQ(t.Render(kDoc, "d:1"), "- 서울\n- 부산\n");
}

TEST(PromptTemplate, ListColumnIsNotText) {
  PromptTemplate t("choices", "t.yaml: doc_to_text", false);
  EXPECT_THROW(t.Render(kDoc, "d:1"), InputError);
}

TEST(PromptTemplate, MalformedTemplateIsAnInputError) {
  EXPECT_THROW(PromptTemplate("{{#open}} never closed", "t.yaml: doc_to_text", false), InputError);
  EXPECT_THROW(PromptTemplate("{{unclosed", "t.yaml: doc_to_text", false), InputError);
}

TEST(ScalarText, WritesNumbersInTheirShortestForm) {
  EXPECT_EQ(ScalarText(ordered_json(18)), "18");
  EXPECT_EQ(ScalarText(ordered_json(0.5)), "0.5");
  EXPECT_EQ(ScalarText(ordered_json("x")), "x");
}

}  // namespace
}  // namespace kaieval::bench
