// libFuzzer target: any bytes as a safetensors file give tensors that read back within the
// file, or an InputError; never a crash or a read outside the input.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/origin/safetensors_reader.h"
#include "kaieval/origin/tensor_measures.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaieval::origin;
  // A copy of exactly `size` bytes, so that ASan sees any read past the end.
  std::vector<uint8_t> bytes(data, data + size);
  try {
    SafetensorsFile f = ParseSafetensors(bytes, "fuzz");
    for (const Tensor& t : f.tensors) {
      if (!t.readable()) continue;
      if (t.data < bytes.data() || t.data + t.bytes > bytes.data() + bytes.size()) __builtin_trap();
      std::vector<float> v(t.elements);
      ReadFloats(t, 0, t.elements, v.data());
      MeasurePair(t, t, {.chunk_elements = 64, .canonical_block = 8, .release_pages = false});
    }
  } catch (const kaieval::InputError&) {
  }
  return 0;
}
