// Suspicious-voter filter: a sequential likelihood-ratio test per voter (session) of whether
// their votes follow everyone else's, flagging the ones that keep voting against the crowd or
// for (or against) one model far beyond chance. Called by the leaderboard job.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/arena/vote_record.h"

namespace kaieval::arena {

// The test, per voter with at least `min_votes` votes, over their decisive votes (A or B won;
// ties and "both bad" say nothing about which side they favour and are skipped) in time order:
//
// History. For the vote's pair, p = P0(the side the voter chose wins) comes from the OTHER
// voters' decisive votes on that pair: (wins + prior_votes / 2) / (votes + prior_votes), then
// clamped to [1 - max_probability, max_probability]. Leaving the voter out costs nothing: it is
// the pair's totals minus the voter's own counts. The prior and the clamp pull p towards 1/2,
// which only makes the test more conservative: an upset on a pair that history calls 95:5 must
// not alone look like fraud, as real voters' tastes vary more than a rating model says.
//
// H0: the voter chooses each side with history's probability. Alternatives, each a likelihood
// ratio LR_k, a product over the decisive votes so far:
//   - against history: the voter picks each side with the probability history gives the OTHER
//     side (per vote, LR = (1 - p) / p);
//   - for model m (one per model): the voter's odds of picking m, whenever m plays, are
//     favouritism_odds (λ) times history's: P1(m) = λ·q / (1 - q + λ·q), q = P0(m);
//   - against model m: the same with odds divided by λ. A team that boosts its own model, or
//     sinks a rival's, shows up here even when its own model is the strongest; "against
//     history" catches vandals and boosters of weak models.
// Statistic: S = log(½·LR_against_history + Σ_m (LR_for_m + LR_against_m) / (4K)), K the
// number of models among all `votes`. The voter is flagged once S reaches
// log((1 - beta) / alpha) (Wald's upper SPRT boundary). There is no lower boundary: the test
// runs over all the voter's votes, so honest early votes cannot "clear" a voter for good.
//
// False positives. The mixture is a non-negative martingale with mean 1 under H0, so by Ville's
// inequality P(S ever reaches the threshold) <= alpha / (1 - beta) (0.0011 by default) for an
// honest voter, however many votes they cast and however many models there are. That bound
// holds exactly if history's p is the voter's true probability; estimation noise in p is small
// once a pair has a few hundred votes, and the prior and clamp err on the safe side.
//
// Passes. Riggers who vote alike also bend history towards themselves (50 fans of a weak model
// make its upsets look ordinary), which hides quiet riggers and makes H0 wrong for honest
// voters. So the test is repeated: each pass tests every voter against the history without the
// voters that the previous pass flagged, and the last pass decides. The first pass catches the
// loud riggers; the next ones catch the quiet riggers they hid and clear honest voters that
// only the contaminated history made look odd. It stops at a fixed point (a pass flags the
// same voters as the one before) or after `passes` passes. Since a pass's history depends a
// little on the previous pass's results, the bound above is then approximate.
struct SuspiciousVoterOptions {
  int64_t min_votes = 5;         // voters with fewer votes (of any outcome) are not tested
  double alpha = 0.001;          // in (0, 1); bound on an honest voter's flag rate (see above)
  double beta = 0.1;             // in [0, 1 - alpha); sets the threshold with alpha
  double prior_votes = 10;       // >= 0: pseudo-votes, half to each side, added to history
  double max_probability = 0.9;  // in (0.5, 1): clamp on history's p
  double favouritism_odds = 9;   // λ > 1: a 50:50 pair becomes 90:10 under "for model m"
  int passes = 5;                // in [1, 100]: at most this many passes (see above)
};

// The `suspicious_voters: {min_votes, alpha, beta, prior_votes, max_probability,
// favouritism_odds, passes}` entry of the contest config's `filters` mapping (`filters` or the
// entry may be absent: then the defaults). Throws InputError naming `origin`, the line and the
// field.
SuspiciousVoterOptions LoadSuspiciousVoterOptions(const YAML::Node& filters,
                                                  std::string_view origin);

struct VoterTest {
  std::string voter;
  int64_t votes = 0;           // all the voter's votes
  int64_t decisive_votes = 0;  // the tested ones
  double max_statistic = 0;    // the largest S over the voter's votes (S = 0 before the first)
  int64_t crossed_at = 0;      // the decisive vote (1-based) at which S first reached the
                               // threshold; 0 when it never did
  std::string alternative;     // the strongest alternative at the maximum: "against history",
                               // "for <model>", "against <model>"
  bool flagged = false;
};

struct SuspiciousVoterResult {
  double threshold = 0;           // log((1 - beta) / alpha)
  size_t models = 0;              // K
  int passes = 0;                 // the passes run; the last one gave these results
  std::vector<VoterTest> voters;  // every tested voter, in order of voter id
  std::vector<Exclusion> exclusions;
};

// Tests every voter with at least min_votes votes (an empty voter id is never tested: it is no
// one in particular) and excludes every vote of a flagged voter, kSuspiciousVoter, in the order
// of `votes`, with a detail such as "log likelihood ratio up to 9.31 >= threshold 6.80 (alpha
// 0.001, beta 0.1), first at decisive vote 14 of 22 (25 votes); strongest alternative: for
// hanul-7b". `model_names[i]` names model i in details ("model 3" when it is not given). Votes
// between a model and itself are ignored. Throws InputError for bad options.
SuspiciousVoterResult FindSuspiciousVoters(std::span<const VoteRecord> votes,
                                           const SuspiciousVoterOptions& options = {},
                                           std::span<const std::string> model_names = {});

}  // namespace kaieval::arena
