// CompletionEngine: turns OpenAI-compatible request bodies into response bodies as vLLM answers
// /v1/models, /v1/completions and /v1/chat/completions; used by RefmodelServer. Pure (id, clock
// and fallback seed come in a RequestContext) and thread-safe: every method is const.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kaieval/model/refmodel/model_registry.h"
#include "kaieval/model/refmodel/openai_protocol.h"

namespace kaieval::refmodel {

struct RequestContext {
  std::string id;             // unique per request; the response id is "cmpl-" or "chatcmpl-" + id
  int64_t created = 0;        // unix seconds
  uint64_t default_seed = 0;  // used when the request has no seed
};

struct ChatReply {
  bool stream = false;
  nlohmann::ordered_json body;      // !stream: the chat.completion object
  std::vector<std::string> events;  // stream: "data: {chunk}\n\n" ..., "data: [DONE]\n\n"
};

// Chat messages become "<role>: <content>\n" each, then "assistant: ", and the model continues
// that text; the reply ends with the line, as every completion does at "\n".
std::string RenderChatPrompt(const std::vector<ChatMessage>& messages);

class CompletionEngine {
 public:
  explicit CompletionEngine(ModelRegistry models) : models_(std::move(models)) {}

  const ModelRegistry& models() const { return models_; }

  // {"object":"list","data":[{"id","object":"model","created","owned_by"}...]}
  nlohmann::ordered_json ListModels(int64_t created) const;

  // Throw RequestError for a body that vLLM would refuse (400) or an unknown model (404).
  nlohmann::ordered_json Complete(const nlohmann::json& body, const RequestContext& context) const;
  ChatReply Chat(const nlohmann::json& body, const RequestContext& context) const;

 private:
  const CharNgramModel& FindModel(const std::string& name) const;

  ModelRegistry models_;
};

}  // namespace kaieval::refmodel
