// A synthetic Hub snapshot with a realistic shape: power-law fan-out (preferential attachment),
// depth up to 6, 30% quantized (GGUF, MLX, AWQ/GPTQ, some labelled "finetune" as conversions
// that copied their parent's card), adapters, merges, fine-tunes with and without training
// cards, farms, duplicate re-uploads, affiliated uploads and empty repos. For the demo, the
// tests and bench/lineage.sh (`kaieval lineage generate`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace kaieval::lineage {

struct GeneratorOptions {
  size_t models = 10000;           // records written, the roots included
  size_t root_count = 5;           // roots; ids from `roots`, then org-N/model-N
  std::vector<std::string> roots;  // ORG/NAME ids of the first roots
  uint64_t seed = 1;
  int max_depth = 6;
  double quantized_share = 0.3;
};

// What was generated on purpose, to compare against the counter's findings.
struct GeneratorSummary {
  size_t models = 0;
  size_t quantized = 0;
  size_t mislabelled = 0;  // quantized, labelled finetune
  size_t farm_uploads = 0;
  size_t duplicates = 0;
  size_t affiliated = 0;
  size_t no_weights = 0;
  size_t unused_old = 0;  // zero downloads, created long before the last day
  int max_depth = 0;
};

// Writes the snapshot as JSONL. Throws InputError for options out of range (no roots, more
// roots than models, a root that is not ORG/NAME).
GeneratorSummary GenerateSnapshot(const GeneratorOptions& options, std::ostream& out);

}  // namespace kaieval::lineage
