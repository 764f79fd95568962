// Element types of weight files and their conversion to float. Used by the safetensors and GGUF
// readers (to size and check tensors) and by the measures (to read them in chunks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace kaieval::origin {

// The types kaieval reads. kQ8_0 is GGUF's block format: per 32 elements an F16 scale and 32
// int8 values (34 bytes). Everything else a file may hold is kUnsupported: sized if known,
// reported as skipped, never read.
enum class DType : uint8_t { kF32, kF16, kBF16, kF64, kI8, kU8, kF8E4M3, kF8E5M2, kQ8_0, kUnsupported };

// Elements per block and bytes per block (1 and the element size for the plain types).
struct BlockLayout {
  uint32_t elements = 1;
  uint32_t bytes = 0;
};

// The safetensors dtype string ("BF16", "F8_E4M3"); nullopt for one kaieval does not know.
std::optional<DType> SafetensorsDType(const std::string& name);
BlockLayout Layout(DType type);

float HalfToFloat(uint16_t h);
float BFloat16ToFloat(uint16_t b);
float Float8E4M3ToFloat(uint8_t v);  // the "fn" variant: no infinities, S.1111.111 is NaN
float Float8E5M2ToFloat(uint8_t v);
uint16_t FloatToHalf(float f);      // round to nearest even; for the test-file writers
uint16_t FloatToBFloat16(float f);  // round to nearest even

// Converts `count` elements (for kQ8_0 a multiple of 32) starting at `src` into `out`.
// `src` must hold the bytes of exactly those elements; kUnsupported is an internal error.
void ConvertToFloat(DType type, const uint8_t* src, size_t count, float* out);

}  // namespace kaieval::origin
