// The demo's ecosystem and originality evidence: a generated Hub snapshot around the teams'
// released repos, and generated weight files for each team with one team's vision encoder
// taken from another's, compared by `kaieval origin` into the reports the stage gate reads.
#pragma once

#include <string>

namespace kaieval::cli {

// Writes OUT/hub.jsonl and OUT/origin/<team>/ (weights) and OUT/origin/<team>.json (reports)
// for the demo stage's five teams, and prints what it did.
void MakeDemoEvidence(const std::string& out_dir);

}  // namespace kaieval::cli
