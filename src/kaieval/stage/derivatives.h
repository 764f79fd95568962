// The derivative-count evidence of the stage: per team, the derivatives of its released repos
// in the Hub snapshot (evidence.hub), counted by the lineage subsystem with its anti-gaming
// rules (the team's own organisation and its hub_accounts apart). GatherEvidence calls it for a
// `derivatives` leaf.
#pragma once

#include "kaieval/stage/evidence.h"
#include "kaieval/stage/rubric.h"
#include "kaieval/stage/stage_config.h"

namespace kaieval::stage {

// The leaf's score per team is the sum over the team's repos of the count the leaf names
// (`count`: adjusted, the third-party count after every rule, by default; raw; or in_window,
// the adjusted derivatives created between `since` and `until`). A count is not resampled, so
// its replicates are the point. details[leaf] has per team the repos' counts and trees.
void GatherDerivatives(const StageConfig& config, const RubricNode& leaf, EvidenceSet& out);

}  // namespace kaieval::stage
