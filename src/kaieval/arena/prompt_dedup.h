// Duplicate-prompt down-sampling, after LMArena (FastChat's monitor/deduplication.py): a prompt
// that is sent far more often than others ("안녕", "hi", a tester's favourite riddle) keeps only
// `cap` of its votes, so that it does not outweigh the rest. Called by the leaderboard job.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/arena/vote_record.h"

namespace kaieval::arena {

struct PromptDedupOptions {
  // The cap is this quantile of the per-prompt vote counts (one count per distinct prompt,
  // linear interpolation as numpy and pandas), rounded down: a prompt keeps everything when its
  // count does not exceed the quantile, as in FastChat. In [0, 1].
  double quantile = 0.999;
  // ... but never below this (>= 1): in a small contest the 99.9th percentile can be 1 or 2,
  // and a greeting sent ten times is not yet a flood.
  int64_t min_cap = 10;
  // Mixed into the sampling hash. A contest can keep it private so that nobody can tell in
  // advance which copies of a prompt survive; empty by default (reproducible by anyone).
  std::string salt;
};

// The `prompt_dedup: {quantile, min_cap, salt}` entry of the contest config's `filters` mapping
// (`filters` or the entry may be absent: then the defaults). Throws InputError naming `origin`, the
// line and the field for an unknown key or a value out of range.
PromptDedupOptions LoadPromptDedupOptions(const YAML::Node& filters, std::string_view origin);

// The prompt as it is counted: NFKC, full case folding, runs of whitespace collapsed to one
// space, trimmed. "  Hello\n WORLD" and "hello world" are one prompt, as are full-width and
// ASCII letters, and Hangul in NFD and NFC.
std::string NormalizePrompt(std::string_view prompt);

// ContentHash of NormalizePrompt(prompt): 32 hex digits.
std::string PromptHash(std::string_view prompt);

struct PromptDedupResult {
  int64_t cap = 0;              // max(min_cap, floor(quantile of the per-prompt counts))
  size_t distinct_prompts = 0;  // among the votes
  size_t over_cap_prompts = 0;  // prompts with more than `cap` votes
  std::vector<Exclusion> exclusions;
};

// The prompt of a vote is its first user message ("" when it has none). Of a prompt with
// n > cap votes, the `cap` votes kept are those with the smallest
//   ContentHash({"kaieval/prompt_dedup/v1", salt, PromptHash(prompt), decimal vote_id})
// (ties, which need equal vote ids, by position): the choice depends on neither the order of
// `votes` nor the time of voting, so submitting copies early or late does not decide which
// count, and it is the same on every run. The other n - cap get a kDuplicatePrompt exclusion,
// in the order of `votes`, with the detail "prompt <first 12 hex digits of the hash> has
// <n> votes, over the cap of <cap>". Throws InputError for options out of range.
PromptDedupResult DownsampleDuplicatePrompts(std::span<const VoteRecord> votes,
                                             const PromptDedupOptions& options = {});

}  // namespace kaieval::arena
