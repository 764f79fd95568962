// The GGUF format (llama.cpp), versions 2 and 3: magic "GGUF", version, tensor count, metadata
// key-values (every value type, nested arrays), tensor infos, aligned data. Called by
// OpenModel (model_files.h) and the fuzz target; every count, length and offset is checked.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "kaieval/origin/mapped_file.h"
#include "kaieval/origin/tensor.h"

namespace kaieval::origin {

// GGUF's metadata value types (gguf_type).
enum class GgufValueType : uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
  kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};

// GGML tensor types that kaieval reads (others are named and skipped).
inline constexpr uint32_t kGgmlF32 = 0, kGgmlF16 = 1, kGgmlQ8_0 = 8, kGgmlI8 = 24,
                          kGgmlF64 = 28, kGgmlBF16 = 30;

struct GgufFile {
  uint32_t version = 0;
  uint32_t alignment = 32;
  // key -> value; arrays are JSON arrays. Strings are kept as bytes (dump with replace).
  nlohmann::json metadata = nlohmann::json::object();
  std::vector<Tensor> tensors;  // in file order; GGUF's ne reversed into rows-first shape
};

// Nested arrays deeper than this are refused (no real file nests more than two).
inline constexpr int kMaxGgufArrayDepth = 8;

// Parses a whole file's bytes; tensors point into `bytes`. Throws InputError naming `name` and
// the key or tensor for a bad magic or version, a count or length past the end, an unknown
// value type, a duplicate key or tensor name, a bad alignment, a tensor whose data is
// misaligned, runs past the end or overlaps another. Unsupported tensor types are skipped.
GgufFile ParseGguf(std::span<const uint8_t> bytes, const std::string& name,
                   const MappedFile* file = nullptr);

// The type's name as llama.cpp spells it ("Q4_K"), or "type N".
std::string GgmlTypeName(uint32_t type);

}  // namespace kaieval::origin
