#include "kaieval/model/refmodel/openai_protocol.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "kaieval/common/utf8.h"

namespace kaieval::refmodel {
namespace {

using nlohmann::json;

[[noreturn]] void Invalid(const std::string& field, const std::string& message) {
  throw RequestError(400, message, field);
}

// The field's value, or nullptr when it is absent or null (OpenAI clients send null for unset).
const json* Find(const json& body, const char* field) {
  auto it = body.find(field);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

// Integers, and floats with an integral value (as pydantic accepts 16.0 for an int).
std::optional<int64_t> AsInteger(const json& value) {
  if (value.is_number_unsigned()) {
    auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

// A request value quoted in an error message, cut short so a huge value stays out of it.
std::string Quoted(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  size_t cut = ByteOffsetOfCodePoint(text, 40);
  return cut < text.size() ? text.substr(0, cut) + "..." : text;
}

int IntegerField(const json& body, const char* field, int fallback, int min, int max) {
  const json* value = Find(body, field);
  if (value == nullptr) return fallback;
  auto n = AsInteger(*value);
  if (!n || *n < min || *n > max) {
    Invalid(field, fmt::format("{} must be an integer from {} to {}, got {}", field, min, max,
                               Quoted(*value)));
  }
  return static_cast<int>(*n);
}

bool BoolField(const json& body, const char* field, bool fallback) {
  const json* value = Find(body, field);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) Invalid(field, fmt::format("{} must be true or false", field));
  return value->get<bool>();
}

std::string ModelField(const json& body) {
  const json* value = Find(body, "model");
  if (value == nullptr) Invalid("model", "model is required");
  if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
    Invalid("model", "model must be a non-empty string");
  }
  return value->get<std::string>();
}

// vLLM, like this server, answers one choice per prompt.
void CheckSingleChoice(const json& body) {
  const json* n = Find(body, "n");
  if (n == nullptr) return;
  auto value = AsInteger(*n);
  if (!value || *value != 1) Invalid("n", "n must be 1: the reference model returns one choice");
}

SamplingParams ParseSampling(const json& body, int default_max_tokens) {
  SamplingParams p;
  const char* max_field =
      Find(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  p.max_tokens = IntegerField(body, max_field, default_max_tokens, 0, kMaxTokensLimit);
  if (const json* t = Find(body, "temperature")) {
    if (!t->is_number() || !(t->get<double>() >= 0) || !std::isfinite(t->get<double>())) {
      Invalid("temperature", "temperature must be a number >= 0");
    }
    p.temperature = t->get<double>();
  }
  if (const json* seed = Find(body, "seed")) {
    if (seed->is_number_unsigned()) {
      p.seed = seed->get<uint64_t>();
    } else if (seed->is_number_integer()) {
      p.seed = static_cast<uint64_t>(seed->get<int64_t>());
    } else {
      Invalid("seed", "seed must be an integer");
    }
  }
  if (const json* stop = Find(body, "stop")) {
    auto add = [&](const json& s) {
      if (!s.is_string()) Invalid("stop", "stop must be a string or a list of strings");
      if (!s.get_ref<const std::string&>().empty()) p.stop.push_back(s.get<std::string>());
    };
    if (stop->is_array()) {
      for (const json& s : *stop) add(s);
    } else {
      add(*stop);
    }
  }
  return p;
}

std::string Utf8Text(const json& value, const std::string& field) {
  const auto& s = value.get_ref<const std::string&>();
  if (!IsValidUtf8(s)) Invalid(field, fmt::format("{} is not valid UTF-8", field));
  return s;
}

// A message's content: a string, or a list of {"type": "text", "text": ...} parts.
std::string MessageContent(const json& message, const std::string& field) {
  const json* content = Find(message, "content");
  if (content == nullptr) Invalid(field, field + " is required");
  if (content->is_string()) return Utf8Text(*content, field);
  if (!content->is_array()) Invalid(field, field + " must be a string or a list of text parts");
  std::string text;
  for (const json& part : *content) {
    const json* type = part.is_object() ? Find(part, "type") : nullptr;
    const json* part_text = part.is_object() ? Find(part, "text") : nullptr;
    if (type == nullptr || *type != "text" || part_text == nullptr || !part_text->is_string()) {
      Invalid(field, field + " parts must be {\"type\": \"text\", \"text\": string}");
    }
    text += Utf8Text(*part_text, field);
  }
  return text;
}

}  // namespace

nlohmann::ordered_json ErrorBody(const RequestError& error) {
  nlohmann::ordered_json inner;
  inner["message"] = error.what();
  inner["type"] = "invalid_request_error";
  auto or_null = [](const std::string& s) {
    return s.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s);
  };
  inner["param"] = or_null(error.param());
  inner["code"] = or_null(error.code());
  return {{"error", inner}};
}

std::string DumpJson(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

json ParseRequestBody(std::string_view body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) throw RequestError(400, "the request body is not valid JSON");
  if (!parsed.is_object()) throw RequestError(400, "the request body must be a JSON object");
  return parsed;
}

CompletionRequest ParseCompletionRequest(const json& body) {
  CompletionRequest r;
  r.model = ModelField(body);
  const json* prompt = Find(body, "prompt");
  if (prompt == nullptr) Invalid("prompt", "prompt is required");
  if (prompt->is_string()) {
    r.prompts.push_back(Utf8Text(*prompt, "prompt"));
  } else if (prompt->is_array() && !prompt->empty()) {
    for (const json& p : *prompt) {
      if (!p.is_string()) {
        Invalid("prompt",
                "prompt must be a string or a list of strings (token ids are not "
                "supported: the reference model's tokens are code points)");
      }
      r.prompts.push_back(Utf8Text(p, "prompt"));
    }
  } else {
    Invalid("prompt", "prompt must be a string or a non-empty list of strings");
  }
  r.sampling = ParseSampling(body, 16);
  r.echo = BoolField(body, "echo", false);
  if (Find(body, "logprobs") != nullptr) {
    r.logprobs = IntegerField(body, "logprobs", 0, 0, kMaxLogprobs);
  }
  CheckSingleChoice(body);
  if (BoolField(body, "stream", false)) {
    Invalid("stream", "stream must be false: the reference model streams only chat completions");
  }
  return r;
}

ChatRequest ParseChatRequest(const json& body) {
  ChatRequest r;
  r.model = ModelField(body);
  const json* messages = Find(body, "messages");
  if (messages == nullptr || !messages->is_array() || messages->empty()) {
    Invalid("messages", "messages must be a non-empty list of {role, content}");
  }
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    std::string field = fmt::format("messages[{}]", i);
    if (!m.is_object()) Invalid(field, field + " must be an object with role and content");
    const json* role = Find(m, "role");
    if (role == nullptr || !role->is_string() ||
        (*role != "system" && *role != "user" && *role != "assistant")) {
      Invalid(field + ".role", field + ".role must be \"system\", \"user\" or \"assistant\"");
    }
    r.messages.push_back({role->get<std::string>(), MessageContent(m, field + ".content")});
  }
  r.sampling = ParseSampling(body, 256);
  r.stream = BoolField(body, "stream", false);
  if (const json* options = Find(body, "stream_options")) {
    const json* include_usage = options->is_object() ? Find(*options, "include_usage") : nullptr;
    if (!options->is_object() || (include_usage != nullptr && !include_usage->is_boolean())) {
      Invalid("stream_options", "stream_options must be an object like {\"include_usage\": true}");
    }
    r.include_usage = include_usage != nullptr && include_usage->get<bool>();
  }
  if (BoolField(body, "logprobs", false)) {
    Invalid("logprobs",
            "logprobs are not supported on chat completions by the reference model; "
            "use /v1/completions");
  }
  CheckSingleChoice(body);
  return r;
}

}  // namespace kaieval::refmodel
