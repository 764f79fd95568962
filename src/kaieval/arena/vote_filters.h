// The anti-manipulation pipeline: which recorded votes count, and why the others do not. Runs
// the stored refusals (rate limit), admin overrides, identity leaks, duplicate prompts and
// suspicious voters in that order; any filter can be switched off for audit. Used by the
// leaderboard; nothing is deleted, every exclusion keeps its reason.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kaieval/arena/battle_store.h"
#include "kaieval/arena/contest_config.h"
#include "kaieval/arena/identity_words.h"
#include "kaieval/arena/prompt_dedup.h"
#include "kaieval/arena/suspicious_voters.h"
#include "kaieval/arena/vote_record.h"

namespace kaieval::arena {

struct FilterSettings {
  IdentityLexicon identity_words;
  PromptDedupOptions prompt_dedup;
  SuspiciousVoterOptions suspicious_voters;
};

// From the contest config's `filters` section; the contest's own model names are added to the
// identity words. Throws InputError naming the config file and field.
FilterSettings LoadFilterSettings(const ContestConfig& config);

struct FilteredVotes {
  std::vector<VoteRecord> votes;               // every vote, by vote id
  std::vector<std::optional<Exclusion>> why;   // parallel: the first reason a vote is excluded
  std::map<ExclusionReason, int64_t> counts;   // excluded votes by reason
  // The suspicious-voter tests: by session, then by client address (voter "address <addr>").
  std::vector<VoterTest> voter_tests;
  std::vector<std::string> model_names;        // VoteRecord model indices name these
};

// `rows` are the store's votes; `model_names` the contest's models (votes of models outside it
// get new indices after them). Reasons in `disabled` are not applied (rate_limit and admin
// included). An admin "include" override counts a vote whatever the filters say; "exclude"
// excludes it; the latest override of a vote wins.
FilteredVotes FilterVotes(const std::vector<VoteWithConversation>& rows,
                          const std::vector<OverrideRow>& overrides,
                          std::vector<std::string> model_names, const FilterSettings& settings,
                          const std::set<ExclusionReason>& disabled = {});

}  // namespace kaieval::arena
