#include "kaieval/bench/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kaieval_evaluator_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "mc.jsonl")
        << "{\"q\":\"하늘은\",\"choices\":[\"파랗다\",\"빨갛다\"],\"a\":\"파랗다\"}\n"
           "{\"q\":\"불은\",\"choices\":[\"차갑다\",\"뜨겁다\"],\"a\":1}\n"
           "{\"q\":\"눈은\",\"choices\":[\"희다\",\"검다\"],\"a\":\"0\"}\n";
    std::ofstream(dir_ / "gen.csv") << "question,answer\n2 더하기 2는,4\n3 더하기 3은,6\n";
  }
  TaskSpec Task(const std::string& yaml) {
    std::ofstream(dir_ / "task.yaml") << yaml;
    return LoadTaskSpec(dir_ / "task.yaml");
  }
  fs::path dir_;
};

TEST_F(EvaluatorTest, MultipleChoiceTargetsAreIndicesOrChoiceTexts) {
  auto task = Prepare(Task("task: mc\noutput_type: multiple_choice\ntest_split: mc.jsonl\n"
                           "doc_to_text: \"{{q}}\"\ndoc_to_choice: choices\ndoc_to_target: a\n"),
                      {});
  ASSERT_EQ(task.instances.size(), 3u);
  EXPECT_EQ(task.instances[0].gold, 0u);  // the text of a choice
  EXPECT_EQ(task.instances[1].gold, 1u);  // an integer
  EXPECT_EQ(task.instances[2].gold, 0u);  // a whole number written as text
  EXPECT_EQ(task.instances[1].context, "불은");
  EXPECT_EQ(task.n_original, 3u);
}

TEST_F(EvaluatorTest, FewshotContextFollowsLmEvalLayout) {
  auto task = Prepare(Task("task: mc\noutput_type: multiple_choice\ntest_split: mc.jsonl\n"
                           "description: \"상식 문제\\n\\n\"\n"
                           "doc_to_text: \"Q: {{q}}\\nA:\"\ndoc_to_choice: choices\n"
                           "doc_to_target: a\nnum_fewshot: 1\n"),
                      {});
  // first_n from the same split skips the document itself.
  EXPECT_EQ(task.instances[0].context, "상식 문제\n\nQ: 불은\nA: 뜨겁다\n\nQ: 하늘은\nA:");
  EXPECT_EQ(task.instances[1].context, "상식 문제\n\nQ: 하늘은\nA: 파랗다\n\nQ: 불은\nA:");
  auto zero = Prepare(Task("task: mc\noutput_type: multiple_choice\ntest_split: mc.jsonl\n"
                           "doc_to_text: \"{{q}}\"\ndoc_to_choice: choices\ndoc_to_target: a\n"
                           "num_fewshot: 1\n"),
                      {.num_fewshot = 0});
  EXPECT_EQ(zero.instances[0].context, "하늘은");
  EXPECT_EQ(zero.num_fewshot, 0);
}

TEST_F(EvaluatorTest, RandomFewshotIsSeededPerDocument) {
  std::string yaml = "task: mc\noutput_type: multiple_choice\ntest_split: mc.jsonl\n"
                     "doc_to_text: \"{{q}}\"\ndoc_to_choice: choices\ndoc_to_target: a\n"
                     "num_fewshot: 1\nfewshot_config: {sampler: random, seed: 7}\n";
  auto a = Prepare(Task(yaml), {.seed = 1});
  auto b = Prepare(Task(yaml), {.seed = 1});
  auto limited = Prepare(Task(yaml), {.limit = 1, .seed = 1});
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(a.instances[i].context, b.instances[i].context);
  EXPECT_EQ(limited.instances[0].context, a.instances[0].context);
}

TEST_F(EvaluatorTest, ChatTemplateSendsFewshotAsTurns) {
  auto task = Prepare(Task("task: g\ntest_split: gen.csv\ndoc_to_text: question\n"
                           "doc_to_target: answer\nnum_fewshot: 1\napply_chat_template: true\n"
                           "description: 계산하세요.\n"),
                      {});
  const auto& m = task.instances[0].messages;
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_EQ(m[1].content, "3 더하기 3은");
  EXPECT_EQ(m[2].role, "assistant");
  EXPECT_EQ(m[2].content, "6");
  EXPECT_EQ(m[3].content, "2 더하기 2는");
  EXPECT_EQ(task.instances[0].target, "4");
}

TEST_F(EvaluatorTest, MissingColumnIsFoundBeforeAnyRequest) {
  try {
    Prepare(Task("task: g\ntest_split: gen.csv\ndoc_to_text: \"{{question}} {{unit}}\"\n"
                 "doc_to_target: answer\n"),
            {});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("gen.csv"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'unit'"), std::string::npos) << e.what();
  }
}

TEST_F(EvaluatorTest, VersionChangesWhenTheDataChanges) {
  std::string yaml = "task: g\ntest_split: gen.csv\ndoc_to_text: question\ndoc_to_target: answer\n";
  std::string before = Prepare(Task(yaml), {}).version;
  EXPECT_EQ(before, Prepare(Task(yaml), {}).version);
  std::ofstream(dir_ / "gen.csv") << "question,answer\n2 더하기 2는,5\n3 더하기 3은,6\n";
  EXPECT_NE(before, Prepare(Task(yaml), {}).version);
}

TEST_F(EvaluatorTest, ScoresAndAggregatesMultipleChoiceByHand) {
  auto task = Prepare(Task("task: mc\noutput_type: multiple_choice\ntest_split: mc.jsonl\n"
                           "doc_to_text: \"{{q}}\"\ndoc_to_choice: choices\ndoc_to_target: a\n"),
                      {});
  // Per document logprobs of [choice 0, choice 1]: right, right, wrong.
  std::vector<std::vector<double>> lps = {{-1, -2}, {-3, -1}, {-2, -1}};
  std::vector<std::vector<ScoredDoc>> scored;
  for (size_t i = 0; i < 3; ++i) {
    Answers a;
    for (double lp : lps[i]) a.loglikelihoods.push_back({lp, false, 1, false, false});
    scored.push_back(ScoreInstance(task, task.instances[i], a));
    ASSERT_EQ(scored.back().size(), 1u);
    EXPECT_EQ(scored.back()[0].filter, "none");
  }
  EXPECT_EQ(scored[2][0].metrics["acc"], 0.0);
  auto r = Aggregate(task, scored, 1, 200);
  // acc = 2/3; sample sd = sqrt(((1/3)^2*2 + (2/3)^2) / 2) = sqrt(1/3); stderr = sd / sqrt(3) = 1/3.
  EXPECT_DOUBLE_EQ(r["acc,none"].get<double>(), 2.0 / 3.0);
  EXPECT_NEAR(r["acc_stderr,none"].get<double>(), 1.0 / 3.0, 1e-12);
}

TEST_F(EvaluatorTest, GenerationIsCutAtUntilThenFilteredThenScored) {
  auto task = Prepare(Task("task: g\ntest_split: gen.csv\ndoc_to_text: question\n"
                           "doc_to_target: answer\ngeneration_kwargs: {until: [\"\\n\"]}\n"
                           "filter_list:\n  - name: num\n    filter:\n"
                           "      - function: regex\n        regex_pattern: \"([0-9]+)\"\n"
                           "      - function: take_first\n"),
                      {});
  Answers a;
  a.generation = " 4이다.\n7 더하기 1은 8이다.";
  auto s = ScoreInstance(task, task.instances[0], a);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].filter, "num");
  EXPECT_EQ(s[0].resps[0], " 4이다.");
  EXPECT_EQ(s[0].filtered_resps[0], "4");
  EXPECT_EQ(s[0].metrics["exact_match"], 1.0);
}

TEST_F(EvaluatorTest, RollingAggregatesAreRatiosOfSums) {
  std::ofstream(dir_ / "text.jsonl") << "{\"t\":\"a b\"}\n{\"t\":\"c d e f\"}\n";
  auto task = Prepare(Task("task: r\noutput_type: loglikelihood_rolling\ntest_split: text.jsonl\n"
                           "doc_to_text: t\n"),
                      {});
  std::vector<std::vector<ScoredDoc>> scored;
  for (double ll : {-2.0, -4.0}) {
    Answers a;
    a.loglikelihoods.push_back({ll, false, 1, false, false});
    scored.push_back(ScoreInstance(task, task.instances[scored.size()], a));
  }
  auto r = Aggregate(task, scored, 1, 500);
  // words 2 + 4 = 6, bytes 3 + 7 = 10, ll -6.
  EXPECT_NEAR(r["word_perplexity,none"].get<double>(), std::exp(1.0), 1e-12);
  EXPECT_NEAR(r["byte_perplexity,none"].get<double>(), std::exp(0.6), 1e-12);
  EXPECT_NEAR(r["bits_per_byte,none"].get<double>(), 0.6 / std::log(2.0), 1e-12);
  EXPECT_GT(r["word_perplexity_stderr,none"].get<double>(), 0.0);
}

}  // namespace
}  // namespace kaieval::bench

namespace kaieval::bench {
namespace {

TEST_F(EvaluatorTest, ChatOnlyModelsGetConversationsAndCannotScoreLoglikelihoods) {
  auto gen = Prepare(Task("task: g\ntest_split: gen.csv\ndoc_to_text: question\n"
                          "doc_to_target: answer\n"),
                     {.chat_model = true});
  ASSERT_EQ(gen.instances[0].messages.size(), 1u);
  EXPECT_EQ(gen.instances[0].messages[0].content, "2 더하기 2는");
  try {
    Prepare(Task("task: mc\noutput_type: multiple_choice\ntest_split: mc.jsonl\n"
                 "doc_to_text: \"{{q}}\"\ndoc_to_choice: choices\ndoc_to_target: a\n"),
            {.chat_model = true});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("chat-only model"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kaieval::bench
