#include "kaieval/common/hash.h"

#include <gtest/gtest.h>

namespace kaieval {

TEST(ContentHash, IsStableHexOf32Digits) {
  std::string h = ContentHash("kaieval");
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h, ContentHash("kaieval"));
  EXPECT_NE(h, ContentHash("kaieval "));
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(ContentHash, FieldBoundariesMatter) {
  EXPECT_NE(ContentHash({"ab", "c"}), ContentHash({"a", "bc"}));
  EXPECT_EQ(ContentHash({"ab", "c"}), ContentHash({"ab", "c"}));
}

}  // namespace kaieval
