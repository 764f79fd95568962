#include "kaieval/model/model_client.h"

#include <simdjson.h>

#include <fmt/format.h>

#include <exception>
#include <optional>

#include "kaieval/common/error.h"
#include "kaieval/common/progress.h"
#include "kaieval/common/utf8.h"

namespace kaieval::model {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The server's own error message from an OpenAI-style error body, or the body's start.
std::string ServerMessage(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) {
      return e["message"].get<std::string>();
    }
    if (e.is_string()) return e.get<std::string>();
  }
  std::string head = body.substr(0, 200);
  for (char& c : head) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return head;
}

// Turns a final failed call into the error the user sees.
std::exception_ptr FailureFor(const HttpResult& r, const ModelSpec& spec,
                              const std::string& endpoint) {
  using O = HttpResult::Outcome;
  std::string where = fmt::format("model '{}' at {}{}", spec.model,
                                  r.replica.empty() ? spec.base_urls.front() : r.replica,
                                  endpoint);
  switch (r.outcome) {
    case O::kTooLarge:
      return std::make_exception_ptr(InputError(fmt::format(
          "{}: response larger than {} bytes (max_response_mb)", where, spec.max_response_bytes)));
    case O::kHttpError: {
      std::string msg = ServerMessage(r.body);
      if (r.status == 404) {
        return std::make_exception_ptr(InputError(fmt::format(
            "{}: HTTP 404: the server does not serve this model or path ({})", where, msg)));
      }
      if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
        return std::make_exception_ptr(
            InputError(fmt::format("{}: HTTP {}: {}", where, r.status, msg)));
      }
      return std::make_exception_ptr(RemoteError(fmt::format(
          "{}: HTTP {} after {} attempts: {}", where, r.status, r.attempts, msg)));
    }
    case O::kTransportError:
    case O::kTimedOut:
    case O::kCancelled:
    case O::kOk:
      break;
  }
  return std::make_exception_ptr(RemoteError(r.error.empty() ? where + ": failed" : r.error));
}

const json& FirstChoice(const json& answer, const std::string& where) {
  if (!answer.is_object() || !answer.contains("choices") || !answer["choices"].is_array() ||
      answer["choices"].empty() || !answer["choices"][0].is_object()) {
    throw InputError(fmt::format("{}: the response has no choices[0]", where));
  }
  return answer["choices"][0];
}

std::string FinishReason(const json& choice) {
  auto it = choice.find("finish_reason");
  return it != choice.end() && it->is_string() ? it->get<std::string>() : "";
}

json ParseAnswer(std::string_view body, const std::string& where) {
  json answer = json::parse(body, nullptr, false);
  if (answer.is_discarded()) {
    std::string head(body.substr(0, 80));
    for (char& c : head) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    throw InputError(fmt::format("{}: the response is not JSON ({}...)", where, head));
  }
  return answer;
}

// Accumulates one streamed chat answer from its SSE chunks.
struct StreamState {
  std::string content;
  std::string finish_reason;
  std::string error;
};

}  // namespace

ModelClient::ModelClient(ModelSpec spec, ResponseCache* cache)
    : spec_(std::move(spec)),
      cache_(cache),
      transport_(MakeTransportOptions(spec_)),
      json_parser_(std::make_unique<simdjson::dom::parser>()) {}

ModelClient::~ModelClient() = default;

json ModelClient::CompletionBody(const CompletionRequest& r) const {
  json body = {{"model", spec_.model},
               {"prompt", r.prompt},
               {"max_tokens", r.max_tokens},
               {"temperature", r.temperature}};
  if (r.seed) body["seed"] = *r.seed;
  if (!r.stop.empty()) body["stop"] = r.stop;
  return body;
}

json ModelClient::ChatBody(const ChatRequest& r) const {
  json messages = json::array();
  for (const auto& m : r.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  json body = {{"model", spec_.model},
               {"messages", std::move(messages)},
               {"max_tokens", r.max_tokens},
               {"temperature", r.temperature}};
  if (r.seed) body["seed"] = *r.seed;
  if (!r.stop.empty()) body["stop"] = r.stop;
  return body;
}

json ModelClient::LoglikelihoodBody(const LoglikelihoodRequest& r) const {
  return {{"model", spec_.model},
          {"prompt", r.context + r.continuation},
          {"max_tokens", spec_.loglikelihood_max_tokens},
          {"temperature", 0},
          {"echo", true},
          {"logprobs", 1}};
}

std::vector<GenerationResult> ModelClient::Complete(const std::vector<CompletionRequest>& requests,
                                                    ProgressBar* progress) {
  std::vector<json> bodies;
  bodies.reserve(requests.size());
  for (const auto& r : requests) bodies.push_back(CompletionBody(r));
  std::vector<GenerationResult> out(requests.size());
  std::string where = fmt::format("model '{}' /completions", spec_.model);
  Run("/completions", bodies,
      [&](size_t i, std::string_view body, bool cached) {
        json answer = ParseAnswer(body, where);
        const json& choice = FirstChoice(answer, where);
        if (!choice.contains("text") || !choice["text"].is_string()) {
          throw InputError(fmt::format("{}: choices[0].text is missing", where));
        }
        out[i] = {choice["text"].get<std::string>(), FinishReason(choice), cached};
      },
      progress, nullptr);
  return out;
}

std::vector<GenerationResult> ModelClient::Chat(const std::vector<ChatRequest>& requests,
                                                ProgressBar* progress,
                                                const DeltaCallback& on_delta) {
  std::vector<json> bodies;
  bodies.reserve(requests.size());
  for (const auto& r : requests) bodies.push_back(ChatBody(r));
  std::vector<GenerationResult> out(requests.size());
  std::string where = fmt::format("model '{}' /chat/completions", spec_.model);
  Run("/chat/completions", bodies,
      [&](size_t i, std::string_view body, bool cached) {
        json answer = ParseAnswer(body, where);
        const json& choice = FirstChoice(answer, where);
        auto msg = choice.find("message");
        if (msg == choice.end() || !msg->is_object() || !msg->contains("content")) {
          throw InputError(fmt::format("{}: choices[0].message.content is missing", where));
        }
        const json& content = (*msg)["content"];
        if (!content.is_string() && !content.is_null()) {
          throw InputError(fmt::format("{}: choices[0].message.content is not text", where));
        }
        out[i] = {content.is_string() ? content.get<std::string>() : "", FinishReason(choice),
                  cached};
        if (cached && on_delta) on_delta(i, out[i].text);  // a cached answer arrives whole
      },
      progress, on_delta);
  return out;
}

std::vector<LoglikelihoodResult> ModelClient::Loglikelihood(
    const std::vector<LoglikelihoodRequest>& requests, ProgressBar* progress) {
  std::vector<json> bodies;
  bodies.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].context.empty() || requests[i].continuation.empty()) {
      throw InputError(fmt::format(
          "loglikelihood request {}: context and continuation must both be non-empty", i));
    }
    bodies.push_back(LoglikelihoodBody(requests[i]));
  }
  std::vector<LoglikelihoodResult> out(requests.size());
  std::string where = fmt::format("model '{}' /completions (echo, logprobs)", spec_.model);
  Run("/completions", bodies,
      [&](size_t i, std::string_view body, bool cached) {
        size_t context_len = CodePointCount(requests[i].context);
        size_t prompt_len = context_len + CodePointCount(requests[i].continuation);
        out[i] = ReadEchoAnswer(*json_parser_, body, context_len, prompt_len, where);
        out[i].from_cache = cached;
      },
      progress, nullptr);
  return out;
}

std::vector<std::string> ModelClient::ListModels() {
  HttpResult r = transport_.Send(HttpCall{"/models", "", nullptr});
  if (!r.ok()) std::rethrow_exception(FailureFor(r, spec_, "/models"));
  json j = json::parse(r.body, nullptr, false);
  std::vector<std::string> ids;
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) {
    throw InputError(fmt::format("model '{}' /models: expected {{\"data\": [...]}}", spec_.model));
  }
  for (const auto& m : j["data"]) {
    if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"]);
  }
  return ids;
}

void ModelClient::Run(const std::string& endpoint, const std::vector<json>& bodies,
                      const AcceptFn& accept, ProgressBar* progress,
                      const DeltaCallback& on_delta) {
  const std::string identity = spec_.CacheIdentity();
  const bool streaming = static_cast<bool>(on_delta);
  std::exception_ptr failure;

  std::vector<HttpCall> calls;
  std::vector<size_t> call_index;  // calls[k] is request call_index[k]
  std::vector<std::string> keys(bodies.size());
  std::vector<StreamState> streams;
  if (streaming) streams.resize(bodies.size());

  for (size_t i = 0; i < bodies.size(); ++i) {
    bool cacheable = cache_ != nullptr && ResponseCache::IsCacheable(bodies[i]);
    if (cacheable) keys[i] = ResponseCache::Key(identity, endpoint, bodies[i]);
    if (cacheable && cache_->reads()) {
      if (auto hit = cache_->Get(keys[i])) {
        accept(i, *hit, true);
        ++stats_.cache_hits;
        if (progress) progress->Advance(1, true);
        continue;
      }
    }
    HttpCall call;
    call.path = endpoint;
    if (streaming) {
      json body = bodies[i];
      body["stream"] = true;
      call.body = Dump(body);
      call.on_sse_data = [&, i](std::string_view data) {
        StreamState& s = streams[i];
        json chunk = json::parse(data, nullptr, false);
        if (!chunk.is_object() || !chunk.contains("choices") || !chunk["choices"].is_array()) {
          if (s.error.empty()) s.error = "a streamed chunk is not a JSON object with choices";
          return;
        }
        for (const auto& c : chunk["choices"]) {
          if (c.contains("delta") && c["delta"].contains("content") &&
              c["delta"]["content"].is_string()) {
            std::string piece = c["delta"]["content"].get<std::string>();
            if (!piece.empty()) {
              s.content += piece;
              on_delta(i, piece);
            }
          }
          if (c.contains("finish_reason") && c["finish_reason"].is_string()) {
            s.finish_reason = c["finish_reason"].get<std::string>();
          }
        }
      };
    } else {
      call.body = Dump(bodies[i]);
    }
    calls.push_back(std::move(call));
    call_index.push_back(i);
  }
  stats_.requests_sent += calls.size();

  transport_.Execute(calls, [&](size_t k, HttpResult&& result) {
    size_t i = call_index[k];
    if (!result.ok()) {
      if (!failure && result.outcome != HttpResult::Outcome::kCancelled) {
        failure = FailureFor(result, spec_, endpoint);
      }
      return false;
    }
    try {
      // The answer is cached as the server sent it (a streamed one as the equivalent plain
      // answer), after the operation has accepted it.
      std::string assembled;
      std::string_view answer = result.body;
      if (streaming) {
        const StreamState& s = streams[i];
        if (!s.error.empty()) {
          throw InputError(fmt::format("model '{}' {}: {}", spec_.model, endpoint, s.error));
        }
        assembled = Dump({{"model", spec_.model},
                          {"choices",
                           {{{"index", 0},
                             {"message", {{"role", "assistant"}, {"content", s.content}}},
                             {"finish_reason", s.finish_reason}}}}});
        answer = assembled;
      }
      accept(i, answer, false);
      if (!keys[i].empty()) cache_->Put(keys[i], identity, endpoint, bodies[i], answer);
    } catch (...) {
      if (!failure) failure = std::current_exception();
      return false;
    }
    if (progress) progress->Advance();
    return true;
  });
  if (failure) std::rethrow_exception(failure);
}

}  // namespace kaieval::model
