#include "kaieval/stats/online_elo.h"

#include <gtest/gtest.h>

#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::stats {
namespace {

using Outcome = Battle::Outcome;

TEST(OnlineElo, HandComputedSequenceWithKFour) {
  // Equal at 1000: A wins, expected 0.5, so A +2 and B -2. Then B wins: E_A = 1 / (1 +
  // 10^(-4/400)) = 0.5057562, A moves by 4 * (0 - 0.5057562) = -2.0230248. Then A and C tie:
  // E_A = 1 / (1 + 10^((1000 - 999.9769752) / 400)) = 0.4999669, A moves +0.0001325.
  const std::vector<Battle> battles = {
      {0, 1, Outcome::kWinA}, {0, 1, Outcome::kWinB}, {2, 0, Outcome::kTie}};
  const std::vector<double> r = OnlineElo(3, battles);
  EXPECT_NEAR(r[0], 999.977107707952, 1e-9);
  EXPECT_NEAR(r[1], 1000.0230248336446, 1e-9);
  EXPECT_NEAR(r[2], 999.9998674584034, 1e-9);
}

TEST(OnlineElo, OrderMattersUnlikeTheMaximumLikelihoodFit) {
  const std::vector<Battle> ab = {{0, 1, Outcome::kWinA}, {0, 1, Outcome::kWinB}};
  const std::vector<Battle> ba = {{0, 1, Outcome::kWinB}, {0, 1, Outcome::kWinA}};
  EXPECT_LT(OnlineElo(2, ab)[0], 1000);  // the later loss counts more
  EXPECT_GT(OnlineElo(2, ba)[0], 1000);
}

TEST(OnlineElo, BothBadIsATieOrSkipped) {
  const std::vector<Battle> battles = {{0, 1, Outcome::kWinA}, {0, 1, Outcome::kBothBad}};
  const std::vector<double> as_tie = OnlineElo(2, battles);
  EXPECT_LT(as_tie[0], 1002);  // A was expected to do better than a tie
  const std::vector<double> skipped =
      OnlineElo(2, battles, OnlineEloOptions{.count_both_bad_as_tie = false});
  EXPECT_DOUBLE_EQ(skipped[0], 1002);
  EXPECT_DOUBLE_EQ(skipped[1], 998);
}

TEST(OnlineElo, RejectsBadInput) {
  const std::vector<Battle> self = {{1, 1, Outcome::kWinA}};
  EXPECT_THROW(OnlineElo(2, self), InputError);
  const std::vector<Battle> far = {{0, 3, Outcome::kWinA}};
  EXPECT_THROW(OnlineElo(2, far), InputError);
  EXPECT_THROW(OnlineElo(1, {}), InputError);
  EXPECT_THROW(OnlineElo(2, {}, OnlineEloOptions{.base = 1}), InputError);
}

}  // namespace
}  // namespace kaieval::stats
