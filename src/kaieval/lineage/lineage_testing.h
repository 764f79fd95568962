// Helpers for the lineage tests: build snapshot lines from a few fields and count them.
// Included only by *_test.cc.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kaieval/common/testing.h"
#include "kaieval/lineage/derivative_counter.h"

namespace kaieval::lineage::testing {

struct RepoSpec {
  std::string id;
  std::vector<std::string> bases;
  std::string kind = "sft";  // sft (weights + trl), gguf, lora, copy (weights only), empty
  int64_t downloads = 10;
  std::string created = "2025-11-01";
  int64_t size = 0;      // weight file size; 0: derived from the id
  std::string author;    // "": the id's organisation
  std::string declared;  // a base_model:<declared>:BASE tag for each base when not empty
};

inline nlohmann::json RepoJson(const RepoSpec& r) {
  using nlohmann::json;
  const int64_t size =
      r.size != 0 ? r.size : static_cast<int64_t>(std::hash<std::string>{}(r.id) % 1000000 + 1000);
  json files = json::array({{{"rfilename", "README.md"}, {"size", 100}}});
  json tags = json::array();
  if (r.kind == "sft") {
    files.push_back({{"rfilename", "model.safetensors"}, {"size", size}});
    tags.push_back("trl");
  } else if (r.kind == "gguf") {
    files.push_back({{"rfilename", "model-Q4.gguf"}, {"size", size}});
  } else if (r.kind == "lora") {
    files.push_back({{"rfilename", "adapter_config.json"}, {"size", 500}});
    files.push_back({{"rfilename", "adapter_model.safetensors"}, {"size", size}});
  } else if (r.kind == "copy") {
    files.push_back({{"rfilename", "model.safetensors"}, {"size", size}});
  }
  json m = {{"id", r.id},
            {"createdAt", r.created + "T00:00:00.000Z"},
            {"downloads", r.downloads},
            {"tags", tags},
            {"siblings", files}};
  if (!r.author.empty()) m["author"] = r.author;
  for (const auto& b : r.bases) {
    if (!r.declared.empty()) m["tags"].push_back("base_model:" + r.declared + ":" + b);
  }
  if (r.bases.size() == 1) m["cardData"] = {{"base_model", r.bases[0]}};
  if (r.bases.size() > 1) m["cardData"] = {{"base_model", r.bases}};
  return m;
}

// Writes the repos as a snapshot in `dir` and counts `roots`.
inline DerivativeCounts Count(const kaieval::testing::ScratchDir& dir,
                              const std::vector<RepoSpec>& repos,
                              const std::vector<std::string>& roots, CountOptions options = {}) {
  const std::string path = dir.File("snapshot.jsonl");
  std::ofstream out(path);
  for (const auto& r : repos) out << RepoJson(r).dump() << "\n";
  out.close();
  return CountDerivatives(path, roots, options);
}

}  // namespace kaieval::lineage::testing
