#include "kaieval/model/echo_logprobs.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <limits>

#include "kaieval/common/error.h"

namespace kaieval::model {
namespace {

[[noreturn]] void Missing(const std::string& where, std::string_view what) {
  throw InputError(fmt::format(
      "{}: the response has no {}; loglikelihood needs a server that returns prompt logprobs "
      "for echo=true (vLLM, SGLang and kaieval refmodel do)",
      where, what));
}

const nlohmann::json& ArrayField(const nlohmann::json& logprobs, const char* name,
                                 const std::string& where) {
  auto it = logprobs.find(name);
  if (it == logprobs.end() || !it->is_array()) Missing(where, fmt::format("logprobs.{}", name));
  return *it;
}

// A JSON scalar (number, null, or anything else as null) from simdjson to nlohmann.
nlohmann::json Scalar(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::INT64: return int64_t(e);
    case simdjson::dom::element_type::UINT64: return uint64_t(e);
    case simdjson::dom::element_type::DOUBLE: return double(e);
    case simdjson::dom::element_type::STRING: return std::string(std::string_view(e));
    default: return nullptr;
  }
}

nlohmann::json Array(simdjson::dom::element e, bool objects) {
  if (!e.is_array()) return nullptr;
  nlohmann::json out = nlohmann::json::array();
  for (simdjson::dom::element x : simdjson::dom::array(e)) {
    if (objects && x.is_object()) {
      nlohmann::json o = nlohmann::json::object();
      for (auto field : simdjson::dom::object(x)) o[std::string(field.key)] = Scalar(field.value);
      out.push_back(std::move(o));
    } else {
      out.push_back(Scalar(x));
    }
  }
  return out;
}

}  // namespace

LoglikelihoodResult ReadEchoAnswer(simdjson::dom::parser& parser, std::string_view body,
                                   size_t context_len, size_t prompt_len, const std::string& where) {
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) {
    std::string head(body.substr(0, 80));
    for (char& c : head) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    throw InputError(fmt::format("{}: the response is not JSON ({}...)", where, head));
  }
  simdjson::dom::array choices;
  simdjson::dom::element choice;
  if (doc["choices"].get(choices) != simdjson::SUCCESS || choices.at(0).get(choice) != simdjson::SUCCESS ||
      !choice.is_object()) {
    throw InputError(fmt::format("{}: the response has no choices[0]", where));
  }
  simdjson::dom::element lp;
  if (choice["logprobs"].get(lp) != simdjson::SUCCESS || lp.is_null()) {
    throw InputError(fmt::format(
        "{}: the response has no logprobs; the server must return prompt logprobs for echo=true",
        where));
  }
  nlohmann::json logprobs = nlohmann::json::object();
  if (lp.is_object()) {
    simdjson::dom::element field;
    if (lp["text_offset"].get(field) == simdjson::SUCCESS) logprobs["text_offset"] = Array(field, false);
    if (lp["token_logprobs"].get(field) == simdjson::SUCCESS) logprobs["token_logprobs"] = Array(field, false);
    if (lp["top_logprobs"].get(field) == simdjson::SUCCESS) logprobs["top_logprobs"] = Array(field, true);
  }
  return ReadEchoLogprobs(logprobs, context_len, prompt_len, where);
}

LoglikelihoodResult ReadEchoLogprobs(const nlohmann::json& logprobs, size_t context_len,
                                     size_t prompt_len, const std::string& where) {
  if (!logprobs.is_object()) Missing(where, "logprobs");
  const auto& offsets = ArrayField(logprobs, "text_offset", where);
  const auto& token_lps = ArrayField(logprobs, "token_logprobs", where);
  const auto& top = ArrayField(logprobs, "top_logprobs", where);
  size_t n = offsets.size();
  if (token_lps.size() != n || top.size() != n) {
    throw InputError(fmt::format(
        "{}: logprobs arrays differ in length (text_offset {}, token_logprobs {}, top_logprobs {})",
        where, n, token_lps.size(), top.size()));
  }
  if (n == 0 || !offsets[0].is_number_integer() || offsets[0].get<int64_t>() != 0) {
    Missing(where, "echoed prompt tokens (text_offset must start at 0)");
  }

  LoglikelihoodResult r;
  r.is_greedy = true;
  bool covered_end = false;
  for (size_t i = 0; i < n; ++i) {
    if (!offsets[i].is_number_integer()) {
      throw InputError(fmt::format("{}: logprobs.text_offset[{}] is not an integer", where, i));
    }
    auto start = static_cast<size_t>(std::max<int64_t>(0, offsets[i].get<int64_t>()));
    if (start >= prompt_len) {
      covered_end = true;
      break;  // generated tokens
    }
    size_t end = prompt_len;
    if (i + 1 < n && offsets[i + 1].is_number_integer()) {
      end = std::min(prompt_len, static_cast<size_t>(std::max<int64_t>(
                                     static_cast<int64_t>(start), offsets[i + 1].get<int64_t>())));
    }
    if (i + 1 == n) covered_end = true;
    bool in_continuation = end > context_len || (end == start && start >= context_len);
    if (!in_continuation) continue;
    if (start < context_len && r.num_tokens == 0) r.straddles_boundary = true;
    if (!token_lps[i].is_number()) {
      if (i == 0) {
        throw InputError(fmt::format(
            "{}: the continuation starts at the first token, which has no logprob; give a "
            "non-empty context",
            where));
      }
      Missing(where, fmt::format("logprobs.token_logprobs[{}]", i));
    }
    double lp = token_lps[i].get<double>();
    r.logprob += lp;
    ++r.num_tokens;
    const auto& alternatives = top[i];
    if (!alternatives.is_object() || alternatives.empty()) {
      Missing(where, fmt::format("logprobs.top_logprobs[{}]", i));
    }
    double best = -std::numeric_limits<double>::infinity();
    for (const auto& [tok, v] : alternatives.items()) {
      if (v.is_number()) best = std::max(best, v.get<double>());
    }
    if (lp < best - 1e-6) r.is_greedy = false;
  }
  if (!covered_end) Missing(where, "logprobs for the whole prompt");
  if (r.num_tokens == 0) {
    throw InputError(fmt::format("{}: no token of the answer falls in the continuation", where));
  }
  return r;
}

}  // namespace kaieval::model
