// Sends judge prompts to a judge model (any ModelClient, so through the response cache) and
// reads the verdict from each answer; an answer with no readable verdict is asked again with
// another seed, up to max_retries times, and stays unparseable after that (never a 0).
// Called by the judged tasks of the benchmark runner for each judge of a panel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kaieval/judge/verdict.h"
#include "kaieval/model/model_client.h"

namespace kaieval::judge {

enum class VerdictKind { kRating, kPair, kRefusal };

struct GraderOptions {
  VerdictKind kind = VerdictKind::kRating;
  int max_retries = 2;    // extra attempts for an unparseable answer
  int max_tokens = 512;
  double temperature = 0;
  uint64_t seed = 1234;   // attempt a is sent with seed + a, so a retry is a new request
  double min_rating = 1, max_rating = 10;
};

struct JudgeVerdict {
  std::string text;  // the judge's last answer
  int attempts = 0;  // requests made for this prompt
  Rating rating;
  PairVerdict pair;
  RefusalVerdict refusal;
  bool parsed() const;
  ParseMethod method() const;
};

// One verdict per prompt, in order. Errors of the judge endpoint propagate (RemoteError or
// InputError, as ModelClient throws them).
std::vector<JudgeVerdict> GradeAll(model::ModelClient& judge,
                                   const std::vector<std::vector<model::ChatMessage>>& prompts,
                                   const GraderOptions& options);

// The verdict of one answer text, as GradeAll reads it.
JudgeVerdict ReadVerdict(std::string text, const GraderOptions& options);

}  // namespace kaieval::judge
