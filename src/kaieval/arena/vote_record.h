// VoteRecord: one public-contest vote as the anti-manipulation filters and the leaderboard see
// it. The battle store produces these; the filters read them and never change them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/stats/bradley_terry.h"

namespace kaieval::arena {

struct VoteRecord {
  int64_t vote_id = 0;
  std::string voter;   // the session that voted (opaque id)
  std::string client;  // the client address it voted from
  uint32_t model_a = 0;  // indices into the contest's model list
  uint32_t model_b = 0;
  stats::Battle::Outcome outcome = stats::Battle::Outcome::kTie;
  int64_t tstamp_ms = 0;  // when the vote was recorded, ms since the Unix epoch
  // The user's messages, in order (NFC-normalised UTF-8); the first one is "the prompt".
  std::vector<std::string> user_messages;
  // Each model's answers, turn by turn.
  std::vector<std::string> answers_a;
  std::vector<std::string> answers_b;
};

// Why a vote does not count. Every exclusion is recorded with one of these and a detail text.
enum class ExclusionReason {
  kIdentityLeak,     // the conversation names a model or its organisation
  kDuplicatePrompt,  // down-sampled: the prompt is repeated beyond the cap
  kSuspiciousVoter,  // the voter's votes disagree with history far beyond chance
  kRateLimit,        // over the per-session or per-address vote limit
  kAdmin,            // excluded by a recorded admin override
};

// "identity_leak", "duplicate_prompt", "suspicious_voter", "rate_limit", "admin": the names used
// in the store, the API and reports.
const char* ExclusionReasonName(ExclusionReason reason);
// The inverse; throws InputError for an unknown name.
ExclusionReason ParseExclusionReason(std::string_view name);

struct Exclusion {
  int64_t vote_id = 0;
  ExclusionReason reason = ExclusionReason::kAdmin;
  std::string detail;  // human-readable: which word, which prompt hash, which statistic
};

}  // namespace kaieval::arena
