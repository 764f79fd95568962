#include "kaieval/model/refmodel/generation.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "kaieval/model/refmodel/code_points.h"

namespace kaieval::refmodel {
namespace {

using Symbol = CharNgramModel::Symbol;

// The n most likely vocabulary symbols (never the unknown one), best first; ties go to the lower
// symbol, i.e. the lower code point.
std::vector<Symbol> MostLikely(const std::vector<double>& probs, size_t vocabulary_size, size_t n) {
  std::vector<Symbol> best;
  if (n == 0) return best;
  best.reserve(n + 1);
  for (size_t s = 0; s < vocabulary_size; ++s) {
    if (best.size() == n && probs[s] <= probs[best.back()]) continue;
    // Symbols arrive in ascending order, so an equal probability goes after those already kept.
    auto at = std::upper_bound(best.begin(), best.end(), probs[s],
                               [&](double p, Symbol b) { return p > probs[b]; });
    best.insert(at, static_cast<Symbol>(s));
    if (best.size() > n) best.pop_back();
  }
  return best;
}

TokenScore ScoreFromDistribution(const CharNgramModel& model, const std::vector<double>& probs,
                                 char32_t token, Symbol symbol, int top_logprobs) {
  TokenScore score{token, std::log(probs[symbol]), {}};
  bool listed = false;
  for (Symbol s : MostLikely(probs, model.vocabulary().size(), top_logprobs)) {
    score.top.emplace_back(model.vocabulary()[s], std::log(probs[s]));
    listed = listed || s == symbol;
  }
  if (!listed) score.top.emplace_back(token, *score.logprob);
  return score;
}

Symbol ArgMax(const std::vector<double>& probs, size_t vocabulary_size) {
  Symbol best = 0;
  for (size_t s = 1; s < vocabulary_size; ++s) {
    if (probs[s] > probs[best]) best = static_cast<Symbol>(s);
  }
  return best;
}

// Draws from p^(1/T) over the vocabulary. Weights are taken relative to the largest
// probability so that a small temperature cannot underflow all of them.
Symbol Sample(const std::vector<double>& probs, size_t vocabulary_size, double temperature,
              std::mt19937_64& rng, std::vector<double>& weights) {
  double largest = probs[ArgMax(probs, vocabulary_size)];
  weights.resize(vocabulary_size);
  double total = 0;
  for (size_t s = 0; s < vocabulary_size; ++s) {
    weights[s] = temperature == 1.0 ? probs[s] : std::pow(probs[s] / largest, 1.0 / temperature);
    total += weights[s];
  }
  // 53 random bits in [0, 1): the same draw on every platform for a given seed.
  double target = static_cast<double>(rng() >> 11) * 0x1.0p-53 * total;
  Symbol last_positive = 0;
  for (size_t s = 0; s < vocabulary_size; ++s) {
    if (weights[s] <= 0) continue;
    last_positive = static_cast<Symbol>(s);
    target -= weights[s];
    if (target < 0) return last_positive;
  }
  return last_positive;  // rounding left a sliver of target
}

// The stop string that the text now ends with, if any.
const std::u32string* EndingStop(const std::u32string& text,
                                 const std::vector<std::u32string>& stops) {
  for (const auto& stop : stops) {
    if (text.ends_with(stop)) return &stop;
  }
  return nullptr;
}

}  // namespace

std::vector<TokenScore> ScoreText(const CharNgramModel& model, std::u32string_view text,
                                  int top_logprobs) {
  std::vector<Symbol> symbols = model.Encode(text);
  std::vector<TokenScore> scores;
  scores.reserve(text.size());
  std::vector<double> probs;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 0) {
      scores.push_back({text[0], std::nullopt, {}});
      continue;
    }
    std::span<const Symbol> history(symbols.data(), i);
    if (top_logprobs > 0) {
      model.Distribution(history, probs);
      scores.push_back(ScoreFromDistribution(model, probs, text[i], symbols[i], top_logprobs));
    } else {
      double logprob = std::log(model.Probability(history, symbols[i]));
      scores.push_back({text[i], logprob, {{text[i], logprob}}});
    }
  }
  return scores;
}

Generation Generate(const CharNgramModel& model, std::u32string_view prompt,
                    const GenerateOptions& options) {
  Generation out;
  const size_t vocabulary_size = model.vocabulary().size();
  const Symbol newline = model.SymbolOf(U'\n');
  std::vector<std::u32string> stops;
  for (const auto& s : options.stop) stops.push_back(DecodeUtf8(s));

  std::vector<Symbol> symbols = model.Encode(prompt);
  symbols.reserve(symbols.size() + options.max_tokens);
  std::mt19937_64 rng(options.seed);
  std::vector<double> probs, weights;
  for (int t = 0; t < options.max_tokens; ++t) {
    model.Distribution(symbols, probs);
    Symbol next = options.temperature < kGreedyTemperature
                      ? ArgMax(probs, vocabulary_size)
                      : Sample(probs, vocabulary_size, options.temperature, rng, weights);
    ++out.generated_tokens;
    if (next == newline) {
      out.stopped = true;
      break;
    }
    char32_t token = model.vocabulary()[next];
    if (options.top_logprobs >= 0) {
      out.scores.push_back(ScoreFromDistribution(model, probs, token, next, options.top_logprobs));
    }
    symbols.push_back(next);
    out.text.push_back(token);
    if (const std::u32string* stop = EndingStop(out.text, stops)) {
      out.text.resize(out.text.size() - stop->size());
      if (!out.scores.empty()) out.scores.resize(out.text.size());
      out.stopped = true;
      out.stop_string = EncodeUtf8(*stop);
      break;
    }
  }
  return out;
}

}  // namespace kaieval::refmodel
