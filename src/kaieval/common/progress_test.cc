#include "kaieval/common/progress.h"

#include <gtest/gtest.h>

namespace kaieval {

TEST(ProgressBar, RendersCountAndPercent) {
  ProgressBar bar("requests", 4, nullptr);
  bar.Advance(1);
  std::string line = bar.Render();
  EXPECT_NE(line.find("requests"), std::string::npos);
  EXPECT_NE(line.find("1/4"), std::string::npos);
  EXPECT_NE(line.find("25%"), std::string::npos);
}

TEST(ProgressBar, CountsCachedWorkSeparately) {
  ProgressBar bar("requests", 10, nullptr);
  bar.Advance(3, true);
  bar.Advance(2);
  EXPECT_NE(bar.Render().find("5/10 (3 cached)"), std::string::npos) << bar.Render();
}

TEST(ProgressBar, UnknownTotalShowsCountOnly) {
  ProgressBar bar("lines", 0, nullptr);
  bar.Advance(3);
  EXPECT_NE(bar.Render().find("3 done"), std::string::npos);
}

}  // namespace kaieval
