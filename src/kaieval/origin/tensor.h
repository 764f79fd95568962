// Tensor: one tensor of an opened weight file (safetensors or GGUF), pointing into its mapping.
// The readers make them; the comparison reads them in chunks through ReadFloats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kaieval/origin/dtype.h"
#include "kaieval/origin/mapped_file.h"

namespace kaieval::origin {

struct Tensor {
  std::string name;        // as the file spells it
  std::string type_name;   // the file's own type name ("BF16", "Q4_K")
  DType type = DType::kUnsupported;
  std::vector<uint64_t> shape;  // outermost first: rows, then columns (GGUF's ne reversed)
  uint64_t elements = 0;
  const uint8_t* data = nullptr;  // null when skipped
  uint64_t bytes = 0;
  const MappedFile* file = nullptr;
  std::string skipped;  // why the tensor cannot be read; empty when it can

  bool readable() const { return skipped.empty() && data != nullptr; }
  // A matrix view: rows = shape[0], columns = the rest (1 x n for a vector).
  uint64_t rows() const { return shape.size() >= 2 ? shape[0] : 1; }
  uint64_t cols() const { return rows() == 0 ? 0 : elements / rows(); }
  std::string ShapeString() const;
};

// Reads `count` elements from element `start` as float into `out`. For Q8_0 both must be
// multiples of 32; the range must lie inside the tensor (the readers checked the bytes).
void ReadFloats(const Tensor& tensor, uint64_t start, size_t count, float* out);

// Product of the dimensions, or false when it overflows 2^63.
bool CountElements(const std::vector<uint64_t>& shape, uint64_t* elements);

}  // namespace kaieval::origin
