#include "kaieval/arena/vote_filters.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

namespace kaieval::arena {
namespace {

const std::vector<std::string> kModels = {"m0", "m1", "m2", "m3"};

VoteWithConversation Row(int64_t id, const std::string& session, const std::string& client,
                         int a, int b, const std::string& vote, const std::string& prompt) {
  VoteWithConversation r;
  r.vote = {id, "battle" + std::to_string(id), session, client, kModels[a], kModels[b], vote,
            1000 * id, ""};
  r.turns.push_back({r.vote.battle_id, 1, prompt, "answer a", "answer b", 1000 * id});
  return r;
}

// Honest votes (m0 strongest ... m3 weakest, 200 rating points apart), each session voting 6
// times from its own address, and one rigger who always votes for m3 from one address with a
// fresh session every 10 votes.
std::vector<VoteWithConversation> Campaign() {
  std::mt19937_64 rng(42);
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  std::vector<VoteWithConversation> rows;
  int64_t id = 0;
  for (int voter = 0; voter < 150; ++voter) {
    for (int k = 0; k < 6; ++k) {
      int a = static_cast<int>(rng() % 4), b = static_cast<int>(rng() % 3);
      if (b >= a) ++b;
      const double p_a = 1 / (1 + std::pow(10.0, (a - b) * 200 / 400.0));
      rows.push_back(Row(++id, "s" + std::to_string(voter), "10.0.0." + std::to_string(voter), a,
                         b, uniform() < p_a ? "a" : "b", "prompt " + std::to_string(id)));
    }
  }
  for (int k = 0; k < 60; ++k) {
    int a = static_cast<int>(rng() % 4), b = static_cast<int>(rng() % 3);
    if (b >= a) ++b;
    if (a != 3 && b != 3) b = 3;
    rows.push_back(Row(++id, "rig" + std::to_string(k / 10), "203.0.113.9", a, b,
                       a == 3 ? "a" : "b", "rig prompt " + std::to_string(id)));
  }
  return rows;
}

FilterSettings Settings() { return {DefaultIdentityLexicon(), {}, {}}; }

TEST(VoteFilters, RiggerSpreadOverSessionsIsCaughtByAddressAndHonestVotesCount) {
  auto rows = Campaign();
  FilteredVotes f = FilterVotes(rows, {}, kModels, Settings());
  int64_t rigger_excluded = 0;
  std::set<std::string> honest_flagged;
  for (size_t i = 0; i < f.votes.size(); ++i) {
    if (!f.why[i]) continue;
    EXPECT_EQ(f.why[i]->reason, ExclusionReason::kSuspiciousVoter);
    if (f.votes[i].client == "203.0.113.9") {
      ++rigger_excluded;
    } else {
      honest_flagged.insert(f.votes[i].voter);
    }
  }
  EXPECT_EQ(rigger_excluded, 60);
  // The test's false-positive rate is about alpha = 0.001 per voter; with this seed one honest
  // voter of 150 (s76: four upsets in a row, p ~ 0.001) is flagged. At most 1% may be.
  EXPECT_LE(honest_flagged.size(), 1u);
}

TEST(VoteFilters, EveryFilterCanBeSwitchedOffForAudit) {
  auto rows = Campaign();
  FilteredVotes f = FilterVotes(rows, {}, kModels, Settings(), {ExclusionReason::kSuspiciousVoter});
  for (const auto& w : f.why) EXPECT_FALSE(w.has_value());
}

TEST(VoteFilters, StoredRefusalsLeaksAndAdminOverridesInOrder) {
  std::vector<VoteWithConversation> rows = {
      Row(1, "s1", "10.0.0.1", 0, 1, "a", "오늘 날씨 어때?"),
      Row(2, "s1", "10.0.0.1", 0, 1, "a", "너는 엑사원이야?"),
      Row(3, "s2", "10.0.0.2", 1, 2, "b", "한국의 수도는?"),
      Row(4, "s2", "10.0.0.2", 1, 2, "tie", "추석은 언제야?"),
  };
  rows[2].vote.rejected_reason = "rate_limit";
  std::vector<OverrideRow> overrides = {{4, "exclude", "duplicate account", 5},
                                        {2, "include", "committee: the question was fair", 6}};
  FilteredVotes f = FilterVotes(rows, overrides, kModels, Settings());
  EXPECT_FALSE(f.why[0].has_value());  // honest
  EXPECT_FALSE(f.why[1].has_value());  // an identity leak, but included by a recorded override
  ASSERT_TRUE(f.why[2].has_value());
  EXPECT_EQ(f.why[2]->reason, ExclusionReason::kRateLimit);
  ASSERT_TRUE(f.why[3].has_value());
  EXPECT_EQ(f.why[3]->reason, ExclusionReason::kAdmin);
  EXPECT_EQ(f.why[3]->detail, "duplicate account");

  // Without the admin filter the leak counts again, and the excluded vote is back.
  FilteredVotes audit = FilterVotes(rows, overrides, kModels, Settings(), {ExclusionReason::kAdmin});
  ASSERT_TRUE(audit.why[1].has_value());
  EXPECT_EQ(audit.why[1]->reason, ExclusionReason::kIdentityLeak);
  EXPECT_FALSE(audit.why[3].has_value());
}

}  // namespace
}  // namespace kaieval::arena
