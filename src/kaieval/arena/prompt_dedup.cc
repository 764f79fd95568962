#include "kaieval/arena/prompt_dedup.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <unordered_map>

#include "kaieval/common/error.h"
#include "kaieval/common/yaml_reader.h"
#include "kaieval/common/hash.h"
#include "kaieval/common/utf8.h"

namespace kaieval::arena {
namespace {

bool IsSpace(utf8proc_int32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

void Check(const PromptDedupOptions& o) {
  if (!(o.quantile >= 0 && o.quantile <= 1)) {
    throw InputError(
        fmt::format("filters.prompt_dedup.quantile: expected a number in [0, 1], "
                    "got {}",
                    o.quantile));
  }
  if (o.min_cap < 1) {
    throw InputError(
        fmt::format("filters.prompt_dedup.min_cap: expected an integer >= 1, got {}", o.min_cap));
  }
}

// numpy.percentile's default ("linear"): sorted[h] interpolated at h = (n - 1) * q.
double Quantile(std::vector<int64_t> counts, double q) {
  std::sort(counts.begin(), counts.end());
  double h = static_cast<double>(counts.size() - 1) * q;
  size_t lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= counts.size()) return static_cast<double>(counts.back());
  double frac = h - static_cast<double>(lo);
  return static_cast<double>(counts[lo]) + frac * static_cast<double>(counts[lo + 1] - counts[lo]);
}

}  // namespace

PromptDedupOptions LoadPromptDedupOptions(const YAML::Node& filters, std::string_view origin) {
  PromptDedupOptions o;
  if (!filters || filters.IsNull()) return o;
  const YAML::Node& all = filters;  // const: looking a key up must not add it
  const YAML::Node n = all["prompt_dedup"];
  if (!n || n.IsNull()) return o;
  YamlReader reader{std::filesystem::path(origin)};
  reader.RequireKnownKeys(n, "filters.prompt_dedup", {"quantile", "min_cap", "salt"});
  if (n["quantile"]) o.quantile = reader.Number(n["quantile"], "filters.prompt_dedup.quantile", 0, 1);
  if (n["min_cap"]) o.min_cap = reader.Integer(n["min_cap"], "filters.prompt_dedup.min_cap", 1, INT64_MAX);
  if (n["salt"]) o.salt = reader.String(n["salt"], "filters.prompt_dedup.salt");
  return o;
}

std::string NormalizePrompt(std::string_view prompt) {
  std::string folded = NormalizeNfkc(CaseFold(NormalizeNfkc(prompt)));
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (size_t i = 0; i < folded.size();) {
    utf8proc_int32_t cp;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(folded.data() + i),
                              static_cast<utf8proc_ssize_t>(folded.size() - i), &cp);
    size_t len = n > 0 ? static_cast<size_t>(n) : 1;
    if (n > 0 && IsSpace(cp)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.append(folded, i, len);
    }
    i += len;
  }
  return out;
}

std::string PromptHash(std::string_view prompt) { return ContentHash(NormalizePrompt(prompt)); }

PromptDedupResult DownsampleDuplicatePrompts(std::span<const VoteRecord> votes,
                                             const PromptDedupOptions& options) {
  Check(options);
  PromptDedupResult result;
  if (votes.empty()) {
    result.cap = options.min_cap;
    return result;
  }
  std::vector<std::string> hashes;
  hashes.reserve(votes.size());
  std::unordered_map<std::string, std::vector<size_t>> by_prompt;  // hash -> vote positions
  for (size_t i = 0; i < votes.size(); ++i) {
    const auto& messages = votes[i].user_messages;
    hashes.push_back(PromptHash(messages.empty() ? std::string_view() : messages.front()));
    by_prompt[hashes.back()].push_back(i);
  }
  std::vector<int64_t> counts;
  counts.reserve(by_prompt.size());
  for (const auto& [hash, positions] : by_prompt) {
    counts.push_back(static_cast<int64_t>(positions.size()));
  }
  // The epsilon keeps 12.999999999 (rounding in the interpolation) from becoming 12.
  double q = Quantile(counts, options.quantile);
  result.cap = std::max(options.min_cap, static_cast<int64_t>(std::floor(q + 1e-9)));
  result.distinct_prompts = by_prompt.size();

  std::vector<bool> excluded(votes.size(), false);
  std::vector<int64_t> count_of(votes.size(), 0);
  for (auto& [hash, positions] : by_prompt) {
    int64_t n = static_cast<int64_t>(positions.size());
    if (n <= result.cap) continue;
    ++result.over_cap_prompts;
    std::vector<std::pair<std::string, size_t>> keyed;
    keyed.reserve(positions.size());
    for (size_t i : positions) {
      std::string id = std::to_string(votes[i].vote_id);
      keyed.emplace_back(ContentHash({"kaieval/prompt_dedup/v1", options.salt, hash, id}), i);
    }
    std::sort(keyed.begin(), keyed.end());  // equal-width lowercase hex: string order = value
    for (size_t k = static_cast<size_t>(result.cap); k < keyed.size(); ++k) {
      excluded[keyed[k].second] = true;
      count_of[keyed[k].second] = n;
    }
  }
  for (size_t i = 0; i < votes.size(); ++i) {
    if (!excluded[i]) continue;
    result.exclusions.push_back({votes[i].vote_id, ExclusionReason::kDuplicatePrompt,
                                 fmt::format("prompt {} has {} votes, over the cap of {}",
                                             hashes[i].substr(0, 12), count_of[i], result.cap)});
  }
  return result;
}

}  // namespace kaieval::arena
