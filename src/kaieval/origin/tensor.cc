#include "kaieval/origin/tensor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kaieval/common/error.h"

namespace kaieval::origin {

std::string Tensor::ShapeString() const { return fmt::format("[{}]", fmt::join(shape, ", ")); }

void ReadFloats(const Tensor& tensor, uint64_t start, size_t count, float* out) {
  BlockLayout layout = Layout(tensor.type);
  if (!tensor.readable() || start + count > tensor.elements || start % layout.elements != 0 ||
      count % layout.elements != 0) {
    throw Error(ExitCode::kInternal, fmt::format("ReadFloats: bad range in {}", tensor.name));
  }
  const uint8_t* src = tensor.data + start / layout.elements * layout.bytes;
  ConvertToFloat(tensor.type, src, count, out);
}

bool CountElements(const std::vector<uint64_t>& shape, uint64_t* elements) {
  uint64_t n = 1;
  for (uint64_t d : shape) {
    if (d != 0 && n > (uint64_t{1} << 62) / d) return false;
    n *= d;
  }
  *elements = n;
  return true;
}

}  // namespace kaieval::origin
