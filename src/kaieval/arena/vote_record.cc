#include "kaieval/arena/vote_record.h"

#include <fmt/format.h>

#include "kaieval/common/error.h"

namespace kaieval::arena {
namespace {

constexpr std::pair<ExclusionReason, const char*> kNames[] = {
    {ExclusionReason::kIdentityLeak, "identity_leak"},
    {ExclusionReason::kDuplicatePrompt, "duplicate_prompt"},
    {ExclusionReason::kSuspiciousVoter, "suspicious_voter"},
    {ExclusionReason::kRateLimit, "rate_limit"},
    {ExclusionReason::kAdmin, "admin"},
};

}  // namespace

const char* ExclusionReasonName(ExclusionReason reason) {
  for (const auto& [r, name] : kNames) {
    if (r == reason) return name;
  }
  return "unknown";
}

ExclusionReason ParseExclusionReason(std::string_view name) {
  for (const auto& [r, n] : kNames) {
    if (name == n) return r;
  }
  throw InputError(fmt::format(
      "unknown exclusion filter '{}': expected identity_leak, duplicate_prompt, "
      "suspicious_voter, rate_limit or admin",
      name));
}

}  // namespace kaieval::arena
