#include "kaieval/model/refmodel/generation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kaieval/model/refmodel/code_points.h"
#include "kaieval/model/refmodel/test_models.h"

namespace kaieval::refmodel {
namespace {

using testing::TinyModel;

GenerateOptions Greedy(int max_tokens) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  o.temperature = 0;
  return o;
}

GenerateOptions Sampled(uint64_t seed) {
  GenerateOptions o;
  o.max_tokens = 40;
  o.temperature = 1.5;
  o.seed = seed;
  return o;
}

TEST(Generation, GreedyCompletesATrainingSentenceAndStopsAtNewline) {
  Generation g = Generate(TinyModel(10), U"대한민국의 수도는 ", Greedy(50));
  EXPECT_EQ(EncodeUtf8(g.text), "서울이다.");
  EXPECT_TRUE(g.stopped);
  EXPECT_EQ(g.generated_tokens, g.text.size() + 1);  // the "\n" counts, but is not in the text
  EXPECT_TRUE(g.stop_string.empty());
}

TEST(Generation, GreedyIsDeterministic) {
  CharNgramModel model = TinyModel(3);
  GenerateOptions o = Greedy(30);
  o.seed = 1;
  Generation a = Generate(model, U"The ", o);
  o.seed = 2;
  Generation b = Generate(model, U"The ", o);
  EXPECT_EQ(a.text, b.text);
}

TEST(Generation, GreedyTieGoesToTheLowestCodePoint) {
  // Unigram counts of 'b' and 'a' are equal, so every step is a tie.
  CharNgramModel model = CharNgramModel::Train(U"ba", 1);
  EXPECT_EQ(Generate(model, U"", Greedy(3)).text, U"aaa");
}

TEST(Generation, SameSeedGivesSameSampleAndOtherSeedsDiffer) {
  CharNgramModel model = TinyModel(2);
  Generation first = Generate(model, U"The ", Sampled(42));
  EXPECT_EQ(Generate(model, U"The ", Sampled(42)).text, first.text);
  int differing = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    differing += Generate(model, U"The ", Sampled(seed)).text != first.text;
  }
  EXPECT_GE(differing, 4);
}

TEST(Generation, MaxTokensEndsWithLength) {
  GenerateOptions o = Greedy(3);
  Generation g = Generate(TinyModel(10), U"대한민국의 수도는 ", o);
  EXPECT_EQ(EncodeUtf8(g.text), "서울이");
  EXPECT_FALSE(g.stopped);
  EXPECT_EQ(g.generated_tokens, 3u);
  EXPECT_TRUE(Generate(TinyModel(10), U"x", Greedy(0)).text.empty());
}

TEST(Generation, StopStringCutsTheTextBeforeIt) {
  GenerateOptions o = Greedy(50);
  o.stop = {"zzz", "이다"};
  o.top_logprobs = 2;
  Generation g = Generate(TinyModel(10), U"대한민국의 수도는 ", o);
  EXPECT_EQ(EncodeUtf8(g.text), "서울");
  EXPECT_TRUE(g.stopped);
  EXPECT_EQ(g.stop_string, "이다");
  EXPECT_EQ(g.generated_tokens, 4u);
  EXPECT_EQ(g.scores.size(), g.text.size());
}

TEST(Generation, ScoresOfGeneratedTokensListTheBestAlternatives) {
  GenerateOptions o = Greedy(5);
  o.top_logprobs = 3;
  Generation g = Generate(TinyModel(10), U"The capital of ", o);
  ASSERT_EQ(g.scores.size(), 5u);
  for (size_t i = 0; i < g.scores.size(); ++i) {
    const TokenScore& s = g.scores[i];
    EXPECT_EQ(s.token, g.text[i]);
    ASSERT_EQ(s.top.size(), 3u);  // greedy: the chosen token is the best one
    EXPECT_EQ(s.top[0].first, s.token);
    EXPECT_DOUBLE_EQ(s.top[0].second, *s.logprob);
    EXPECT_GE(s.top[0].second, s.top[1].second);
    EXPECT_GE(s.top[1].second, s.top[2].second);
  }
}

TEST(Generation, ScoreTextGivesNoLogprobToTheFirstToken) {
  auto scores = ScoreText(TinyModel(10), U"물은 끓는다", 2);
  ASSERT_EQ(scores.size(), 6u);
  EXPECT_FALSE(scores[0].logprob.has_value());
  EXPECT_TRUE(scores[0].top.empty());
  for (size_t i = 1; i < scores.size(); ++i) {
    ASSERT_TRUE(scores[i].logprob.has_value());
    EXPECT_LT(*scores[i].logprob, 0);
    EXPECT_GE(scores[i].top.size(), 2u);
    EXPECT_LE(scores[i].top.size(), 3u);
  }
}

TEST(Generation, ScoreTextAddsAnUnlistedActualTokenLast) {
  auto scores = ScoreText(TinyModel(10), U"대한민국의 수도는 水", 1);
  const TokenScore& last = scores.back();
  ASSERT_EQ(last.top.size(), 2u);
  EXPECT_NE(last.top[0].first, U'水');
  EXPECT_EQ(last.top[1].first, U'水');
  EXPECT_DOUBLE_EQ(last.top[1].second, *last.logprob);
  EXPECT_TRUE(std::isfinite(*last.logprob));
}

TEST(Generation, ScoreTextWithZeroAlternativesListsOnlyTheActualToken) {
  auto with_top = ScoreText(TinyModel(10), U"7 plus 5 is 12.", 5);
  auto without = ScoreText(TinyModel(10), U"7 plus 5 is 12.", 0);
  ASSERT_EQ(with_top.size(), without.size());
  for (size_t i = 1; i < without.size(); ++i) {
    ASSERT_EQ(without[i].top.size(), 1u);
    EXPECT_EQ(without[i].top[0].first, without[i].token);
    EXPECT_NEAR(*without[i].logprob, *with_top[i].logprob, 1e-12);
  }
}

}  // namespace
}  // namespace kaieval::refmodel
