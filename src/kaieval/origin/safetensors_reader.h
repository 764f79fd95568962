// The safetensors format: an 8-byte little-endian header length, a JSON header (name ->
// dtype, shape, data_offsets; optional __metadata__), then the tensors' bytes. Called by
// OpenModel (model_files.h) and the fuzz target; every length and offset is checked.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "kaieval/origin/mapped_file.h"
#include "kaieval/origin/tensor.h"

namespace kaieval::origin {

// The reference implementation's limit: a header past this is refused, whatever it claims.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct SafetensorsFile {
  std::vector<Tensor> tensors;  // in data order
  std::map<std::string, std::string> metadata;
};

// Parses a whole file's bytes; tensors point into `bytes`, which must outlive them. Throws
// InputError naming `name` and the tensor or field for anything that does not add up: a short
// file, a header past the limit or not a JSON object, a duplicate name, a shape or offsets
// that are not non-negative integers, byte lengths that do not match the shape, gaps or
// overlaps between tensors, data past the end. Unknown dtypes are kept as skipped tensors.
SafetensorsFile ParseSafetensors(std::span<const uint8_t> bytes, const std::string& name,
                                 const MappedFile* file = nullptr);

}  // namespace kaieval::origin
