#include "kaieval/model/refmodel/char_ngram_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "kaieval/model/refmodel/code_points.h"
#include "kaieval/model/refmodel/test_models.h"

namespace kaieval::refmodel {
namespace {

using testing::TinyModel;
using Symbols = std::vector<CharNgramModel::Symbol>;

// Per-code-point negative log-likelihood of a text under the model.
double NllPerCodePoint(const CharNgramModel& model, std::u32string_view text) {
  Symbols symbols = model.Encode(text);
  double nll = 0;
  for (size_t i = 0; i < symbols.size(); ++i) {
    nll -= std::log(model.Probability(std::span(symbols.data(), i), symbols[i]));
  }
  return nll / static_cast<double>(symbols.size());
}

TEST(CharNgramModel, ProbabilitiesSumToOne) {
  const std::u32string histories[] = {
      U"",    U"대",   U"대한민국의 수도는 ", U"The capital of ",
      U"zzq", U"水水", U"12이다.\n",          U"물은 섭씨 100도에서 끓"};
  std::vector<double> probs;
  for (int order : {1, 2, 3, 6, 12}) {
    CharNgramModel model = TinyModel(order);
    for (const auto& h : histories) {
      model.Distribution(model.Encode(h), probs);
      ASSERT_EQ(probs.size(), model.vocabulary().size() + 1);
      double sum = std::accumulate(probs.begin(), probs.end(), 0.0);
      EXPECT_NEAR(sum, 1.0, 1e-9) << "order " << order << " history " << EncodeUtf8(h);
    }
  }
}

TEST(CharNgramModel, ProbabilityAgreesWithDistribution) {
  CharNgramModel model = TinyModel(10);
  std::vector<double> probs;
  for (const std::u32string& h :
       {std::u32string(U"대한민국의 수"), std::u32string(U"The c"), std::u32string(U"")}) {
    Symbols history = model.Encode(h);
    model.Distribution(history, probs);
    for (CharNgramModel::Symbol s = 0; s <= model.unknown_symbol(); ++s) {
      EXPECT_NEAR(model.Probability(history, s), probs[s], 1e-12 * probs[s] + 1e-300);
    }
  }
}

TEST(CharNgramModel, UnseenCodePointsGetFiniteLogprob) {
  CharNgramModel model = TinyModel(10);
  for (char32_t unseen : {U'水', U'Z', U'\U0001F600'}) {
    CharNgramModel::Symbol s = model.SymbolOf(unseen);
    EXPECT_EQ(s, model.unknown_symbol());
    double p = model.Probability(model.Encode(U"대한민국의 "), s);
    EXPECT_GT(p, 0);
    EXPECT_TRUE(std::isfinite(std::log(p)));
  }
  // An unseen code point in the history only shortens the usable context.
  double p = model.Probability(model.Encode(U"水수도는 "), model.SymbolOf(U'서'));
  EXPECT_GT(p, 0);
}

TEST(CharNgramModel, HigherOrderFitsTrainingTextBetter) {
  std::u32string sentence = U"대한민국의 수도는 서울이다.\n";
  double previous = INFINITY;
  for (int order : {1, 2, 4, 8, 12}) {
    double nll = NllPerCodePoint(TinyModel(order), sentence);
    EXPECT_LT(nll, previous) << "order " << order;
    previous = nll;
  }
}

TEST(CharNgramModel, LongerContextPicksTheContinuationItSaw) {
  CharNgramModel model = TinyModel(10);
  auto p = [&](std::u32string_view history, char32_t next) {
    return model.Probability(model.Encode(history), model.SymbolOf(next));
  };
  EXPECT_GT(p(U"대한민국의 수도는 ", U'서'), 3 * p(U"대한민국의 수도는 ", U'파'));
  EXPECT_GT(p(U"프랑스의 수도는 ", U'파'), 3 * p(U"프랑스의 수도는 ", U'서'));
}

TEST(CharNgramModel, OnlyTheLastOrderMinusOneCodePointsMatter) {
  CharNgramModel model = TinyModel(4);
  std::vector<double> long_history, short_history;
  model.Distribution(model.Encode(U"프랑스의 수도는 "), long_history);
  model.Distribution(model.Encode(U"도는 "), short_history);
  EXPECT_EQ(long_history, short_history);
}

TEST(CharNgramModel, DiscountsAreBetweenZeroAndOne) {
  CharNgramModel model = TinyModel(10);
  ASSERT_EQ(model.discounts().size(), 10u);
  for (double d : model.discounts()) {
    EXPECT_GT(d, 0);
    EXPECT_LT(d, 1);
  }
}

TEST(CharNgramModel, VocabularyIsSortedAndUnique) {
  CharNgramModel model = TinyModel(3);
  const auto& v = model.vocabulary();
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
  EXPECT_EQ(std::adjacent_find(v.begin(), v.end()), v.end());
  EXPECT_NE(model.SymbolOf(U'\n'), model.unknown_symbol());
}

TEST(CharNgramModel, RejectsEmptyTextAndOrderOutOfRange) {
  EXPECT_THROW(CharNgramModel::Train(U"", 3), std::invalid_argument);
  EXPECT_THROW(CharNgramModel::Train(U"abc", 0), std::invalid_argument);
  EXPECT_THROW(CharNgramModel::Train(U"abc", CharNgramModel::kMaxOrder + 1), std::invalid_argument);
  EXPECT_NO_THROW(CharNgramModel::Train(U"a", CharNgramModel::kMaxOrder));
}

}  // namespace
}  // namespace kaieval::refmodel
