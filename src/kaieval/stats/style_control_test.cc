#include "kaieval/stats/style_control.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::stats {
namespace {

using Outcome = Battle::Outcome;

AnswerStyle Length(double n) { return AnswerStyle{.length = n}; }

// Two equally strong models; model 0 writes long answers (900 to 1100 characters), model 1
// short ones (200 to 600), and whichever answer is longer wins with probability
// sigmoid(2 * standardised length difference), with the sides shuffled.
struct Simulated {
  std::vector<Battle> battles;
  std::vector<BattleStyle> styles;
};
Simulated LengthBiased(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  Simulated s;
  for (int i = 0; i < count; ++i) {
    const double long_len = 900 + 200 * uniform(), short_len = 200 + 400 * uniform();
    const bool zero_is_a = rng() & 1;
    const double la = zero_is_a ? long_len : short_len, lb = zero_is_a ? short_len : long_len;
    const double diff = (la - lb) / (la + lb + 1);  // about +-0.4 to +-0.6
    const double p_a = 1 / (1 + std::exp(-2 * diff / 0.5));
    const Outcome o = uniform() < p_a ? Outcome::kWinA : Outcome::kWinB;
    s.battles.push_back({zero_is_a ? 0u : 1u, zero_is_a ? 1u : 0u, o});
    s.styles.push_back({Length(la), Length(lb)});
  }
  return s;
}

TEST(StyleControl, FeaturesAreNormalisedDifferencesStandardised) {
  // Lengths 3 vs 1 and 1 vs 3: (3 - 1) / (3 + 1 + 1) = 0.4 and -0.4, mean 0, std 0.4. The other
  // features never vary, so they get no coefficient.
  const std::vector<Battle> battles = {{0, 1, Outcome::kWinA}, {0, 1, Outcome::kWinB}};
  const std::vector<BattleStyle> styles = {{Length(3), Length(1)}, {Length(1), Length(3)}};
  const StyleControlFit fit = FitStyleControl(2, battles, styles);
  EXPECT_NEAR(fit.feature_mean[0], 0, 1e-15);
  EXPECT_NEAR(fit.feature_stddev[0], 0.4, 1e-15);
  EXPECT_EQ(fit.feature_stddev[1], 0);
  EXPECT_EQ(fit.coefficients[1], 0);
  // The longer answer won both times: all of it goes to length, none to the models.
  EXPECT_GT(fit.coefficients[0], 0);
  EXPECT_NEAR(fit.ratings.rating[0], fit.ratings.rating[1], 1e-9);
}

TEST(StyleControl, WithoutStyleVariationAndRidgeItIsBradleyTerry) {
  // 3 wins of 4 and identical styles: the plain MLE, r_A - r_B = 400 log10(3).
  std::vector<Battle> battles(3, Battle{0, 1, Outcome::kWinA});
  battles.push_back({0, 1, Outcome::kWinB});
  const std::vector<BattleStyle> styles(4, BattleStyle{Length(10), Length(10)});
  const StyleControlFit fit = FitStyleControl(2, battles, styles, StyleControlOptions{.l2 = 0});
  EXPECT_TRUE(fit.ratings.converged);
  EXPECT_NEAR(fit.ratings.rating[0] - fit.ratings.rating[1], 400 * std::log10(3.0), 1e-6);
  EXPECT_NEAR(fit.ratings.rating[0] + fit.ratings.rating[1], 2000, 1e-9);
  EXPECT_EQ(fit.ratings.wins[0], 3);
}

TEST(StyleControl, LengthBiasMovesToTheCoefficientNotTheRatings) {
  const Simulated s = LengthBiased(20000, 5);
  const Ratings plain = FitBradleyTerry(2, s.battles);
  const StyleControlFit styled = FitStyleControl(2, s.battles, s.styles);
  // Plain Bradley-Terry credits the long-winded model with the length effect...
  EXPECT_GT(plain.rating[0] - plain.rating[1], 100);
  // ...style control gives it to the length coefficient: about 2 * 0.4-ish / 0.5 per sd.
  EXPECT_NEAR(styled.ratings.rating[0] - styled.ratings.rating[1], 0, 25);
  EXPECT_GT(styled.coefficients[0], 0.5);
}

TEST(StyleControl, FitMinimisesFastChatsPenalisedLogLoss) {
  // FastChat's objective: sum of log losses (ties half) + (reg / 2) * |params|^2, ratings in
  // units of 400 points. No small move of any parameter lowers it.
  Simulated s = LengthBiased(400, 9);
  s.battles[3].outcome = Outcome::kTie;
  s.styles[5].a.bold = 4;
  s.styles[6].b.headers = 2;
  const StyleControlFit fit = FitStyleControl(2, s.battles, s.styles);
  std::vector<double> x = {(fit.ratings.rating[0] - 1000) / 400,
                           (fit.ratings.rating[1] - 1000) / 400};
  for (double c : fit.coefficients) x.push_back(c);
  auto features = [&](size_t i) {
    const AnswerStyle& a = s.styles[i].a;
    const AnswerStyle& b = s.styles[i].b;
    const double ca[] = {a.length, a.headers, a.lists, a.bold};
    const double cb[] = {b.length, b.headers, b.lists, b.bold};
    std::vector<double> f(4);
    for (size_t k = 0; k < 4; ++k) {
      const double d = (ca[k] - cb[k]) / (ca[k] + cb[k] + 1);
      f[k] = fit.feature_stddev[k] > 0 ? (d - fit.feature_mean[k]) / fit.feature_stddev[k] : 0;
    }
    return f;
  };
  auto loss = [&](const std::vector<double>& p) {
    double total =
        0.25 * (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] + p[3] * p[3] + p[4] * p[4] + p[5] * p[5]);
    for (size_t i = 0; i < s.battles.size(); ++i) {
      const Battle& b = s.battles[i];
      const std::vector<double> f = features(i);
      double z = std::log(10.0) * (p[b.model_a] - p[b.model_b]);
      for (size_t k = 0; k < 4; ++k) z += f[k] * p[2 + k];
      const double y = b.outcome == Outcome::kWinA ? 1 : b.outcome == Outcome::kWinB ? 0 : 0.5;
      const double prob = 1 / (1 + std::exp(-z));
      total -= y * std::log(prob) + (1 - y) * std::log(1 - prob);
    }
    return total;
  };
  const double best = loss(x);
  for (size_t k = 0; k < x.size(); ++k) {
    for (double h : {-1e-3, 1e-3}) {
      std::vector<double> moved = x;
      moved[k] += h;
      EXPECT_GT(loss(moved), best) << "parameter " << k << " moved by " << h;
    }
  }
}

TEST(StyleControl, BootstrapIsDeterministicAndCoversThePoint) {
  const Simulated s = LengthBiased(3000, 2);
  const StyleControlIntervals one = BootstrapStyleControl(2, s.battles, s.styles, {}, 50, 7, 1);
  const StyleControlIntervals two = BootstrapStyleControl(2, s.battles, s.styles, {}, 50, 7, 2);
  EXPECT_EQ(one.ratings.replicates, two.ratings.replicates);
  EXPECT_EQ(one.coefficient_lower, two.coefficient_lower);
  EXPECT_LT(one.coefficient_lower[0], one.point.coefficients[0]);
  EXPECT_GT(one.coefficient_upper[0], one.point.coefficients[0]);
  EXPECT_LT(one.ratings.lower[0], one.ratings.point.rating[0]);
  EXPECT_GT(one.ratings.upper[0], one.ratings.point.rating[0]);
  EXPECT_EQ(one.ratings.resamples, 50);
}

TEST(StyleControl, RejectsBadInputNamingTheBattle) {
  const std::vector<Battle> battles = {{0, 1, Outcome::kWinA}, {0, 1, Outcome::kWinB}};
  const std::vector<BattleStyle> one_style = {{Length(1), Length(2)}};
  EXPECT_THROW(FitStyleControl(2, battles, one_style), InputError);
  const std::vector<BattleStyle> negative = {{Length(1), Length(2)}, {Length(-1), Length(2)}};
  const std::string message =
      testing::InputErrorMessage([&] { FitStyleControl(2, battles, negative); });
  EXPECT_NE(message.find("battle 1"), std::string::npos) << message;
  EXPECT_NE(message.find("length"), std::string::npos) << message;
  EXPECT_THROW(BootstrapStyleControl(2, battles, one_style, {}, 1), InputError);
}

}  // namespace
}  // namespace kaieval::stats
