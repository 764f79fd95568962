// The public-contest part of `kaieval demo`: real battles between the reference models through
// the contest's rules, voted on by simulated voters (named as such in every output).
#pragma once

#include <string>

namespace kaieval::cli {

// Runs the simulated contest of `contest_config` (models served at `refmodel_url`) into
// OUT_DIR/contest.db (started afresh) and prints its leaderboard.
void RunDemoContest(const std::string& contest_config, const std::string& refmodel_url,
                    const std::string& out_dir);

}  // namespace kaieval::cli
