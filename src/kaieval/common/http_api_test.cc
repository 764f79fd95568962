#include "kaieval/common/http_api.h"

#include <gtest/gtest.h>

#include <set>

namespace kaieval {
namespace {

TEST(HttpApi, RandomTokensAre32HexCharactersAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = RandomToken();
    ASSERT_EQ(token.size(), 32u);
    EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(HttpApi, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));   // a prefix is not equal
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(HttpApi, ParseBodyRefusesWhatIsNotAnObject) {
  httplib::Request req;
  req.body = "[1]";
  EXPECT_THROW(ParseBody(req), ApiError);
  req.body = "{\"a\": \"x\"}";
  EXPECT_EQ(StringField(ParseBody(req), "a"), "x");
  EXPECT_THROW(StringField(ParseBody(req), "b"), ApiError);
}

}  // namespace
}  // namespace kaieval
