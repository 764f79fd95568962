#include "demo_evidence.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/lineage/snapshot_generator.h"
#include "kaieval/origin/origin_compare.h"
#include "kaieval/origin/origin_report.h"
#include "kaieval/origin/test_models.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;

struct DemoTeam {
  const char* name;
  const char* repo;  // its released model on the (simulated) Hub
  uint64_t weight_seed;
};

// The demo stage's teams (examples/stage/demo-stage.yaml), each with weights of its own seed.
// narae-2b's language model is its own, but its vision encoder is the public reference
// model's (the case that cut a team in the first stage).
const DemoTeam kTeams[] = {{"hanul-7b", "demo-hanul/hanul-7b", 12},
                           {"dalbit-5b", "demo-dalbit/dalbit-5b", 22},
                           {"sanmaru-3b", "demo-sanmaru/sanmaru-3b", 33},
                           {"narae-2b", "demo-narae/narae-2b", 11},
                           {"byeol-1b", "demo-byeol/byeol-1b", 55}};

// Published models every team is checked against (simulated): a vision-language model and a
// language model, as a committee would list the well-known open models.
const DemoTeam kReferences[] = {{"public-vlm", "", 11}, {"public-llm", "", 77}};

void MakeHubSnapshot(const fs::path& path) {
  lineage::GeneratorOptions g;
  g.models = 4000;
  g.seed = 20261230;
  for (const auto& t : kTeams) g.roots.push_back(t.repo);
  g.root_count = g.roots.size();
  std::ofstream out(path);
  const lineage::GeneratorSummary s = lineage::GenerateSnapshot(g, out);
  std::printf("\nEcosystem (SIMULATED Hub snapshot): %zu models around the teams' repos, %s\n"
              "  planted: %zu quantized (%zu labelled finetune), %zu farm uploads, %zu duplicates, "
              "%zu affiliated, %zu without weights\n",
              s.models, path.string().c_str(), s.quantized, s.mislabelled, s.farm_uploads, s.duplicates,
              s.affiliated, s.no_weights);
}

// Generated small Llama-shaped models with a vision encoder. MakeTestModels with a seed gives
// its model "A"; narae-2b is "D" of public-vlm's seed: that seed's "C" language model, which
// nobody else has, with public-vlm's ("A") vision encoder.
void MakeWeights(const fs::path& dir, const DemoTeam& t) {
  const fs::path model_dir = dir / t.name;
  fs::remove_all(model_dir);
  const std::string letter = std::string(t.name) == "narae-2b" ? "D" : "A";
  const auto made = origin::MakeTestModels((dir / "tmp").string(), t.weight_seed, {}, letter);
  fs::rename(made.at(0), model_dir);
  fs::remove_all(dir / "tmp");
}

}  // namespace

void MakeDemoEvidence(const std::string& out_dir) {
  const fs::path out = fs::absolute(out_dir);
  MakeHubSnapshot(out / "hub.jsonl");
  const fs::path dir = out / "origin";
  fs::create_directories(dir);
  std::vector<std::string> references;
  for (const auto& r : kReferences) {
    MakeWeights(dir, r);
    references.push_back((dir / r.name).string());
  }
  std::printf("\nOriginality (SIMULATED weights: generated models; narae-2b reuses public-vlm's vision "
              "encoder), against public-vlm and public-llm\n");
  for (const auto& t : kTeams) {
    MakeWeights(dir, t);
    const origin::OriginReport report = origin::CompareModels((dir / t.name).string(), references);
    std::ofstream(dir / fmt::format("{}.json", t.name)) << origin::OriginReportJson(report).dump(2) << "\n";
    std::string found;
    for (const auto& d : report.derived) {
      found += fmt::format(" {} from {} (median z {:.0f});", d.component,
                           fs::path(d.reference).filename().string(), d.median_z);
    }
    std::printf("  %-12s %-13s%s\n", t.name, report.verdict.c_str(), found.c_str());
  }
}

}  // namespace kaieval::cli
