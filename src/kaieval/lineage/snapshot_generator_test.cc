// The synthetic snapshot has the shape it promises, is reproducible from its seed, and the
// counter finds what was planted in it.
#include "kaieval/lineage/snapshot_generator.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "kaieval/common/testing.h"
#include "kaieval/lineage/derivative_counter.h"

namespace kaieval::lineage {
namespace {

TEST(SnapshotGenerator, ShapeAndPlantedCasesAreFound) {
  kaieval::testing::ScratchDir dir("lineage_generator");
  const std::string path = dir.File("s.jsonl");
  GeneratorOptions o{.models = 6000, .root_count = 5, .roots = {"hanul-ai/hanul-7b"}, .seed = 7};
  std::ofstream out(path);
  const GeneratorSummary s = GenerateSnapshot(o, out);
  out.close();
  EXPECT_EQ(s.models, 6000u);
  EXPECT_LE(s.max_depth, 6);
  EXPECT_GE(s.max_depth, 4);
  EXPECT_NEAR(static_cast<double>(s.quantized) / 6000, 0.3, 0.05);
  std::vector<std::string> roots = {"hanul-ai/hanul-7b", "org-1/model-1", "org-2/model-2",
                                    "org-3/model-3", "org-4/model-4"};
  const DerivativeCounts counts = CountDerivatives(path, roots);
  EXPECT_EQ(counts.snapshot.records, 6000u);
  EXPECT_EQ(counts.snapshot.skipped, 0u);
  size_t raw = 0, farms = 0, affiliated = 0, duplicates = 0, quantized = 0;
  for (const auto& c : counts.roots) {
    raw += c.raw.transitive_total;
    farms += c.farms.size();
    affiliated += c.affiliated.transitive_total;
    quantized += c.raw.transitive[size_t(Relation::kQuantized)];
    for (const auto& e : c.exclusions) duplicates += e.reason == ExclusionReason::kNearDuplicate;
    EXPECT_LT(c.headline, c.raw.transitive_total);
  }
  EXPECT_GE(raw, 5995u);  // merges of two roots count for both
  EXPECT_GE(farms, 1u);
  EXPECT_GE(affiliated, s.affiliated);
  EXPECT_GT(duplicates, s.duplicates / 2);
  EXPECT_GE(quantized, s.quantized);
  // The largest root has the most derivatives: the fan-out is skewed.
  EXPECT_GT(counts.roots[0].raw.transitive_total, 2 * counts.roots[4].raw.direct_total);
}

TEST(SnapshotGenerator, SameSeedSameBytes) {
  std::ostringstream a, b, c;
  GenerateSnapshot({.models = 500, .seed = 3}, a);
  GenerateSnapshot({.models = 500, .seed = 3}, b);
  GenerateSnapshot({.models = 500, .seed = 4}, c);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_NE(a.str(), c.str());
}

TEST(SnapshotGenerator, BadOptions) {
  std::ostringstream out;
  EXPECT_NE(kaieval::testing::InputErrorMessage(
                [&] { GenerateSnapshot({.models = 3, .root_count = 5}, out); }),
            "");
  EXPECT_EQ(kaieval::testing::InputErrorMessage(
                [&] { GenerateSnapshot({.models = 30, .roots = {"noslash"}}, out); }),
            "--root: 'noslash' is not ORG/NAME");
}

}  // namespace
}  // namespace kaieval::lineage
