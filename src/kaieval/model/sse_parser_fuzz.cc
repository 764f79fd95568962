// libFuzzer target: SseParser must deliver the same payloads however the bytes are chunked,
// and never read outside what it was given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kaieval/model/sse_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = 1 + data[0] % 16;
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> whole, chunked;
  kaieval::model::SseParser a, b;
  a.Feed(stream, [&](std::string_view d) { whole.emplace_back(d); });
  for (size_t i = 0; i < stream.size(); i += piece) {
    b.Feed(stream.substr(i, piece), [&](std::string_view d) { chunked.emplace_back(d); });
  }
  if (whole != chunked) __builtin_trap();
  return 0;
}
