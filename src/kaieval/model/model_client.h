// ModelClient: the only way kaieval talks to a model. It speaks the OpenAI-compatible API
// (vLLM, SGLang, TGI, llama.cpp server, Ollama, hosted APIs), keeps many requests in flight,
// and sends every request through the ResponseCache. Calls take batches: one request each.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/model/echo_logprobs.h"
#include "kaieval/model/http_transport.h"
#include "kaieval/model/model_spec.h"
#include "kaieval/model/response_cache.h"

namespace kaieval {
class ProgressBar;
}
namespace simdjson::dom {
class parser;
}

namespace kaieval::model {

struct CompletionRequest {
  std::string prompt;
  int max_tokens = 256;
  double temperature = 0;
  std::optional<int64_t> seed;
  std::vector<std::string> stop;
};

struct ChatMessage {
  std::string role;  // system, user or assistant
  std::string content;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  int max_tokens = 256;
  double temperature = 0;
  std::optional<int64_t> seed;
  std::vector<std::string> stop;
};

struct LoglikelihoodRequest {
  std::string context;       // must not be empty
  std::string continuation;  // must not be empty
};

struct GenerationResult {
  std::string text;
  std::string finish_reason;
  bool from_cache = false;
};

struct ClientStats {
  uint64_t requests_sent = 0;
  uint64_t cache_hits = 0;
};

class ModelClient {
 public:
  // `cache` may be null (no caching); it must outlive the client.
  ModelClient(ModelSpec spec, ResponseCache* cache);
  ~ModelClient();

  // Each call runs its whole batch and returns results in request order. If a request still
  // fails after its retries, no new request is started, the ones in flight finish (and are
  // cached), and the call throws: RemoteError (exit 3) for an unreachable or failing server,
  // InputError (exit 2) for an answer that shows a configuration problem (unknown model,
  // not JSON, no logprobs, too large, a 4xx).
  std::vector<GenerationResult> Complete(const std::vector<CompletionRequest>& requests,
                                         ProgressBar* progress = nullptr);

  // When on_delta is set the requests are streamed (SSE) and each piece of text is passed to
  // it with the request's index as it arrives; a cached answer arrives as one piece.
  using DeltaCallback = std::function<void(size_t index, std::string_view delta)>;
  std::vector<GenerationResult> Chat(const std::vector<ChatRequest>& requests,
                                     ProgressBar* progress = nullptr,
                                     const DeltaCallback& on_delta = nullptr);

  std::vector<LoglikelihoodResult> Loglikelihood(const std::vector<LoglikelihoodRequest>& requests,
                                                 ProgressBar* progress = nullptr);

  // GET /models: the served model ids (never cached).
  std::vector<std::string> ListModels();

  const ModelSpec& spec() const { return spec_; }
  ClientStats stats() const { return stats_; }

  // The request bodies, exposed for tests and for recording what was asked.
  nlohmann::json CompletionBody(const CompletionRequest& r) const;
  nlohmann::json ChatBody(const ChatRequest& r) const;
  nlohmann::json LoglikelihoodBody(const LoglikelihoodRequest& r) const;

 private:
  // Sends bodies to `endpoint` through the cache. `accept(i, body, from_cache)` reads the raw
  // answer of request i into the caller's results and throws InputError if it is unusable;
  // only accepted answers are cached, byte for byte as the server sent them.
  using AcceptFn = std::function<void(size_t, std::string_view, bool)>;
  void Run(const std::string& endpoint, const std::vector<nlohmann::json>& bodies,
           const AcceptFn& accept, ProgressBar* progress, const DeltaCallback& on_delta);

  ModelSpec spec_;
  ResponseCache* cache_;
  HttpTransport transport_;
  ClientStats stats_;
  // Reused for every loglikelihood answer: echoed logprobs are the bulk of what a benchmark
  // run parses, cold or from the cache.
  std::unique_ptr<simdjson::dom::parser> json_parser_;
};

}  // namespace kaieval::model
