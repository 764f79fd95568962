// PanelSummary: everything the stage report shows for one expert panel: raw and
// severity-adjusted item scores, reviewer effects, agreement and flagged reviewers. Built from
// the review scores by the stage scorer.
#pragma once

#include <string>
#include <vector>

#include "kaieval/review/agreement.h"
#include "kaieval/review/panel.h"
#include "kaieval/review/rater_adjustment.h"
#include "kaieval/review/ratings.h"
#include "kaieval/review/scores.h"

namespace kaieval::review {

struct PanelSummary {
  std::string panel;
  Ratings ratings;                 // the panel's complete reviews (weighted criterion means)
  RaterAdjustment additive;        // the adjustment the stage scores use
  RaterAdjustment location_scale;  // the alternative, shown beside it
  AlphaResult alpha;               // on the raw review scores
  IntraclassCorrelation icc;       // on the raw review scores
  // On the additively adjusted scores: severity is corrected already, so what is flagged is a
  // reviewer whose scores do not follow the items, not one who is merely strict or lenient.
  std::vector<RaterAgreement> raters;
  std::vector<ReviewTotal> incomplete;  // this panel's reviews with criteria still missing
};

// Throws InputError for an unknown panel.
PanelSummary SummarisePanel(const ReviewConfig& config, const ReviewTotals& totals,
                            const std::string& panel, const RaterFlagOptions& options = {});

}  // namespace kaieval::review
