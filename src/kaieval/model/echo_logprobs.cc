#include "kaieval/model/echo_logprobs.h"

#include <fmt/format.h>

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

}  // namespace

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
