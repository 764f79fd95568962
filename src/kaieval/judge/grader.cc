#include "kaieval/judge/grader.h"

namespace kaieval::judge {

bool JudgeVerdict::parsed() const { return method() != ParseMethod::kUnparseable; }

ParseMethod JudgeVerdict::method() const {
  if (rating.score) return rating.method;
  if (pair.preference != Preference::kUnparseable) return pair.method;
  if (refusal.refusal != RefusalClass::kUnparseable) return refusal.method;
  return ParseMethod::kUnparseable;
}

JudgeVerdict ReadVerdict(std::string text, const GraderOptions& options) {
  JudgeVerdict v;
  switch (options.kind) {
    case VerdictKind::kRating: v.rating = ParseRating(text, options.min_rating, options.max_rating); break;
    case VerdictKind::kPair: v.pair = ParsePairVerdict(text); break;
    case VerdictKind::kRefusal: v.refusal = ParseRefusalVerdict(text); break;
  }
  v.text = std::move(text);
  return v;
}

std::vector<JudgeVerdict> GradeAll(model::ModelClient& judge,
                                   const std::vector<std::vector<model::ChatMessage>>& prompts,
                                   const GraderOptions& options) {
  std::vector<JudgeVerdict> out(prompts.size());
  std::vector<size_t> pending(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) pending[i] = i;
  for (int attempt = 0; attempt <= options.max_retries && !pending.empty(); ++attempt) {
    std::vector<model::ChatRequest> requests;
    for (size_t i : pending) {
      requests.push_back({prompts[i], options.max_tokens, options.temperature,
                          static_cast<int64_t>(options.seed + static_cast<uint64_t>(attempt)), {}});
    }
    auto answers = judge.Chat(requests);
    std::vector<size_t> still;
    for (size_t k = 0; k < pending.size(); ++k) {
      size_t i = pending[k];
      int attempts = out[i].attempts + 1;
      out[i] = ReadVerdict(std::move(answers[k].text), options);
      out[i].attempts = attempts;
      if (!out[i].parsed()) still.push_back(i);
    }
    pending = std::move(still);
  }
  return out;
}

}  // namespace kaieval::judge
