#include "kaieval/judge/verdict.h"

#include <gtest/gtest.h>

namespace kaieval::judge {
namespace {

TEST(ParseRating, ReadsTheLastDoubleBracketedNumber) {
  Rating r = ParseRating("The format is [[rating]]. Good answer, maybe [[6]]... Rating: [[8]]");
  ASSERT_TRUE(r.score);
  EXPECT_DOUBLE_EQ(*r.score, 8);
  EXPECT_EQ(r.method, ParseMethod::kDoubleBracket);
  EXPECT_DOUBLE_EQ(*ParseRating("점수: [[ 7.5 ]]").score, 7.5);
}

TEST(ParseRating, FallsBackToSingleBracketsThenALabel) {
  Rating single = ParseRating("I would give it [7] overall.");
  ASSERT_TRUE(single.score);
  EXPECT_DOUBLE_EQ(*single.score, 7);
  EXPECT_EQ(single.method, ParseMethod::kSingleBracket);
  Rating label = ParseRating("Helpful and correct. **Rating:** 9/10");
  ASSERT_TRUE(label.score);
  EXPECT_DOUBLE_EQ(*label.score, 9);
  EXPECT_EQ(label.method, ParseMethod::kLabel);
  EXPECT_DOUBLE_EQ(*ParseRating("전반적으로 좋습니다. 평가: 6점").score, 6);
}

TEST(ParseRating, OutOfScaleNumbersAreNotRatings) {
  EXPECT_FALSE(ParseRating("[[11]]").score);
  EXPECT_FALSE(ParseRating("[[0]]").score);
  // A usable rating in a later fallback still counts.
  Rating r = ParseRating("[[42]] then Score: 4");
  ASSERT_TRUE(r.score);
  EXPECT_DOUBLE_EQ(*r.score, 4);
}

TEST(ParseRating, NoVerdictIsUnparseableNotZero) {
  Rating r = ParseRating("This answer is quite good but I cannot decide.");
  EXPECT_FALSE(r.score);
  EXPECT_EQ(r.method, ParseMethod::kUnparseable);
  EXPECT_FALSE(ParseRating("").score);
  EXPECT_FALSE(ParseRating("[[").score);
}

TEST(ParsePairVerdict, ReadsArenaHardAndMtBenchMarks) {
  EXPECT_EQ(ParsePairVerdict("so [[A>>B]]").preference, Preference::kAMuchBetter);
  EXPECT_EQ(ParsePairVerdict("[[A>B]]").preference, Preference::kABetter);
  EXPECT_EQ(ParsePairVerdict("[[A = B]]").preference, Preference::kTie);
  EXPECT_EQ(ParsePairVerdict("[[B>A]]").preference, Preference::kBBetter);
  EXPECT_EQ(ParsePairVerdict("[[A<B]]").preference, Preference::kBBetter);
  EXPECT_EQ(ParsePairVerdict("[[B>>A]]").preference, Preference::kBMuchBetter);
  EXPECT_EQ(ParsePairVerdict("[[C]]").preference, Preference::kTie);
  EXPECT_EQ(ParsePairVerdict("[[A]]").preference, Preference::kABetter);
  PairVerdict single = ParsePairVerdict("Verdict: [B>A]");
  EXPECT_EQ(single.preference, Preference::kBBetter);
  EXPECT_EQ(single.method, ParseMethod::kSingleBracket);
}

TEST(ParsePairVerdict, ConflictingOrMissingVerdictsAreUnparseable) {
  EXPECT_EQ(ParsePairVerdict("[[A>B]] ... actually [[B>A]]").preference, Preference::kUnparseable);
  EXPECT_EQ(ParsePairVerdict("[[A>B]] and again [[A>B]]").preference, Preference::kABetter);
  EXPECT_EQ(ParsePairVerdict("both are fine").preference, Preference::kUnparseable);
}

TEST(ParseRefusalVerdict, ReadsTheThreeClasses) {
  EXPECT_EQ(ParseRefusalVerdict("[[full_refusal]]").refusal, RefusalClass::kFullRefusal);
  EXPECT_EQ(ParseRefusalVerdict("[[Partial Refusal]]").refusal, RefusalClass::kPartialRefusal);
  EXPECT_EQ(ParseRefusalVerdict("class: [1_full_compliance]").refusal,
            RefusalClass::kFullCompliance);
  EXPECT_EQ(ParseRefusalVerdict("[[full_refusal]] [[full_compliance]]").refusal,
            RefusalClass::kUnparseable);
  EXPECT_EQ(ParseRefusalVerdict("no idea").refusal, RefusalClass::kUnparseable);
}

}  // namespace
}  // namespace kaieval::judge
