// The OpenAI wire format as the reference model server speaks it: request bodies of
// /v1/completions and /v1/chat/completions parsed into structs and checked the way vLLM checks
// them, and the error body. Used by CompletionEngine and RefmodelServer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kaieval::refmodel {

// A request the server refuses. RefmodelServer answers with status() and ErrorBody().
class RequestError : public std::runtime_error {
 public:
  // param: the request field at fault, or empty. code: OpenAI's error code, or empty (null).
  RequestError(int status, const std::string& message, std::string param = {},
               std::string code = {})
      : std::runtime_error(message),
        status_(status),
        param_(std::move(param)),
        code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& param() const { return param_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string param_;
  std::string code_;
};

// {"error":{"message","type":"invalid_request_error","param","code"}}.
nlohmann::ordered_json ErrorBody(const RequestError& error);

// Serialises without throwing: invalid UTF-8 (which a valid request cannot produce) becomes
// U+FFFD instead of an exception.
std::string DumpJson(const nlohmann::ordered_json& value);

// Largest max_tokens accepted: the context length the reference model pretends to have.
inline constexpr int kMaxTokensLimit = 16384;
// Largest `logprobs` accepted, as vLLM's default max_logprobs.
inline constexpr int kMaxLogprobs = 20;

struct SamplingParams {
  int max_tokens = 16;
  double temperature = 1.0;
  std::optional<uint64_t> seed;   // none: the server picks one per request
  std::vector<std::string> stop;  // non-empty strings only
};

struct CompletionRequest {
  std::string model;
  std::vector<std::string> prompts;  // one choice per prompt
  SamplingParams sampling;
  bool echo = false;
  std::optional<int> logprobs;  // alternatives per token, 0..kMaxLogprobs; none: no logprobs
};

struct ChatMessage {
  std::string role;  // system, user or assistant
  std::string content;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  SamplingParams sampling;  // max_tokens defaults to 256
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

// The body as a JSON object, or RequestError 400.
nlohmann::json ParseRequestBody(std::string_view body);

// Absent and null fields take their defaults; unknown fields are ignored (as vLLM does). A field
// of the wrong type or out of range is a RequestError 400 naming it.
CompletionRequest ParseCompletionRequest(const nlohmann::json& body);
ChatRequest ParseChatRequest(const nlohmann::json& body);

}  // namespace kaieval::refmodel
