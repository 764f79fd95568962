// The JSON form of derivative counts: what `kaieval lineage count --json` prints and what the
// stage subsystem stores and plots (docs/lineage.md describes every field).
#pragma once

#include <nlohmann/json.hpp>

#include "kaieval/lineage/derivative_counter.h"

namespace kaieval::lineage {

// One root: headline, raw / affiliated / adjusted tallies, steps, exclusions, farms, relation
// disagreements and the derivative tree (nodes and edges by id).
nlohmann::json RootCountJson(const RootCount& count);

// The whole count: snapshot evidence (path, content hash, problems), graph size, the options
// that were used, and one RootCountJson per root.
nlohmann::json DerivativeCountsJson(const DerivativeCounts& counts, const CountOptions& options);

}  // namespace kaieval::lineage
