// Counts per root and every anti-gaming rule: each shown acting on its case, leaving a clean
// case alone, and switched off for audit.
#include "kaieval/lineage/derivative_counter.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kaieval/lineage/lineage_json.h"
#include "kaieval/lineage/lineage_testing.h"

namespace kaieval::lineage {
namespace {

using kaieval::testing::ScratchDir;
using testing::Count;
using testing::RepoSpec;

constexpr const char* kRoot = "acme/base-7b";

std::vector<RepoSpec> Clean() {
  return {{.id = kRoot, .kind = "copy", .downloads = 5000, .created = "2025-09-01"},
          {.id = "alice/base-7b-sft", .bases = {kRoot}, .downloads = 100},
          {.id = "bob/base-7b-GGUF", .bases = {kRoot}, .kind = "gguf", .downloads = 300},
          {.id = "carol/base-7b-lora", .bases = {kRoot}, .kind = "lora", .downloads = 7},
          {.id = "dave/sft-of-sft",
           .bases = {"alice/base-7b-sft"},
           .downloads = 1,
           .created = "2025-12-01"}};
}

const ExcludedModel* Excluded(const RootCount& c, const std::string& id) {
  for (const auto& e : c.exclusions) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

size_t Removed(const RootCount& c, Rule rule) {
  for (const auto& s : c.steps) {
    if (s.rule == rule) return s.removed;
  }
  return SIZE_MAX;
}

TEST(DerivativeCounter, CountsDirectAndTransitiveByInferredRelation) {
  ScratchDir dir("lineage_counter");
  const RootCount c = Count(dir, Clean(), {kRoot}).roots.at(0);
  EXPECT_TRUE(c.found);
  EXPECT_EQ(c.raw.direct_total, 3u);
  EXPECT_EQ(c.raw.transitive_total, 4u);
  EXPECT_EQ(c.raw.direct[size_t(Relation::kFinetune)], 1u);
  EXPECT_EQ(c.raw.direct[size_t(Relation::kQuantized)], 1u);
  EXPECT_EQ(c.raw.direct[size_t(Relation::kAdapter)], 1u);
  EXPECT_EQ(c.raw.transitive[size_t(Relation::kFinetune)], 2u);
  EXPECT_EQ(c.raw.uploaders, 4u);
  EXPECT_EQ(c.raw.downloads, 408u);
  EXPECT_EQ(c.raw.downloads_non_quantized, 108u);
  EXPECT_EQ(c.max_depth, 2);
  // The clean case: no rule removes anything, the headline is the raw count.
  EXPECT_EQ(c.headline, 4u);
  ASSERT_EQ(c.steps.size(), kRuleCount);
  for (const auto& s : c.steps) EXPECT_EQ(s.removed, 0u) << RuleName(s.rule);
  EXPECT_TRUE(c.exclusions.empty());
}

TEST(DerivativeCounter, DepthLimitAndWindow) {
  ScratchDir dir("lineage_counter");
  CountOptions o;
  o.max_depth = 1;
  EXPECT_EQ(Count(dir, Clean(), {kRoot}, o).roots[0].raw.transitive_total, 3u);
  o = {};
  o.since_day = *ParseIsoDay("2025-11-15");
  const RootCount c = Count(dir, Clean(), {kRoot}, o).roots[0];
  EXPECT_EQ(c.adjusted.created_in_window, 1u);  // dave, created 2025-12-01
}

TEST(DerivativeCounter, AffiliatedUploadsCountSeparately) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();
  repos.push_back({.id = "acme/base-7b-instruct", .bases = {kRoot}});
  repos.push_back({.id = "acme-research/base-7b-GGUF", .bases = {kRoot}, .kind = "gguf"});
  CountOptions o;
  o.affiliated_by_root["ACME/base-7b"] = {"acme-research"};
  o.affiliated_by_root["other/model"] = {"alice"};  // another root's account: no effect here
  RootCount c = Count(dir, repos, {kRoot}, o).roots[0];
  EXPECT_EQ(c.raw.transitive_total, 6u);
  EXPECT_EQ(c.affiliated.transitive_total, 2u);
  EXPECT_EQ(Removed(c, Rule::kAffiliated), 2u);
  EXPECT_EQ(c.headline, 4u);
  ASSERT_NE(Excluded(c, "acme-research/base-7b-GGUF"), nullptr);
  EXPECT_EQ(Excluded(c, "acme-research/base-7b-GGUF")->reason, ExclusionReason::kAffiliated);
  EXPECT_EQ(Excluded(c, "alice/base-7b-sft"), nullptr);
  o.disabled[size_t(Rule::kAffiliated)] = true;
  c = Count(dir, repos, {kRoot}, o).roots[0];
  EXPECT_EQ(c.headline, 6u);
  EXPECT_TRUE(c.steps[0].disabled);
}

TEST(DerivativeCounter, EmptyReposAreNotDerivatives) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();
  repos.push_back({.id = "erin/placeholder", .bases = {kRoot}, .kind = "empty"});
  repos.push_back(
      {.id = "frank/old-unused", .bases = {kRoot}, .downloads = 0, .created = "2025-06-01"});
  repos.push_back(
      {.id = "gina/new-unused", .bases = {kRoot}, .downloads = 0, .created = "2025-11-20"});
  repos.push_back(
      {.id = "hank/old-used", .bases = {kRoot}, .downloads = 3, .created = "2025-06-01"});
  CountOptions o;
  o.as_of_day = *ParseIsoDay("2025-12-01");
  RootCount c = Count(dir, repos, {kRoot}, o).roots[0];
  EXPECT_EQ(Excluded(c, "erin/placeholder")->reason, ExclusionReason::kNoWeightFiles);
  EXPECT_EQ(Excluded(c, "frank/old-unused")->reason, ExclusionReason::kZeroDownloads);
  EXPECT_EQ(Excluded(c, "gina/new-unused"), nullptr);  // younger than 90 days
  EXPECT_EQ(Excluded(c, "hank/old-used"), nullptr);
  EXPECT_EQ(Removed(c, Rule::kEmpty), 2u);
  EXPECT_EQ(c.headline, 6u);
  o.disabled[size_t(Rule::kEmpty)] = true;
  EXPECT_EQ(Count(dir, repos, {kRoot}, o).roots[0].headline, 8u);
}

TEST(DerivativeCounter, NearDuplicatesCountOnce) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();
  repos[1].size = 4242;  // alice's files
  repos.push_back({.id = "ivan/reupload", .bases = {kRoot}, .created = "2025-11-02", .size = 4242});
  repos.push_back({.id = "judy/root-copy",
                   .bases = {kRoot},
                   .kind = "copy",
                   .created = "2025-08-01",
                   .size = repos[0].size = 9999});
  repos.push_back({.id = "kim/different", .bases = {kRoot}, .size = 4243});
  RootCount c = Count(dir, repos, {kRoot}).roots[0];
  EXPECT_EQ(Excluded(c, "ivan/reupload")->detail, "same weight files as alice/base-7b-sft");
  // Created before the root (a back-dated copy), still the root's copy.
  EXPECT_EQ(Excluded(c, "judy/root-copy")->detail, "same weight files as acme/base-7b");
  EXPECT_EQ(Excluded(c, "alice/base-7b-sft"), nullptr);  // the original stays
  EXPECT_EQ(Excluded(c, "kim/different"), nullptr);
  EXPECT_EQ(Removed(c, Rule::kNearDuplicate), 2u);
  EXPECT_EQ(c.headline, 5u);
  CountOptions o;
  o.disabled[size_t(Rule::kNearDuplicate)] = true;
  EXPECT_EQ(Count(dir, repos, {kRoot}, o).roots[0].headline, 7u);
}

TEST(DerivativeCounter, FarmsAreCappedAndFlagged) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();  // 4 derivatives
  for (int i = 0; i < 8; ++i) {
    repos.push_back({.id = fmt::format("farm/base-7b-Q{}-GGUF", i),
                     .bases = {kRoot},
                     .kind = "gguf",
                     .downloads = 100 + i});
  }
  for (int i = 0; i < 3; ++i) {  // 3 of 15: 20%, not above the share
    repos.push_back({.id = fmt::format("busy/variant-{}", i), .bases = {kRoot}});
  }
  RootCount c = Count(dir, repos, {kRoot}).roots[0];
  ASSERT_EQ(c.farms.size(), 1u);
  EXPECT_EQ(c.farms[0].uploader, "farm");
  EXPECT_EQ(c.farms[0].models, 8u);
  EXPECT_EQ(c.farms[0].of_total, 15u);
  EXPECT_EQ(c.farms[0].counted, 3u);  // floor(0.2 * 15)
  EXPECT_EQ(Removed(c, Rule::kFarm), 5u);
  EXPECT_EQ(Excluded(c, "farm/base-7b-Q7-GGUF"), nullptr);  // the most downloaded stay
  EXPECT_EQ(Excluded(c, "farm/base-7b-Q0-GGUF")->reason, ExclusionReason::kFarm);
  EXPECT_EQ(Excluded(c, "busy/variant-0"), nullptr);
  EXPECT_EQ(c.headline, 10u);
  // Few models: a large share alone is not a farm.
  ScratchDir small("lineage_counter");
  auto few = Clean();
  few.push_back({.id = "alice/second", .bases = {kRoot}});
  EXPECT_TRUE(Count(small, few, {kRoot}).roots[0].farms.empty());
  CountOptions o;
  o.disabled[size_t(Rule::kFarm)] = true;
  EXPECT_EQ(Count(dir, repos, {kRoot}, o).roots[0].headline, 15u);
}

TEST(DerivativeCounter, MergeCountsForEachRoot) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();
  repos.push_back({.id = "other/model", .kind = "copy"});
  repos.push_back({.id = "mixer/merged", .bases = {kRoot, "Other/Model"}, .kind = "copy"});
  const auto counts = Count(dir, repos, {kRoot, "other/model"});
  EXPECT_EQ(counts.roots[0].raw.direct[size_t(Relation::kMerge)], 1u);
  EXPECT_EQ(counts.roots[1].raw.direct[size_t(Relation::kMerge)], 1u);
  EXPECT_EQ(counts.roots[1].raw.transitive_total, 1u);
}

TEST(DerivativeCounter, DeclaredAndInferredDisagreementsCounted) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();
  repos[2].declared = "finetune";  // a GGUF labelled finetune
  repos[1].declared = "finetune";  // agrees
  const RootCount c = Count(dir, repos, {kRoot}).roots[0];
  EXPECT_EQ(c.relation_disagreements, 1u);
  ASSERT_EQ(c.disagreements.size(), 1u);
  EXPECT_EQ(c.disagreements[0].declared, Relation::kFinetune);
  EXPECT_EQ(c.disagreements[0].inferred, Relation::kQuantized);
}

TEST(DerivativeCounter, CyclesAndSelfReferencesAreBrokenAndReported) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();
  repos.push_back({.id = "x/a", .bases = {kRoot, "x/b"}});
  repos.push_back({.id = "x/b", .bases = {"x/a"}});
  repos.push_back({.id = "x/self", .bases = {"x/self", kRoot}});
  const auto counts = Count(dir, repos, {kRoot});
  EXPECT_EQ(counts.cycles_broken, 1u);
  EXPECT_EQ(counts.self_references, 1u);
  EXPECT_EQ(counts.roots[0].raw.transitive_total, 7u);
  bool cycle = false, self = false;
  for (const auto& p : counts.snapshot.problems) {
    cycle |= p.message.find("cycle:") == 0;
    self |= p.message == "'x/self' names itself as its base model; ignored";
  }
  EXPECT_TRUE(cycle);
  EXPECT_TRUE(self);
}

TEST(DerivativeCounter, UnknownRootCountsNothing) {
  ScratchDir dir("lineage_counter");
  const RootCount c = Count(dir, Clean(), {"nobody/nothing"}).roots[0];
  EXPECT_FALSE(c.found);
  EXPECT_EQ(c.raw.transitive_total, 0u);
  EXPECT_EQ(c.headline, 0u);
  EXPECT_NE(kaieval::testing::InputErrorMessage([&] { Count(dir, Clean(), {"not an id"}); }), "");
}

TEST(DerivativeCounter, TreeIsCappedConnectedAndInJson) {
  ScratchDir dir("lineage_counter");
  auto repos = Clean();
  repos.push_back({.id = "erin/placeholder", .bases = {kRoot}, .kind = "empty", .downloads = 999});
  CountOptions o;
  o.tree_nodes = 3;
  const RootCount c = Count(dir, repos, {kRoot}, o).roots[0];
  ASSERT_EQ(c.tree.nodes.size(), 3u);
  EXPECT_TRUE(c.tree.capped);
  EXPECT_EQ(c.tree.total_nodes, 6u);
  EXPECT_EQ(c.tree.nodes[0].id, kRoot);
  EXPECT_EQ(c.tree.nodes[1].id, "erin/placeholder");  // best-first by downloads
  EXPECT_EQ(c.tree.nodes[2].id, "bob/base-7b-GGUF");
  const nlohmann::json j = RootCountJson(c);
  EXPECT_EQ(j["tree"]["nodes"][1]["excluded_reason"], "no_weight_files");
  EXPECT_TRUE(j["tree"]["nodes"][2]["excluded_reason"].is_null());
  EXPECT_EQ(j["tree"]["nodes"][2]["relation_inferred"], "quantized");
  EXPECT_TRUE(j["tree"]["nodes"][0]["relation_inferred"].is_null());
  EXPECT_EQ(j["tree"]["edges"].size(), 2u);
  EXPECT_EQ(j["tree"]["edges"][0]["parent"], kRoot);
  EXPECT_EQ(j["tree"]["capped"], true);
  EXPECT_EQ(j["headline"], 4);
  EXPECT_EQ(j["raw"]["transitive"]["total"], 5);
  EXPECT_EQ(j["steps"][1]["rule"], "empty");
  EXPECT_EQ(j["exclusions"][0]["reason"], "no_weight_files");
}

TEST(DerivativeCounter, DisabledRulesParse) {
  const auto d = ParseDisabledRules("farm,near_duplicate", "--disable");
  EXPECT_TRUE(d[size_t(Rule::kFarm)]);
  EXPECT_TRUE(d[size_t(Rule::kNearDuplicate)]);
  EXPECT_FALSE(d[size_t(Rule::kEmpty)]);
  EXPECT_EQ(kaieval::testing::InputErrorMessage([] { ParseDisabledRules("farms", "--disable"); }),
            "--disable: unknown rule 'farms'; expected affiliated, empty, near_duplicate or farm");
}

}  // namespace
}  // namespace kaieval::lineage
