// libFuzzer target: any JSON a server may send as logprobs gives a result or an InputError,
// never a crash, for any context and prompt lengths.
#include <cstddef>
#include <cstdint>

#include "kaieval/common/error.h"
#include "kaieval/model/echo_logprobs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t context_len = data[0] % 64;
  size_t prompt_len = context_len + data[1] % 64;
  auto doc = nlohmann::json::parse(data + 2, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;
  try {
    auto r = kaieval::model::ReadEchoLogprobs(doc, context_len, prompt_len, "fuzz");
    if (r.num_tokens <= 0) __builtin_trap();
  } catch (const kaieval::InputError&) {
  }
  return 0;
}
