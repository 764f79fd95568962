// LineageGraph: every model of a snapshot as a compact node (about 40 bytes plus its id), and
// the derivative edges base -> child from cardData.base_model and the base_model:* tags.
// Self-references are dropped and cycles broken, each reported. Built by LoadLineageGraph;
// read by the DerivativeCounter.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/lineage/id_table.h"
#include "kaieval/lineage/model_record.h"
#include "kaieval/lineage/snapshot_reader.h"

namespace kaieval::lineage {

inline constexpr uint32_t kUnknownCount = UINT32_MAX;

struct ModelNode {
  uint64_t fingerprint = 0;  // of the weight files; 0 unknown
  uint32_t uploader = 0;     // index into LineageGraph::uploaders()
  int32_t created_day = kUnknownDay;
  uint32_t downloads = kUnknownCount;  // saturated below kUnknownCount
  uint32_t downloads_all_time = kUnknownCount;
  uint16_t flags = 0;  // EvidenceFlag bits
  Relation declared = Relation::kNone;
  Relation inferred = Relation::kUnclassified;
  bool present = false;  // a record of its own; else only named as a base
  bool has_file_list = false;
};

class LineageGraph {
 public:
  // Room for about `models` models.
  void Reserve(size_t models);
  // Adds one record read from `line`. A second record with the same id is reported and ignored.
  void Add(const ModelRecord& record, size_t line, SnapshotInfo& info);
  // Builds the child lists and breaks cycles (each broken edge reported at line 0). Call once,
  // after the last Add.
  void Finish(SnapshotInfo& info);

  std::optional<uint32_t> Find(std::string_view id) const { return ids_.Find(id); }
  size_t size() const { return nodes_.size(); }
  const ModelNode& node(uint32_t i) const { return nodes_[i]; }
  std::string_view id(uint32_t i) const { return ids_.Name(i); }
  std::string_view uploader(uint32_t i) const { return uploaders_.Name(nodes_[i].uploader); }
  std::span<const uint32_t> children(uint32_t i) const {
    return {child_list_.data() + child_begin_[i], child_list_.data() + child_begin_[i + 1]};
  }
  size_t edge_count() const { return child_list_.size(); }
  size_t cycles_broken() const { return cycles_broken_; }
  size_t self_references() const { return self_references_; }

 private:
  uint32_t Node(std::string_view id);
  void BreakCycles(SnapshotInfo& info);

  IdTable ids_;
  IdTable uploaders_;
  std::vector<ModelNode> nodes_;
  std::vector<std::pair<uint32_t, uint32_t>> edges_;  // (base, child) until Finish
  std::vector<uint64_t> child_begin_;                 // size() + 1 offsets into child_list_
  std::vector<uint32_t> child_list_;
  size_t cycles_broken_ = 0;
  size_t self_references_ = 0;
};

// Reads a snapshot file into a graph. Throws InputError when the file cannot be read or holds
// no usable record.
struct LoadedGraph {
  LineageGraph graph;
  SnapshotInfo snapshot;
};
LoadedGraph LoadLineageGraph(const std::string& path);

}  // namespace kaieval::lineage
