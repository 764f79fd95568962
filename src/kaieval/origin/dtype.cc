#include "kaieval/origin/dtype.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "kaieval/common/error.h"

namespace kaieval::origin {
namespace {

// All 65536 half values, built once: a table lookup is faster than the bit arithmetic.
const std::array<float, 65536>& HalfTable() {
  static const std::array<float, 65536> table = [] {
    std::array<float, 65536> t{};
    for (uint32_t h = 0; h < 65536; ++h) {
      uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
      float v;
      if (exp == 0) {
        v = std::ldexp(static_cast<float>(mant), -24);
      } else if (exp == 31) {
        v = mant == 0 ? std::numeric_limits<float>::infinity()
                      : std::numeric_limits<float>::quiet_NaN();
      } else {
        v = std::ldexp(static_cast<float>(mant + 1024), static_cast<int>(exp) - 25);
      }
      t[h] = sign ? -v : v;
    }
    return t;
  }();
  return table;
}

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;  // little-endian hosts only (x86-64, arm64), like the formats themselves
}

}  // namespace

std::optional<DType> SafetensorsDType(const std::string& name) {
  if (name == "F32") return DType::kF32;
  if (name == "F16") return DType::kF16;
  if (name == "BF16") return DType::kBF16;
  if (name == "F64") return DType::kF64;
  if (name == "I8") return DType::kI8;
  if (name == "U8") return DType::kU8;
  if (name == "F8_E4M3") return DType::kF8E4M3;
  if (name == "F8_E5M2") return DType::kF8E5M2;
  return std::nullopt;
}

BlockLayout Layout(DType type) {
  switch (type) {
    case DType::kF32: return {1, 4};
    case DType::kF16: case DType::kBF16: return {1, 2};
    case DType::kF64: return {1, 8};
    case DType::kI8: case DType::kU8: case DType::kF8E4M3: case DType::kF8E5M2: return {1, 1};
    case DType::kQ8_0: return {32, 34};
    case DType::kUnsupported: return {1, 0};
  }
  return {1, 0};
}

float HalfToFloat(uint16_t h) { return HalfTable()[h]; }

float BFloat16ToFloat(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

float Float8E4M3ToFloat(uint8_t v) {
  uint32_t sign = v >> 7, exp = (v >> 3) & 0xf, mant = v & 7;
  float r;
  if (exp == 15 && mant == 7) return std::numeric_limits<float>::quiet_NaN();
  if (exp == 0) {
    r = std::ldexp(static_cast<float>(mant), -9);  // mant/8 * 2^-6
  } else {
    r = std::ldexp(static_cast<float>(mant + 8), static_cast<int>(exp) - 10);
  }
  return sign ? -r : r;
}

// E5M2 is the upper byte of an IEEE half.
float Float8E5M2ToFloat(uint8_t v) { return HalfToFloat(static_cast<uint16_t>(v) << 8); }

uint16_t FloatToBFloat16(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  if (std::isnan(f)) return 0x7fc0;
  u += 0x7fff + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}

uint16_t FloatToHalf(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  uint32_t sign = (u >> 16) & 0x8000;
  if (std::isnan(f)) return 0x7e00;
  float a = std::fabs(f);
  if (a >= 65520.0f) return static_cast<uint16_t>(sign | 0x7c00);
  if (a < std::ldexp(1.0f, -14)) {  // subnormal: a multiple of 2^-24, rounded to even
    float q = std::nearbyint(a * std::ldexp(1.0f, 24));
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(q));
  }
  uint32_t au = std::bit_cast<uint32_t>(a);
  au += 0xfff + ((au >> 13) & 1);
  uint32_t exp = ((au >> 23) & 0xff) - 112, mant = (au >> 13) & 0x3ff;
  return static_cast<uint16_t>(sign | (exp << 10) | mant);
}

void ConvertToFloat(DType type, const uint8_t* src, size_t count, float* out) {
  if (count == 0) return;  // `out` may be null then (an empty buffer)
  switch (type) {
    case DType::kF32:
      std::memcpy(out, src, count * 4);
      return;
    case DType::kF64:
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(Load<double>(src + 8 * i));
      return;
    case DType::kBF16:
      for (size_t i = 0; i < count; ++i) {
        out[i] = std::bit_cast<float>(static_cast<uint32_t>(Load<uint16_t>(src + 2 * i)) << 16);
      }
      return;
    case DType::kF16: {
      const auto& table = HalfTable();
      for (size_t i = 0; i < count; ++i) out[i] = table[Load<uint16_t>(src + 2 * i)];
      return;
    }
    case DType::kI8:
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(static_cast<int8_t>(src[i]));
      return;
    case DType::kU8:
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(src[i]);
      return;
    case DType::kF8E4M3:
      for (size_t i = 0; i < count; ++i) out[i] = Float8E4M3ToFloat(src[i]);
      return;
    case DType::kF8E5M2:
      for (size_t i = 0; i < count; ++i) out[i] = Float8E5M2ToFloat(src[i]);
      return;
    case DType::kQ8_0:
      for (size_t b = 0; b < count / 32; ++b) {
        const uint8_t* block = src + 34 * b;
        float scale = HalfToFloat(Load<uint16_t>(block));
        for (int i = 0; i < 32; ++i) {
          out[32 * b + i] = scale * static_cast<float>(static_cast<int8_t>(block[2 + i]));
        }
      }
      return;
    case DType::kUnsupported:
      break;
  }
  throw Error(ExitCode::kInternal, "ConvertToFloat: an unsupported type was read");
}

}  // namespace kaieval::origin
