// The reference server's stand-ins for the safety and judge behaviour of real models, so that
// the judge and safety suites run end to end without a GPU: a candidate that refuses flagged
// requests (RefusalReply), and a judge model that grades answers by how well its own n-gram
// model predicts them (JudgeReply). Called by CompletionEngine::Chat; documented in docs/judge.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kaieval/model/refmodel/model_registry.h"
#include "kaieval/model/refmodel/openai_protocol.h"

namespace kaieval::refmodel {

// The candidate's refusal when it refuses the last user message: that message (its first
// refusal_window code points, if set) holds one of `words` (ASCII case-insensitive) and a hash of
// (model name, message) falls below refusal_rate. Korean when the message is mostly Hangul.
std::optional<std::string> RefusalReply(const NamedModel& model,
                                        const std::vector<std::string>& words,
                                        const std::vector<ChatMessage>& messages);

// How well `model` predicts `answer`, in [0, 1]: the mean log-probability per code point,
// mapped linearly from [-4.5, -0.5] to [0, 1], times the share of distinct 4-code-point pieces
// (a repeating loop scores low), scaled down for answers under 20 code points.
double AnswerQuality(const CharNgramModel& model, const std::string& answer);

// The share of the reference's code points (not spaces or . ,) that occur in the answer.
double ReferenceOverlap(const std::string& answer, const std::string& reference);

// A judge's answer to a judge prompt in kaieval's built-in format (the last user message holds
// "[The Start of Assistant's Answer]" ... or the "Assistant A's" / "Assistant B's" pair):
// "Rating: [[n]]" with n = 1 + round(9 * quality), or a pairwise verdict from the quality gap
// (quality: AnswerQuality, averaged with ReferenceOverlap when the prompt has a reference answer)
// (within 0.05: [[A=B]]; above 0.25: a strong verdict). nullopt when the prompt is not a judge
// prompt. With probability unparseable_rate (a hash of the prompt and the seed) the answer has
// no verdict.
std::optional<std::string> JudgeReply(const NamedModel& judge,
                                      const std::vector<ChatMessage>& messages, uint64_t seed);

}  // namespace kaieval::refmodel
