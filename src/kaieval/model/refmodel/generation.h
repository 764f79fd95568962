// Scoring and generating text with a CharNgramModel, one code point per token: the logprobs
// behind echo/logprobs and the decoding loop behind completions and chat. Used by
// CompletionEngine; pure, and deterministic for a given seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kaieval/model/refmodel/char_ngram_model.h"

namespace kaieval::refmodel {

// Below this temperature decoding is greedy, as in vLLM.
inline constexpr double kGreedyTemperature = 1e-5;

struct TokenScore {
  char32_t token = 0;
  std::optional<double> logprob;  // natural log; none for the first token of a text
  // The most likely tokens at this position, best first (ties: lower code point first), then
  // the actual token if it is not among them. Empty when logprob is none or none were asked.
  std::vector<std::pair<char32_t, double>> top;
};

struct GenerateOptions {
  int max_tokens = 16;
  double temperature = 1.0;  // sample from p^(1/T); greedy below kGreedyTemperature
  uint64_t seed = 0;         // seeds std::mt19937_64
  std::vector<std::string> stop;
  int top_logprobs = -1;  // -1: no scores; 0: the chosen token only; N: and the N best
};

struct Generation {
  std::u32string text;             // without the final "\n" or the stop string
  std::vector<TokenScore> scores;  // one per code point of text, when top_logprobs >= 0
  bool stopped = false;            // "\n" or a stop string ended it; false: max_tokens did
  std::string stop_string;         // the stop string that ended it, if one did
  size_t generated_tokens = 0;     // code points sampled, counting the final "\n" or stop string
};

// The score of every code point of `text` given the code points before it (so the first has
// no logprob). top_logprobs as in GenerateOptions, but >= 0.
std::vector<TokenScore> ScoreText(const CharNgramModel& model, std::u32string_view text,
                                  int top_logprobs);

// Continues `prompt` one code point at a time until the model emits "\n" (not included in the
// text), a stop string appears in the generated text (cut before it), or max_tokens.
Generation Generate(const CharNgramModel& model, std::u32string_view prompt,
                    const GenerateOptions& options);

}  // namespace kaieval::refmodel
