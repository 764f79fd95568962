#include "kaieval/lineage/derivative_tree.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

namespace kaieval::lineage {

DerivativeTree BuildTree(const LineageGraph& graph, uint32_t root,
                         const std::vector<Derivative>& derivatives,
                         const std::vector<uint32_t>& position, size_t cap) {
  DerivativeTree tree;
  tree.total_nodes = derivatives.size() + 1;
  auto in_subtree = [&](uint32_t node) { return position[node] != UINT32_MAX; };
  std::unordered_map<uint32_t, uint32_t> index;  // node -> position in tree.nodes
  auto add = [&](uint32_t node, const Derivative* d) {
    const ModelNode& n = graph.node(node);
    TreeNode t;
    t.id = graph.id(node);
    t.uploader = n.present ? std::string(graph.uploader(node)) : "";
    t.downloads = n.downloads == kUnknownCount ? -1 : n.downloads;
    if (d != nullptr) {
      t.inferred = n.inferred;
      t.declared = n.declared;
      t.depth = d->depth;
      t.excluded = d->excluded;
    }
    index.emplace(node, static_cast<uint32_t>(tree.nodes.size()));
    tree.nodes.push_back(std::move(t));
  };
  auto downloads = [&](uint32_t node) {
    const uint32_t d = graph.node(node).downloads;
    return d == kUnknownCount ? int64_t{-1} : int64_t{d};
  };
  using Entry = std::pair<int64_t, uint32_t>;  // downloads, node
  auto later = [&](const Entry& a, const Entry& b) {
    return a.first != b.first ? a.first < b.first : graph.id(a.second) > graph.id(b.second);
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(later)> frontier(later);
  add(root, nullptr);
  for (uint32_t c : graph.children(root)) {
    if (in_subtree(c)) frontier.emplace(downloads(c), c);
  }
  while (!frontier.empty() && tree.nodes.size() < cap) {
    const uint32_t node = frontier.top().second;
    frontier.pop();
    if (index.count(node)) continue;
    add(node, &derivatives[position[node]]);
    for (uint32_t c : graph.children(node)) {
      if (in_subtree(c) && !index.count(c)) frontier.emplace(downloads(c), c);
    }
  }
  tree.capped = tree.nodes.size() < tree.total_nodes;
  for (const auto& [node, at] : index) {
    for (uint32_t c : graph.children(node)) {
      auto it = index.find(c);
      if (it != index.end()) tree.edges.emplace_back(at, it->second);
    }
  }
  std::sort(tree.edges.begin(), tree.edges.end());
  return tree;
}

}  // namespace kaieval::lineage
