#include "kaieval/origin/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace kaieval::origin {
namespace {

TEST(DType, HalfAndBFloat16RoundTripAndSpecialValues) {
  for (float x : {0.0f, 1.0f, -2.5f, 0.0009765625f, 65504.0f, 5.9604645e-8f}) {
    EXPECT_EQ(HalfToFloat(FloatToHalf(x)), x) << x;
    EXPECT_EQ(BFloat16ToFloat(FloatToBFloat16(x)), BFloat16ToFloat(FloatToBFloat16(x)));
  }
  EXPECT_EQ(HalfToFloat(0x7c00), INFINITY);
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7e00)));
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));  // the smallest subnormal
  EXPECT_EQ(BFloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(FloatToBFloat16(1.00390625f), 0x3f80);  // a tie rounds to even
  EXPECT_EQ(FloatToHalf(1e6f), 0x7c00);
}

TEST(DType, Float8Formats) {
  EXPECT_EQ(Float8E4M3ToFloat(0x38), 1.0f);
  EXPECT_EQ(Float8E4M3ToFloat(0x7e), 448.0f);  // the largest finite value
  EXPECT_TRUE(std::isnan(Float8E4M3ToFloat(0x7f)));
  EXPECT_EQ(Float8E4M3ToFloat(0x01), std::ldexp(1.0f, -9));
  EXPECT_EQ(Float8E4M3ToFloat(0xc0), -2.0f);
  EXPECT_EQ(Float8E5M2ToFloat(0x3c), 1.0f);
  EXPECT_EQ(Float8E5M2ToFloat(0x7b), 57344.0f);
  EXPECT_EQ(Float8E5M2ToFloat(0x7c), INFINITY);
}

TEST(DType, Q8_0BlocksScaleTheirInt8Values) {
  uint8_t block[34] = {};
  uint16_t scale = FloatToHalf(0.5f);
  std::memcpy(block, &scale, 2);
  for (int i = 0; i < 32; ++i) block[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(i - 16));
  float out[32];
  ConvertToFloat(DType::kQ8_0, block, 32, out);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(out[i], 0.5f * (i - 16));
  EXPECT_EQ(Layout(DType::kQ8_0).bytes, 34u);
  EXPECT_FALSE(SafetensorsDType("Q8_0").has_value());
}

}  // namespace
}  // namespace kaieval::origin
