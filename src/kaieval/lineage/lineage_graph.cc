#include "kaieval/lineage/lineage_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "kaieval/lineage/model_id.h"

namespace kaieval::lineage {
namespace {

uint32_t Saturate(int64_t count) {
  if (count < 0) return kUnknownCount;
  return static_cast<uint32_t>(std::min<int64_t>(count, kUnknownCount - 1));
}

}  // namespace

uint32_t LineageGraph::Node(std::string_view id) {
  const uint32_t i = ids_.Intern(id);
  if (i == nodes_.size()) nodes_.emplace_back();
  return i;
}

void LineageGraph::Reserve(size_t models) {
  ids_.Reserve(models);
  nodes_.reserve(models);
  edges_.reserve(models + models / 4);
}

void LineageGraph::Add(const ModelRecord& record, size_t line, SnapshotInfo& info) {
  const uint32_t i = Node(record.id);
  ModelNode& n = nodes_[i];
  if (n.present) {
    info.AddProblem(line,
                    fmt::format("id: '{}' appears again; the first record is kept", record.id));
    return;
  }
  n.present = true;
  n.uploader = uploaders_.Intern(record.author);
  n.created_day = record.created_day;
  n.downloads = Saturate(record.downloads);
  n.downloads_all_time = Saturate(record.downloads_all_time);
  n.flags = record.flags;
  n.has_file_list = record.has_file_list;
  n.fingerprint = record.fingerprint;
  n.declared = record.declared;
  size_t bases = 0;
  for (const auto& base : record.bases) {
    if (SameId(base, record.id)) {
      ++self_references_;
      info.AddProblem(line, fmt::format("'{}' names itself as its base model; ignored", record.id));
      continue;
    }
    ++bases;
    edges_.emplace_back(Node(base), i);
  }
  nodes_[i].inferred = InferRelation(record.flags, bases);  // Node() may have moved nodes_
}

void LineageGraph::Finish(SnapshotInfo& info) {
  std::sort(edges_.begin(), edges_.end());
  edges_.erase(std::unique(edges_.begin(), edges_.end()), edges_.end());
  child_begin_.assign(nodes_.size() + 1, 0);
  for (const auto& [base, child] : edges_) ++child_begin_[base + 1];
  for (size_t i = 0; i < nodes_.size(); ++i) child_begin_[i + 1] += child_begin_[i];
  child_list_.resize(edges_.size());
  for (size_t e = 0; e < edges_.size(); ++e) child_list_[e] = edges_[e].second;  // sorted by base
  std::vector<std::pair<uint32_t, uint32_t>>().swap(edges_);
  BreakCycles(info);
}

// Depth-first over the child lists from every node (iteratively: chains can be long); an edge
// to a node still on the stack closes a cycle and is removed.
void LineageGraph::BreakCycles(SnapshotInfo& info) {
  constexpr uint32_t kRemoved = UINT32_MAX;
  enum : uint8_t { kWhite, kGrey, kBlack };
  std::vector<uint8_t> colour(nodes_.size(), kWhite);
  std::vector<std::pair<uint32_t, uint64_t>> stack;  // node, next child position
  for (uint32_t start = 0; start < nodes_.size(); ++start) {
    if (colour[start] != kWhite) continue;
    colour[start] = kGrey;
    stack.emplace_back(start, child_begin_[start]);
    while (!stack.empty()) {
      auto& [u, pos] = stack.back();
      if (pos == child_begin_[u + 1]) {
        colour[u] = kBlack;
        stack.pop_back();
        continue;
      }
      const uint64_t at = pos++;
      const uint32_t v = child_list_[at];
      if (colour[v] == kGrey) {
        ++cycles_broken_;
        info.AddProblem(0, fmt::format("cycle: '{}' is a base of '{}', which descends from it; "
                                       "the edge {} -> {} is removed",
                                       ids_.Name(u), ids_.Name(v), ids_.Name(u), ids_.Name(v)));
        child_list_[at] = kRemoved;
      } else if (colour[v] == kWhite) {
        colour[v] = kGrey;
        stack.emplace_back(v, child_begin_[v]);
      }
    }
  }
  if (cycles_broken_ == 0) return;
  std::vector<uint64_t> begin(nodes_.size() + 1, 0);
  size_t out = 0;
  for (size_t u = 0; u < nodes_.size(); ++u) {
    begin[u] = out;
    for (uint64_t p = child_begin_[u]; p < child_begin_[u + 1]; ++p) {
      if (child_list_[p] != kRemoved) child_list_[out++] = child_list_[p];
    }
  }
  begin[nodes_.size()] = out;
  child_list_.resize(out);
  child_begin_ = std::move(begin);
}

LoadedGraph LoadLineageGraph(const std::string& path) {
  LoadedGraph loaded;
  std::error_code ec;
  const uintmax_t bytes = std::filesystem::file_size(path, ec);
  // A Hub ModelInfo line is rarely under 300 bytes; more models than that only rehash.
  if (!ec) loaded.graph.Reserve(static_cast<size_t>(std::min<uintmax_t>(bytes / 300, 50'000'000)));
  ReadSnapshotFile(
      path,
      [&](const ModelRecord& record, size_t line) {
        loaded.graph.Add(record, line, loaded.snapshot);
      },
      loaded.snapshot);
  loaded.graph.Finish(loaded.snapshot);
  return loaded;
}

}  // namespace kaieval::lineage
