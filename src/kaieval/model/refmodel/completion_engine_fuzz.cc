// libFuzzer target: any bytes as the body of /v1/completions or /v1/chat/completions give a
// response or a RequestError (an HTTP 4xx), never a crash or any other exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kaieval/model/refmodel/completion_engine.h"
#include "kaieval/model/refmodel/test_models.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaieval::refmodel;
  static const CompletionEngine engine = testing::TinyEngine();
  if (size == 0) return 0;
  bool chat = data[0] & 1;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  RequestContext context{"fuzz", 0, data[0]};
  try {
    nlohmann::json request = ParseRequestBody(body);
    if (chat) {
      ChatReply reply = engine.Chat(request, context);
      DumpJson(reply.body);
    } else {
      DumpJson(engine.Complete(request, context));
    }
  } catch (const RequestError&) {
  }
  return 0;
}
