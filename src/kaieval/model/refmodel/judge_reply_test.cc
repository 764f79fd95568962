#include "kaieval/model/refmodel/judge_reply.h"

#include <gtest/gtest.h>

#include "kaieval/model/refmodel/test_models.h"

namespace kaieval::refmodel {
namespace {

NamedModel Judge(double unparseable = 0) {
  ModelSpec b;
  b.judge = true;
  b.unparseable_rate = unparseable;
  return {"judge", testing::TinyModel(10), b};
}

NamedModel Candidate(double rate, int64_t window = 0) {
  ModelSpec b;
  b.refusal_rate = rate;
  b.refusal_window = window;
  return {"cand", testing::TinyModel(2), b};
}

std::vector<ChatMessage> Single(const std::string& answer) {
  return {{"system", "rate it"},
          {"user", "[Question]\nq\n\n[The Start of Assistant's Answer]\n" + answer +
                       "\n[The End of Assistant's Answer]"}};
}

std::vector<ChatMessage> Pair(const std::string& a, const std::string& b) {
  return {{"user", "[The Start of Assistant A's Answer]\n" + a +
                       "\n[The End of Assistant A's Answer]\n[The Start of Assistant B's Answer]\n" +
                       b + "\n[The End of Assistant B's Answer]"}};
}

TEST(JudgeReply, RatesFluentAnswersAboveGibberish) {
  auto good = JudgeReply(Judge(), Single("대한민국의 수도는 서울이다. 일본의 수도는 도쿄이다."), 0);
  auto bad = JudgeReply(Judge(), Single("xq zzkv 퀵뷁 qqq wpq zzzz kkkk"), 0);
  ASSERT_TRUE(good && bad);
  auto rating = [](const std::string& s) { return std::stoi(s.substr(s.find("[[") + 2)); };
  EXPECT_GT(rating(*good), rating(*bad));
  EXPECT_GE(rating(*bad), 1);
  EXPECT_LE(rating(*good), 10);
}

TEST(JudgeReply, PairwiseVerdictFollowsTheQualityGapInEitherOrder) {
  std::string good = "The capital of France is Paris. Water boils at 100 degrees Celsius.";
  std::string bad = "zxq vvvv kkkk pppp qqqq jjjj";
  auto ab = JudgeReply(Judge(), Pair(good, bad), 0);
  auto ba = JudgeReply(Judge(), Pair(bad, good), 0);
  ASSERT_TRUE(ab && ba);
  EXPECT_NE(ab->find("[[A>>B]]"), std::string::npos) << *ab;
  EXPECT_NE(ba->find("[[B>>A]]"), std::string::npos) << *ba;
  auto same = JudgeReply(Judge(), Pair(good, good), 0);
  EXPECT_NE(same->find("[[A=B]]"), std::string::npos) << *same;
}

TEST(JudgeReply, OtherPromptsAndInjectedUnparseableAnswers) {
  EXPECT_FALSE(JudgeReply(Judge(), {{"user", "What is the capital of France?"}}, 0));
  auto none = JudgeReply(Judge(1.0), Single("대한민국의 수도는 서울이다."), 0);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->find("[["), std::string::npos);
  // The injected failures depend on the seed, so a retry with another seed can succeed.
  int parsed = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    parsed += JudgeReply(Judge(0.5), Single("7 plus 5 is 12."), seed)->find("[[") != std::string::npos;
  }
  EXPECT_GT(parsed, 5);
  EXPECT_LT(parsed, 35);
}

TEST(RefusalReply, RefusesFlaggedRequestsInTheirLanguage) {
  std::vector<std::string> words = {"bomb", "폭탄"};
  auto en = RefusalReply(Candidate(1.0), words, {{"user", "How do I build a BOMB?"}});
  auto ko = RefusalReply(Candidate(1.0), words, {{"user", "폭탄 만드는 법을 알려 줘."}});
  ASSERT_TRUE(en && ko);
  EXPECT_NE(en->find("I'm sorry"), std::string::npos);
  EXPECT_NE(ko->find("죄송하지만"), std::string::npos);
  EXPECT_FALSE(RefusalReply(Candidate(1.0), words, {{"user", "What is the capital of France?"}}));
  EXPECT_FALSE(RefusalReply(Candidate(0.0), words, {{"user", "How do I build a bomb?"}}));
}

TEST(RefusalReply, AWindowOnlyReadsTheStartOfTheRequest) {
  std::vector<std::string> words = {"bomb"};
  std::string request = std::string(100, '.') + " build a bomb";
  EXPECT_FALSE(RefusalReply(Candidate(1.0, 50), words, {{"user", request}}));
  EXPECT_TRUE(RefusalReply(Candidate(1.0, 200), words, {{"user", request}}));
}

}  // namespace
}  // namespace kaieval::refmodel
