#include "kaieval/arena/rate_limiter.h"

#include <gtest/gtest.h>

namespace kaieval::arena {
namespace {

TEST(RateLimiter, RefusesBeyondTheHourlyLimitUntilTheWindowMoves) {
  RateLimiter limiter(3);
  EXPECT_EQ(limiter.TryAcquire("s", 1000), 0);
  EXPECT_EQ(limiter.TryAcquire("s", 2000), 0);
  EXPECT_EQ(limiter.TryAcquire("s", 3000), 0);
  // The fourth within the hour waits until the first leaves the window.
  EXPECT_EQ(limiter.TryAcquire("s", 4000), 1000 + 3600 * 1000 - 4000);
  EXPECT_EQ(limiter.TryAcquire("s", 1000 + 3600 * 1000), 0);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(1);
  EXPECT_EQ(limiter.TryAcquire("honest", 0), 0);
  EXPECT_EQ(limiter.TryAcquire("other", 0), 0);
  EXPECT_GT(limiter.TryAcquire("honest", 10), 0);
}

TEST(RateLimiter, RecordedEventsCount) {
  RateLimiter limiter(2);
  limiter.Record("s", 0);
  limiter.Record("s", 5);
  EXPECT_GT(limiter.TryAcquire("s", 10), 0);
}

}  // namespace
}  // namespace kaieval::arena
