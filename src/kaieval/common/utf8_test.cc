#include "kaieval/common/utf8.h"

#include <gtest/gtest.h>

namespace kaieval {

TEST(Utf8, CountsHangulAsOneCodePointEach) {
  EXPECT_EQ(CodePointCount("한국어 AI"), 6u);
  EXPECT_EQ(ByteOffsetOfCodePoint("한국어 AI", 2), 6u);
  EXPECT_EQ(ByteOffsetOfCodePoint("ab", 10), 2u);
}

TEST(Utf8, RejectsInvalidSequences) {
  EXPECT_TRUE(IsValidUtf8("정답은 42"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("a\xFF" "b"));
  EXPECT_EQ(CodePointCount("a\xFF" "b"), 3u);
}

TEST(Utf8, SplitReplacesInvalidBytes) {
  auto parts = SplitCodePoints("가\xFFz");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "가");
  EXPECT_EQ(parts[1], "\xEF\xBF\xBD");
  EXPECT_EQ(parts[2], "z");
}

TEST(Utf8, NfcComposesConjoiningJamo) {
  // U+1112 U+1161 U+11AB (conjoining jamo) compose to U+D55C "한".
  EXPECT_EQ(NormalizeNfc("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), "한");
}

TEST(Utf8, NfkcFoldsFullwidthDigits) {
  EXPECT_EQ(NormalizeNfkc("１２３"), "123");
  EXPECT_EQ(NormalizeNfc("１２３"), "１２３");
}

TEST(Utf8, CaseFoldIsFullUnicodeFolding) {
  EXPECT_EQ(CaseFold("Straße"), "strasse");  // full folding: U+00DF -> "ss"
  EXPECT_EQ(CaseFold("STRASSE"), "strasse");
  EXPECT_EQ(CaseFold("ΣΊΣΥΦΟΣ"), CaseFold("σίσυφος"));  // final sigma folds like sigma
  EXPECT_EQ(CaseFold("ﬁ"), "fi");                       // ligature U+FB01 folds to two letters
  EXPECT_EQ(CaseFold("한국어 ABC"), "한국어 abc");
  EXPECT_EQ(CaseFold("a\xFF"), "a\xFF");  // invalid UTF-8 is left alone
}

}  // namespace kaieval

namespace kaieval {

TEST(Utf8, ExcerptCutsAtCodePointsNotBytes) {
  EXPECT_EQ(Utf8Excerpt("대한민국의 수도", 3), "대한민...");
  EXPECT_EQ(Utf8Excerpt("short", 60), "short");
}

}  // namespace kaieval
