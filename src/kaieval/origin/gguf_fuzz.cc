// libFuzzer target: any bytes as a GGUF file give metadata and tensors that read back within
// the file, or an InputError; never a crash, a read outside the input or runaway recursion.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/origin/gguf_reader.h"
#include "kaieval/origin/tensor_measures.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaieval::origin;
  std::vector<uint8_t> bytes(data, data + size);
  try {
    GgufFile f = ParseGguf(bytes, "fuzz");
    (void)f.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
