// The derivative tree of one root for plots (the stage dashboard and the report): the most
// downloaded part of the root's derivatives, connected, capped to a node budget. Internal to
// the DerivativeCounter.
#pragma once

#include <cstdint>
#include <vector>

#include "kaieval/lineage/derivative_counter.h"

namespace kaieval::lineage {

struct Derivative {
  uint32_t node;
  int depth;
  ExclusionReason excluded = ExclusionReason::kNone;
};

// Grows the tree from the root best-first by downloads: a node joins only after one of its
// bases, so the tree stays connected; stops at `cap` nodes (root included). `position` maps
// every graph node to its index in `derivatives` (UINT32_MAX for the others).
DerivativeTree BuildTree(const LineageGraph& graph, uint32_t root,
                         const std::vector<Derivative>& derivatives,
                         const std::vector<uint32_t>& position, size_t cap);

}  // namespace kaieval::lineage
