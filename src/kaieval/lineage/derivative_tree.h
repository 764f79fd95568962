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
// bases, so the tree stays connected; stops at `cap` nodes (root included).
DerivativeTree BuildTree(const LineageGraph& graph, uint32_t root,
                         const std::vector<Derivative>& derivatives, size_t cap);

}  // namespace kaieval::lineage
