// Reads the loglikelihood of a continuation out of an echoed /v1/completions answer, using
// logprobs.text_offset to find where the context ends: no client-side tokenizer is needed.
// Used by ModelClient::Loglikelihood; pure, so the boundary rule is tested on its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace simdjson::dom {
class parser;
}

namespace kaieval::model {

struct LoglikelihoodResult {
  double logprob = 0;        // summed natural-log probability of the continuation tokens
  bool is_greedy = false;    // every continuation token was the most likely one
  int num_tokens = 0;        // tokens counted as continuation
  bool straddles_boundary = false;  // the first counted token began inside the context
  bool from_cache = false;
};

// The boundary rule. Offsets count code points (as vLLM and the OpenAI API report them).
// Token i spans [text_offset[i], text_offset[i+1]); the last prompt token ends where the
// prompt ends. A token belongs to the continuation when it ends after the context (so a token
// that straddles the boundary counts, whole, as continuation: it is the model's prediction of
// continuation text, and leaving it out would drop those characters) or, if it is empty,
// when it starts at or after the context end. Tokens that start at or after the prompt's end
// are generated, not echoed, and are ignored.
//
// `logprobs` is choices[0].logprobs; context_len and prompt_len are in code points.
// Throws RemoteError-free InputError describing what the server failed to return.
LoglikelihoodResult ReadEchoLogprobs(const nlohmann::json& logprobs, size_t context_len,
                                     size_t prompt_len, const std::string& where);

// Reads a whole /completions answer (JSON text): choices[0].logprobs, then the rule above.
// Parsed with simdjson, since echoed logprobs are most of what a benchmark run reads; only the
// three arrays the rule needs are converted. Throws InputError for text that is not JSON or an
// answer without logprobs.
LoglikelihoodResult ReadEchoAnswer(simdjson::dom::parser& parser, std::string_view body,
                                   size_t context_len, size_t prompt_len, const std::string& where);

}  // namespace kaieval::model
