#include "kaieval/lineage/lineage_json.h"

namespace kaieval::lineage {
namespace {

using nlohmann::json;

json DayOrNull(int32_t day) { return day == kUnknownDay ? json(nullptr) : json(IsoDay(day)); }

json RelationOrNull(Relation r) {
  return r == Relation::kNone ? json(nullptr) : json(RelationName(r));
}

json ByRelation(const std::array<size_t, kRelationCount>& counts, size_t total) {
  json out = {{"total", total}};
  for (size_t r = 1; r < kRelationCount; ++r)
    out[std::string(RelationName(Relation(r)))] = counts[r];
  return out;
}

json TallyJson(const Tally& t) {
  return {{"direct", ByRelation(t.direct, t.direct_total)},
          {"transitive", ByRelation(t.transitive, t.transitive_total)},
          {"uploaders", t.uploaders},
          {"downloads", t.downloads},
          {"downloads_all_time", t.downloads_all_time},
          {"downloads_non_quantized", t.downloads_non_quantized},
          {"created_in_window", t.created_in_window}};
}

json TreeJson(const DerivativeTree& tree) {
  json nodes = json::array(), edges = json::array();
  for (const auto& n : tree.nodes) {
    nodes.push_back(
        {{"id", n.id},
         {"relation_inferred", RelationOrNull(n.inferred)},
         {"relation_declared", RelationOrNull(n.declared)},
         {"downloads", n.downloads < 0 ? json(nullptr) : json(n.downloads)},
         {"uploader", n.uploader},
         {"depth", n.depth},
         {"excluded_reason",
          n.excluded == ExclusionReason::kNone ? json(nullptr) : json(ExclusionName(n.excluded))}});
  }
  for (const auto& [parent, child] : tree.edges) {
    edges.push_back({{"parent", tree.nodes[parent].id}, {"child", tree.nodes[child].id}});
  }
  return {{"nodes", nodes},
          {"edges", edges},
          {"capped", tree.capped},
          {"shown_nodes", tree.nodes.size()},
          {"total_nodes", tree.total_nodes}};
}

}  // namespace

json RootCountJson(const RootCount& count) {
  json steps = json::array(), exclusions = json::array(), farms = json::array(),
       pairs = json::array();
  for (const auto& s : count.steps) {
    steps.push_back({{"rule", RuleName(s.rule)},
                     {"disabled", s.disabled},
                     {"removed", s.removed},
                     {"remaining", s.remaining},
                     {"reason", s.reason}});
  }
  for (const auto& e : count.exclusions) {
    exclusions.push_back({{"id", e.id}, {"reason", ExclusionName(e.reason)}, {"detail", e.detail}});
  }
  for (const auto& f : count.farms) {
    farms.push_back({{"uploader", f.uploader},
                     {"models", f.models},
                     {"of_total", f.of_total},
                     {"counted", f.counted}});
  }
  for (const auto& d : count.disagreements) {
    pairs.push_back({{"declared", RelationName(d.declared)},
                     {"inferred", RelationName(d.inferred)},
                     {"models", d.models}});
  }
  return {{"root", count.root},
          {"found", count.found},
          {"headline", count.headline},
          {"raw", TallyJson(count.raw)},
          {"affiliated", TallyJson(count.affiliated)},
          {"adjusted", TallyJson(count.adjusted)},
          {"steps", steps},
          {"exclusions", exclusions},
          {"farms", farms},
          {"relation_disagreements", {{"total", count.relation_disagreements}, {"pairs", pairs}}},
          {"max_depth", count.max_depth},
          {"tree", TreeJson(count.tree)}};
}

json DerivativeCountsJson(const DerivativeCounts& counts, const CountOptions& options) {
  const SnapshotInfo& s = counts.snapshot;
  json problems = json::array(), missing = json::array(), disabled = json::array(),
       roots = json::array();
  for (const auto& p : s.problems) problems.push_back({{"line", p.line}, {"message", p.message}});
  for (const auto& m : s.missing) {
    missing.push_back({{"field", m.field}, {"records", m.records}, {"first_line", m.first_line}});
  }
  for (size_t r = 0; r < kRuleCount; ++r) {
    if (options.disabled[r]) disabled.push_back(RuleName(Rule(r)));
  }
  json affiliated = {{"all_roots", options.affiliated}, {"by_root", options.affiliated_by_root}};
  for (const auto& c : counts.roots) roots.push_back(RootCountJson(c));
  return {{"snapshot",
           {{"path", s.path},
            {"content_hash", s.content_hash},
            {"lines", s.lines},
            {"records", s.records},
            {"skipped_lines", s.skipped},
            {"problem_count", s.problem_count},
            {"problems", problems},
            {"missing_fields", missing},
            {"latest_created", DayOrNull(s.latest_day)}}},
          {"graph",
           {{"models", counts.models},
            {"edges", counts.edges},
            {"cycles_broken", counts.cycles_broken},
            {"self_references", counts.self_references}}},
          {"options",
           {{"since", DayOrNull(options.since_day)},
            {"until", DayOrNull(options.until_day)},
            {"as_of", DayOrNull(counts.as_of_day)},
            {"empty_age_days", options.empty_age_days},
            {"farm_share", options.farm_share},
            {"farm_min_models", options.farm_min_models},
            {"max_depth", options.max_depth},
            {"tree_nodes", options.tree_nodes},
            {"disabled", disabled},
            {"affiliated", affiliated}}},
          {"roots", roots}};
}

}  // namespace kaieval::lineage
