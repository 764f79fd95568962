// libFuzzer target: arbitrary bytes read as a Hub snapshot give a graph or an InputError, never
// a crash; what is read is consistent (records + skipped = lines, child indices in range), and
// counting a root over it terminates with counts that add up.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "kaieval/common/error.h"
#include "kaieval/lineage/derivative_counter.h"
#include "kaieval/lineage/lineage_graph.h"

using namespace kaieval::lineage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  SnapshotInfo info;
  info.path = "fuzz";
  LineageGraph graph;
  try {
    ReadSnapshot(
        in, [&](const ModelRecord& r, size_t line) { graph.Add(r, line, info); }, info);
  } catch (const kaieval::InputError&) {
    return 0;
  }
  graph.Finish(info);
  if (info.records + info.skipped != info.lines) __builtin_trap();
  for (uint32_t i = 0; i < graph.size(); ++i) {
    for (uint32_t c : graph.children(i)) {
      if (c >= graph.size()) __builtin_trap();
    }
  }
  if (graph.size() == 0) return 0;
  const std::vector<RootCount> counts =
      CountRoots(graph, info.latest_day, {std::string(graph.id(0))}, CountOptions{});
  const RootCount& c = counts.at(0);
  if (c.headline + c.exclusions.size() != c.raw.transitive_total) __builtin_trap();
  if (c.tree.nodes.empty() || c.tree.nodes.size() > 300) __builtin_trap();
  return 0;
}
