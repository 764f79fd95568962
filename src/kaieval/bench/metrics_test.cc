#include "kaieval/bench/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <stdexcept>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::bench {
namespace {

ChoiceScores Choices(std::vector<double> logprobs, std::vector<std::string> choices,
                     std::vector<size_t> gold) {
  return {std::move(logprobs), std::move(choices), std::move(gold)};
}

MetricSpec Spec(const std::string& yaml, OutputType type) {
  return ParseMetricSpec(YAML::Load(yaml), type, "tasks/t.yaml: metric_list[0]");
}

TEST(Acc, PicksTheHighestLogprob) {
  EXPECT_EQ(Acc(Choices({-3.0, -1.0, -2.0}, {"a", "b", "c"}, {1})), 1.0);
  EXPECT_EQ(Acc(Choices({-3.0, -1.0, -2.0}, {"a", "b", "c"}, {2})), 0.0);
}

TEST(Acc, TiesGoToTheLowestIndex) {
  EXPECT_EQ(Acc(Choices({-1.0, -1.0}, {"a", "b"}, {0})), 1.0);
  EXPECT_EQ(Acc(Choices({-1.0, -1.0}, {"a", "b"}, {1})), 0.0);
  EXPECT_EQ(Acc(Choices({NAN, -5.0}, {"a", "b"}, {1})), 1.0);  // NaN never wins
}

TEST(Acc, AnyOfSeveralGoldsCounts) {
  EXPECT_EQ(Acc(Choices({-3.0, -1.0, -2.0}, {"a", "b", "c"}, {0, 1})), 1.0);
  EXPECT_EQ(Acc(Choices({-3.0, -1.0}, {"a", "b"}, {7})), 0.0);  // out-of-range gold
  EXPECT_EQ(Acc(Choices({}, {}, {0})), 0.0);
}

TEST(AccNorm, FlipsAccWhenTheLongChoiceHasLowerTotalButHigherPerCharLogprob) {
  // "no": -2.0 total, 2 code points -> -1.0 per char. "absolutely": -5.0 total, 10 code
  // points -> -0.5 per char. acc takes "no" (-2 > -5); acc_norm takes "absolutely" (-0.5 > -1).
  // (With negative logprobs a longer choice that also has the higher total always has the
  // higher per-char value too, so the flip needs the long choice to lose on the total.)
  auto s = Choices({-2.0, -5.0}, {"no", "absolutely"}, {1});
  EXPECT_EQ(Acc(s), 0.0);
  EXPECT_EQ(AccNorm(s), 1.0);
}

TEST(AccBytes, DiffersFromAccNormOnKorean) {
  // "가": -2.0, 1 code point, 3 bytes. "abcd": -6.0, 4 code points, 4 bytes.
  // acc_norm: -2/1 = -2.0 vs -6/4 = -1.5 -> "abcd". acc_bytes: -2/3 = -0.667 vs -1.5 -> "가".
  auto s = Choices({-2.0, -6.0}, {"가", "abcd"}, {0});
  EXPECT_EQ(AccNorm(s), 0.0);
  EXPECT_EQ(AccBytes(s), 1.0);
  EXPECT_EQ(Acc(s), 1.0);
}

TEST(AccNorm, EmptyChoiceNeverWinsAndSizesMustAgree) {
  EXPECT_EQ(AccNorm(Choices({0.0, -9.0}, {"", "x"}, {1})), 1.0);  // "" scores -inf, not 0/0
  EXPECT_EQ(AccBytes(Choices({0.0, -9.0}, {"", "x"}, {1})), 1.0);
  EXPECT_THROW(AccNorm(Choices({-1.0, -2.0}, {"a"}, {0})), std::invalid_argument);
}

TEST(Brier, MatchesHandComputation) {
  // p = {0.5, 0.3, 0.2}, gold 0: (0.5-1)^2 + 0.3^2 + 0.2^2 = 0.25 + 0.09 + 0.04 = 0.38.
  auto s = Choices({std::log(0.5), std::log(0.3), std::log(0.2)}, {"a", "b", "c"}, {0});
  EXPECT_NEAR(BrierScore(s), 0.38, 1e-12);
  // gold 2: 0.5^2 + 0.3^2 + (0.2-1)^2 = 0.25 + 0.09 + 0.64 = 0.98.
  s.gold = {2};
  EXPECT_NEAR(BrierScore(s), 0.98, 1e-12);
}

TEST(Brier, SoftmaxNormalisesOverTheChoices) {
  // log 0.2 and log 0.2 sum to 0.4, not 1: softmax makes them 0.5 each.
  // gold 1: 0.5^2 + (0.5-1)^2 = 0.5.
  EXPECT_NEAR(BrierScore(Choices({std::log(0.2), std::log(0.2)}, {"a", "b"}, {1})), 0.5, 1e-12);
  // Large logprobs do not overflow: {-1000, -1000 + log 3} -> p = {0.25, 0.75}, gold 1:
  // 0.25^2 + 0.25^2 = 0.125.
  EXPECT_NEAR(BrierScore(Choices({-1000.0, -1000.0 + std::log(3.0)}, {"a", "b"}, {1})), 0.125,
              1e-9);
}

TEST(Brier, SeveralGoldsScoreAgainstTheMostProbableOne) {
  // p = {0.5, 0.3, 0.2}, golds {1, 0}: target on 0 (the most probable gold) -> 0.38.
  auto s = Choices({std::log(0.5), std::log(0.3), std::log(0.2)}, {"a", "b", "c"}, {1, 0});
  EXPECT_NEAR(BrierScore(s), 0.38, 1e-12);
}

TEST(Perplexity, TwoItemAggregatesByHand) {
  // Item 1: ll -4, "hello world" = 2 words, 11 bytes.
  // Item 2: ll -6, "한국어 문장" = 2 words, 9 + 1 + 6 = 16 bytes.
  // Sums: ll -10, words 4, bytes 27.
  std::vector<RollingItem> items = {MakeRollingItem(-4.0, "hello world"),
                                    MakeRollingItem(-6.0, "한국어 문장")};
  EXPECT_EQ(items[0].words, 2.0);
  EXPECT_EQ(items[1].words, 2.0);
  EXPECT_EQ(items[0].bytes, 11.0);
  EXPECT_EQ(items[1].bytes, 16.0);
  // exp(10 / 4) = exp(2.5) = 12.18249...
  EXPECT_NEAR(WordPerplexity(items), 12.182493960703473, 1e-12);
  // exp(10 / 27) = exp(0.370370...) = 1.448271...
  EXPECT_NEAR(BytePerplexity(items), std::exp(10.0 / 27.0), 1e-12);
  EXPECT_NEAR(BytePerplexity(items), 1.448271, 1e-6);
  // 10 / (27 ln 2) = 10 / 18.71497... = 0.534331...
  EXPECT_NEAR(BitsPerByte(items), 10.0 / (27.0 * std::log(2.0)), 1e-12);
  EXPECT_NEAR(BitsPerByte(items), 0.534331, 1e-6);
}

TEST(Perplexity, RatioOfSumsNotMeanOfRatios) {
  // Items (ll, words): (-1, 1), (-9, 9), (-10, 1). Sums: ll -20, words 11 -> exp(20 / 11) =
  // 6.16...; the mean of the per-item perplexities (e, e, e^10) would be about 7344.
  std::vector<RollingItem> items = {{-1.0, 1.0, 1.0}, {-9.0, 9.0, 9.0}, {-10.0, 1.0, 1.0}};
  EXPECT_NEAR(WordPerplexity(items), std::exp(20.0 / 11.0), 1e-12);
}

TEST(Perplexity, WordsCountLikeLmEvalRegexSplit) {
  // len(re.split(r"\s+", text))
  EXPECT_EQ(MakeRollingItem(0, "a b").words, 2.0);
  EXPECT_EQ(MakeRollingItem(0, "a \n\t b").words, 2.0);
  EXPECT_EQ(MakeRollingItem(0, "a\u3000b").words, 2.0);  // U+3000 is whitespace
  EXPECT_EQ(MakeRollingItem(0, " a b\n").words, 4.0);    // ["", "a", "b", ""]
  EXPECT_EQ(MakeRollingItem(0, "").words, 1.0);          // [""]
}

TEST(Perplexity, NoItemsGiveNaN) {
  EXPECT_TRUE(std::isnan(WordPerplexity({})));
  EXPECT_TRUE(std::isnan(BytePerplexity({})));
  EXPECT_TRUE(std::isnan(BitsPerByte({})));
}

TEST(MetricRegistry, KnowsMetricsPerOutputType) {
  auto acc = FindMetric("acc", OutputType::kMultipleChoice);
  ASSERT_TRUE(acc);
  EXPECT_EQ(acc->aggregation, "mean");
  EXPECT_TRUE(acc->higher_is_better);
  EXPECT_FALSE(FindMetric("brier_score", OutputType::kMultipleChoice)->higher_is_better);
  EXPECT_FALSE(FindMetric("acc", OutputType::kGenerateUntil));
  EXPECT_EQ(FindMetric("word_perplexity", OutputType::kLoglikelihoodRolling)->aggregation,
            "weighted_perplexity");
  EXPECT_EQ(FindMetric("bits_per_byte", OutputType::kLoglikelihoodRolling)->aggregation,
            "bits_per_byte");
  EXPECT_FALSE(FindMetric("bits_per_byte", OutputType::kLoglikelihoodRolling)->higher_is_better);
}

TEST(MetricRegistry, DefaultMetricsMatchLmEval) {
  auto names = [](OutputType t) {
    std::vector<std::string> out;
    for (const auto& m : DefaultMetrics(t)) out.push_back(m.name);
    return out;
  };
  EXPECT_EQ(names(OutputType::kMultipleChoice), (std::vector<std::string>{"acc", "acc_norm"}));
  EXPECT_EQ(names(OutputType::kGenerateUntil), (std::vector<std::string>{"exact_match"}));
  EXPECT_EQ(names(OutputType::kLoglikelihoodRolling),
            (std::vector<std::string>{"word_perplexity", "byte_perplexity", "bits_per_byte"}));
}

TEST(MetricSpecParse, ReadsTheGsm8kEntry) {
  auto spec = Spec(R"yaml({metric: exact_match, aggregation: mean, higher_is_better: true,
                       ignore_case: true, ignore_punctuation: false,
                       regexes_to_ignore: [",", "\\$", "(?s).*#### "]})yaml",
                   OutputType::kGenerateUntil);
  EXPECT_EQ(spec.info.name, "exact_match");
  EXPECT_TRUE(spec.options.ignore_case);
  EXPECT_FALSE(spec.options.ignore_punctuation);
  EXPECT_EQ(spec.options.regexes_to_ignore, (std::vector<std::string>{",", "\\$", "(?s).*#### "}));
  std::vector<std::string> refs = {"Natalia sold ... clips.\n#### 1,072"};
  EXPECT_EQ(ScoreGeneration(spec, "$1,072", refs), 1.0);
}

TEST(MetricSpecParse, UnknownMetricListsTheValidOnesForTheOutputType) {
  std::string what =
      testing::InputErrorMessage([] { Spec("{metric: bleu}", OutputType::kGenerateUntil); });
  EXPECT_NE(what.find("tasks/t.yaml: metric_list[0].metric"), std::string::npos) << what;
  EXPECT_NE(what.find("exact_match, f1"), std::string::npos) << what;
  what = testing::InputErrorMessage([] { Spec("{metric: acc}", OutputType::kGenerateUntil); });
  EXPECT_NE(what.find("multiple_choice"), std::string::npos) << what;
  EXPECT_THROW(Spec("{aggregation: mean}", OutputType::kGenerateUntil), InputError);
  EXPECT_THROW(Spec("acc", OutputType::kMultipleChoice), InputError);
}

TEST(MetricSpecParse, UnknownOrMisplacedOptionsAreRejected) {
  std::string what = testing::InputErrorMessage(
      [] { Spec("{metric: acc, ignore_case: true}", OutputType::kMultipleChoice); });
  EXPECT_NE(what.find("metric_list[0].ignore_case"), std::string::npos) << what;
  EXPECT_NE(what.find("aggregation, higher_is_better"), std::string::npos) << what;
  what = testing::InputErrorMessage(
      [] { Spec("{metric: f1, ignore_spaces: true}", OutputType::kGenerateUntil); });
  EXPECT_NE(what.find("regexes_to_ignore"), std::string::npos) << what;
  EXPECT_THROW(Spec("{metric: acc, aggregation: median}", OutputType::kMultipleChoice), InputError);
  EXPECT_THROW(
      Spec("{metric: word_perplexity, aggregation: mean}", OutputType::kLoglikelihoodRolling),
      InputError);
  EXPECT_THROW(
      Spec("{metric: exact_match, regexes_to_ignore: ['(?<=a)b']}", OutputType::kGenerateUntil),
      InputError);
}

TEST(MetricSpecParse, AcceptsLmEvalAggregationNamesAndOverrides) {
  EXPECT_EQ(Spec("{metric: brier_score, aggregation: brier_score}", OutputType::kMultipleChoice)
                .info.aggregation,
            "mean");
  EXPECT_EQ(Spec("{metric: byte_perplexity, aggregation: weighted_perplexity}",
                 OutputType::kLoglikelihoodRolling)
                .info.name,
            "byte_perplexity");
  EXPECT_FALSE(Spec("{metric: acc, higher_is_better: false}", OutputType::kMultipleChoice)
                   .info.higher_is_better);
}

TEST(MetricScore, DispatchesByName) {
  auto s = Choices({-2.0, -6.0}, {"가", "abcd"}, {0});
  EXPECT_EQ(ScoreChoices(*FindMetric("acc_bytes", OutputType::kMultipleChoice), s), 1.0);
  EXPECT_EQ(ScoreChoices(*FindMetric("acc_norm", OutputType::kMultipleChoice), s), 0.0);
  EXPECT_THROW(ScoreChoices(*FindMetric("f1", OutputType::kGenerateUntil), s),
               std::invalid_argument);
  MetricSpec f1{*FindMetric("f1", OutputType::kGenerateUntil), {}};
  std::vector<std::string> refs = {"x y z", "the cat sat down"};
  EXPECT_NEAR(ScoreGeneration(f1, "the cat sat", refs), 6.0 / 7.0, 1e-12);  // best reference
  EXPECT_EQ(ScoreGeneration(f1, "the cat sat", {}), 0.0);
}

}  // namespace
}  // namespace kaieval::bench
