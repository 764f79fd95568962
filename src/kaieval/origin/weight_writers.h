// Writers of safetensors and GGUF files, for the generated test models, the benchmark's
// checkpoints and the tests of the readers. Safetensors is streamed; GGUF is built in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "kaieval/origin/gguf_reader.h"

namespace kaieval::origin {

struct TensorSpec {
  std::string name;
  std::string dtype;  // "F32", "F16" or "BF16"
  std::vector<uint64_t> shape;
};

// Called in file order with consecutive chunks: fill out[i] with element start + i of tensor
// `index`.
using TensorFill = std::function<void(size_t index, uint64_t start, std::span<float> out)>;

// Writes the header, then each tensor's data chunk by chunk (memory stays small). Throws
// InputError when the file cannot be written.
void WriteSafetensors(const std::string& path, const std::vector<TensorSpec>& tensors,
                      const TensorFill& fill, const std::map<std::string, std::string>& metadata = {});

struct GgufKv {
  std::string key;
  GgufValueType type;
  nlohmann::json value;
  GgufValueType item = GgufValueType::kU8;   // for arrays: the items' type
  GgufValueType inner = GgufValueType::kU8;  // for arrays of arrays: the inner items' type
};

struct GgufTensorSpec {
  std::string name;
  uint32_t type = kGgmlF32;     // F32, F16, BF16, Q8_0 are encoded from `values`
  std::vector<uint64_t> shape;  // rows first, as kaieval reports it (written reversed as ne)
  std::vector<float> values;
  std::string raw;  // other types: these bytes as the tensor's data
};

// A GGUF v3 file's bytes; tensors are placed at aligned offsets in the given order.
std::string GgufBytes(const std::vector<GgufKv>& kvs, const std::vector<GgufTensorSpec>& tensors,
                      uint32_t alignment = 32);

}  // namespace kaieval::origin
