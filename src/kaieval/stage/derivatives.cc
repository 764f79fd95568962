#include "kaieval/stage/derivatives.h"

#include <fmt/format.h>

#include <optional>

#include "kaieval/common/error.h"
#include "kaieval/lineage/derivative_counter.h"
#include "kaieval/lineage/lineage_json.h"
#include "kaieval/lineage/model_record.h"

namespace kaieval::stage {
namespace {

using nlohmann::ordered_json;

int32_t Day(const StageConfig& config, const RubricNode& leaf, const char* key) {
  auto it = leaf.evidence.params.find(key);
  if (it == leaf.evidence.params.end()) return lineage::kUnknownDay;
  std::optional<int32_t> day = lineage::ParseIsoDay(it->second);
  if (!day || it->second.size() != 10) {
    throw InputError(fmt::format("{}: rubric item '{}': evidence.derivatives.{}: expected YYYY-MM-DD, got '{}'",
                                 config.path.string(), leaf.id, key, it->second));
  }
  return *day;
}

// What the report keeps of a root's count: all but the list of exclusions (the tree marks
// the excluded repos it shows, and the snapshot is hashed evidence).
ordered_json RootForReport(const lineage::RootCount& count) {
  const nlohmann::json full = lineage::RootCountJson(count);
  ordered_json out = ordered_json::object();
  for (const char* key : {"root", "found", "headline", "raw", "affiliated", "adjusted", "steps", "farms",
                          "relation_disagreements", "max_depth", "tree"}) {
    if (full.contains(key)) out[key] = ordered_json::parse(full[key].dump());
  }
  out["excluded"] = count.exclusions.size();
  return out;
}

}  // namespace

void GatherDerivatives(const StageConfig& config, const RubricNode& leaf, EvidenceSet& out) {
  const std::string what = leaf.evidence.params.count("count") ? leaf.evidence.params.at("count") : "adjusted";
  lineage::CountOptions options;
  options.since_day = Day(config, leaf, "since");
  options.until_day = Day(config, leaf, "until");
  std::vector<std::string> roots;
  for (const auto& team : config.teams) {
    for (const auto& repo : team.repos) {
      roots.push_back(repo);
      if (!team.hub_accounts.empty()) options.affiliated_by_root[repo] = team.hub_accounts;
    }
  }
  const lineage::DerivativeCounts counts = lineage::CountDerivatives(config.hub_snapshot, roots, options);
  out.sources.push_back(config.hub_snapshot);
  if (counts.snapshot.problem_count > 0) {
    out.notes.push_back(fmt::format("{}: the Hub snapshot has {} unreadable lines (skipped)", leaf.id,
                                    counts.snapshot.problem_count));
  }
  std::vector<double>& scores = out.scores[leaf.id];
  ordered_json teams = ordered_json::array();
  size_t next = 0;
  for (const auto& team : config.teams) {
    double total = 0;
    ordered_json team_roots = ordered_json::array();
    for (size_t r = 0; r < team.repos.size(); ++r, ++next) {
      const lineage::RootCount& c = counts.roots.at(next);
      if (!c.found) out.notes.push_back(fmt::format("{}: {}'s repo {} is not in the Hub snapshot", leaf.id, team.name, c.root));
      total += what == "raw"         ? static_cast<double>(c.raw.transitive_total)
               : what == "in_window" ? static_cast<double>(c.adjusted.created_in_window)
                                     : static_cast<double>(c.headline);
      team_roots.push_back(RootForReport(c));
    }
    if (team.repos.empty()) out.notes.push_back(fmt::format("{}: {} lists no released repos (0 derivatives)", leaf.id, team.name));
    scores.push_back(total);
    teams.push_back({{"roots", team_roots}});
  }
  out.details[leaf.id] = {{"count", what}, {"snapshot", config.hub_snapshot}, {"teams", teams}};
  out.notes.push_back(fmt::format("{}: derivative counts are not resampled; their interval is the point", leaf.id));
  for (auto& rep : out.replicates) rep[leaf.id] = scores;
}

}  // namespace kaieval::stage
