#include "kaieval/arena/prompt_dedup.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "kaieval/common/hash.h"
#include "kaieval/common/testing.h"

namespace kaieval::arena {
namespace {

using ::kaieval::testing::InputErrorMessage;

// Appends `copies` votes with this prompt, vote ids continuing from the last one.
void Add(std::vector<VoteRecord>& votes, const std::string& prompt, int copies) {
  for (int i = 0; i < copies; ++i) {
    VoteRecord v;
    v.vote_id = static_cast<int64_t>(votes.size()) + 1;
    v.voter = "s" + std::to_string(v.vote_id);
    v.user_messages = {prompt, "그 다음 질문"};
    votes.push_back(std::move(v));
  }
}

// 1001 prompts sent once each: then the 99.9th percentile of the per-prompt counts is 1 as long
// as at most one other prompt is repeated, and the cap is min_cap.
void Singletons(std::vector<VoteRecord>& votes) {
  for (int i = 0; i < 1001; ++i) Add(votes, "질문 " + std::to_string(i), 1);
}

std::set<int64_t> ExcludedIds(const PromptDedupResult& r) {
  std::set<int64_t> ids;
  for (const Exclusion& e : r.exclusions) ids.insert(e.vote_id);
  return ids;
}

TEST(PromptDedup, NormalisationFoldsCaseWidthWhitespaceAndHangulForm) {
  EXPECT_EQ(NormalizePrompt("  Hello\n\t WORLD  "), "hello world");
  EXPECT_EQ(NormalizePrompt("ＨＩ"), "hi");
  EXPECT_EQ(NormalizePrompt("\u1100\u1161\u11a8"), NormalizePrompt("각"));  // NFD jamo = NFC
  EXPECT_EQ(NormalizePrompt("안녕\u3000하세요"), "안녕 하세요");            // ideographic space
  EXPECT_EQ(PromptHash("Straße"), PromptHash("STRASSE"));
  EXPECT_NE(PromptHash("안녕"), PromptHash("안녕?"));
}

TEST(PromptDedup, DistinctPromptsAreLeftAlone) {
  std::vector<VoteRecord> votes;
  for (int i = 0; i < 500; ++i) Add(votes, "질문 " + std::to_string(i), 1);
  Add(votes, "안녕", 10);  // at the cap: kept
  PromptDedupResult r = DownsampleDuplicatePrompts(votes);
  EXPECT_EQ(r.cap, 10);
  EXPECT_EQ(r.distinct_prompts, 501u);
  EXPECT_EQ(r.over_cap_prompts, 0u);
  EXPECT_TRUE(r.exclusions.empty());
}

TEST(PromptDedup, AFloodedPromptIsCutToTheMinimumCap) {
  std::vector<VoteRecord> votes;
  for (int i = 0; i < 1000; ++i) Add(votes, "질문 " + std::to_string(i), 1);
  Add(votes, "안녕", 50);
  PromptDedupResult r = DownsampleDuplicatePrompts(votes);
  // 1001 counts, sorted: 1000 ones and a 50; the 99.9th percentile is at h = 999.0: 1.
  EXPECT_EQ(r.cap, 10);
  EXPECT_EQ(r.over_cap_prompts, 1u);
  ASSERT_EQ(r.exclusions.size(), 40u);
  for (const Exclusion& e : r.exclusions) {
    EXPECT_EQ(e.reason, ExclusionReason::kDuplicatePrompt);
    EXPECT_GT(e.vote_id, 1000);
    EXPECT_EQ(e.detail,
              "prompt " + PromptHash("안녕").substr(0, 12) + " has 50 votes, over the cap of 10");
  }
}

TEST(PromptDedup, CapIsTheQuantileOfPerPromptCountsRoundedDown) {
  std::vector<VoteRecord> votes;
  Add(votes, "a", 1);
  Add(votes, "b", 2);
  Add(votes, "c", 3);
  Add(votes, "d", 4);
  Add(votes, "e", 10);
  // Sorted counts 1 2 3 4 10. q = 0.6: h = 2.4, 3 + 0.4 * (4 - 3) = 3.4, so the cap is 3.
  PromptDedupResult r = DownsampleDuplicatePrompts(votes, {.quantile = 0.6, .min_cap = 1});
  EXPECT_EQ(r.cap, 3);
  EXPECT_EQ(r.over_cap_prompts, 2u);
  EXPECT_EQ(r.exclusions.size(), 1u + 7u);
  // q = 0.75: h = 3, exactly 4: "d" keeps its four votes, "e" keeps four of ten.
  r = DownsampleDuplicatePrompts(votes, {.quantile = 0.75, .min_cap = 1});
  EXPECT_EQ(r.cap, 4);
  EXPECT_EQ(r.exclusions.size(), 6u);
  // The minimum wins when it is larger.
  EXPECT_EQ(DownsampleDuplicatePrompts(votes, {.quantile = 0.75, .min_cap = 5}).cap, 5);
}

TEST(PromptDedup, SpellingVariantsCountAsOnePrompt) {
  std::vector<VoteRecord> votes;
  Singletons(votes);
  Add(votes, "안녕하세요", 4);
  Add(votes, " 안녕하세요 ", 4);
  Add(votes, "안녕하세요\n", 4);
  PromptDedupResult r = DownsampleDuplicatePrompts(votes);
  EXPECT_EQ(r.distinct_prompts, 1001u + 1u);
  EXPECT_EQ(r.exclusions.size(), 2u);
}

TEST(PromptDedup, KeepsTheCopiesWithTheSmallestDocumentedHash) {
  std::vector<VoteRecord> votes;
  Singletons(votes);
  Add(votes, "strawberry에 r이 몇 개?", 25);
  std::string prompt_hash = PromptHash("strawberry에 r이 몇 개?");
  std::vector<std::pair<std::string, int64_t>> keys;
  for (const VoteRecord& v : std::span(votes).subspan(1001)) {
    keys.emplace_back(
        ContentHash({"kaieval/prompt_dedup/v1", "", prompt_hash, std::to_string(v.vote_id)}),
        v.vote_id);
  }
  std::sort(keys.begin(), keys.end());
  std::set<int64_t> expected;
  for (size_t k = 10; k < keys.size(); ++k) expected.insert(keys[k].second);
  EXPECT_EQ(ExcludedIds(DownsampleDuplicatePrompts(votes)), expected);
}

TEST(PromptDedup, ChoiceDoesNotDependOnTheOrderOfVotes) {
  std::vector<VoteRecord> votes;
  Add(votes, "hi", 30);
  Add(votes, "hello", 20);
  for (int i = 0; i < 100; ++i) Add(votes, std::to_string(i), 1);
  // 102 counts: h = 101 * 0.9 = 90.9 falls among the ones, so the cap is min_cap = 10.
  PromptDedupOptions options{.quantile = 0.9};
  std::set<int64_t> forward = ExcludedIds(DownsampleDuplicatePrompts(votes, options));
  std::reverse(votes.begin(), votes.end());
  std::rotate(votes.begin(), votes.begin() + 37, votes.end());
  EXPECT_EQ(ExcludedIds(DownsampleDuplicatePrompts(votes, options)), forward);
  EXPECT_EQ(forward.size(), 20u + 10u);
}

TEST(PromptDedup, SaltChangesWhichCopiesSurviveButNotHowMany) {
  std::vector<VoteRecord> votes;
  Singletons(votes);
  Add(votes, "hi", 40);
  auto plain = ExcludedIds(DownsampleDuplicatePrompts(votes));
  auto salted = ExcludedIds(DownsampleDuplicatePrompts(votes, {.salt = "contest-2026"}));
  EXPECT_EQ(plain.size(), 30u);
  EXPECT_EQ(salted.size(), 30u);
  EXPECT_NE(plain, salted);
}

TEST(PromptDedup, VotesWithoutAUserMessageShareTheEmptyPrompt) {
  std::vector<VoteRecord> votes;
  Singletons(votes);
  votes.resize(votes.size() + 12);
  for (size_t i = 0; i < votes.size(); ++i) votes[i].vote_id = static_cast<int64_t>(i);
  EXPECT_EQ(DownsampleDuplicatePrompts(votes).exclusions.size(), 2u);
  EXPECT_TRUE(DownsampleDuplicatePrompts({}).exclusions.empty());
}

TEST(PromptDedup, BadOptionsAreInputErrors) {
  std::vector<VoteRecord> votes;
  Add(votes, "hi", 2);
  EXPECT_EQ(InputErrorMessage([&] { DownsampleDuplicatePrompts(votes, {.quantile = 1.5}); }),
            "filters.prompt_dedup.quantile: expected a number in [0, 1], got 1.5");
  EXPECT_EQ(InputErrorMessage([&] { DownsampleDuplicatePrompts(votes, {.min_cap = 0}); }),
            "filters.prompt_dedup.min_cap: expected an integer >= 1, got 0");
}

TEST(PromptDedup, OptionsLoadFromTheFiltersSection) {
  PromptDedupOptions o = LoadPromptDedupOptions(
      YAML::Load("prompt_dedup: {quantile: 0.99, min_cap: 5, salt: s3cret}"), "contest.yaml");
  EXPECT_EQ(o.quantile, 0.99);
  EXPECT_EQ(o.min_cap, 5);
  EXPECT_EQ(o.salt, "s3cret");
  EXPECT_EQ(LoadPromptDedupOptions(YAML::Node(), "contest.yaml").quantile, 0.999);
  auto error = [](const std::string& yaml) {
    return InputErrorMessage([&] { LoadPromptDedupOptions(YAML::Load(yaml), "contest.yaml"); });
  };
  EXPECT_EQ(error("prompt_dedup:\n  quantile: 99.9"),
            "contest.yaml:2: filters.prompt_dedup.quantile: expected a number from 0 to 1, got 99.9");
  EXPECT_EQ(error("prompt_dedup:\n  min_cap: ten"),
            "contest.yaml:2: filters.prompt_dedup.min_cap: expected an integer >= 1, got 'ten'");
  EXPECT_EQ(error("prompt_dedup:\n  cap: 3"),
            "contest.yaml:2: filters.prompt_dedup.cap: unknown key (expected quantile, min_cap, "
            "salt)");
  EXPECT_EQ(error("prompt_dedup: 3"), "contest.yaml:1: filters.prompt_dedup: expected a map");
}

}  // namespace
}  // namespace kaieval::arena
