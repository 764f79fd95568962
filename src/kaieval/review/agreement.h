// Agreement among reviewers of one panel: Krippendorff's alpha (interval), the one-way ICC,
// and per-reviewer agreement with the others, which flags a reviewer who disagrees far more
// than the others do among themselves. Used by the panel summaries; formulas in docs/review.md.
#pragma once

#include <string>
#include <vector>

#include "kaieval/review/ratings.h"

namespace kaieval::review {

struct AlphaResult {
  // 1 - observed / expected disagreement; NaN when there are fewer than 2 pairable values or
  // no variation at all (the expected disagreement is 0).
  double alpha = 0;
  double observed = 0;  // D_o
  double expected = 0;  // D_e
  int units = 0;        // units with at least 2 values (the pairable units)
  int values = 0;       // n, the values in those units
};

// Krippendorff's alpha for interval data with missing values, by the coincidence-matrix
// formula with squared differences (Krippendorff 2011, "Computing Krippendorff's
// Alpha-Reliability"): units with one value are left out, and a pair of values in a unit with
// m values weighs 1/(m - 1), so every pairable value counts once.
AlphaResult KrippendorffAlphaInterval(const Ratings& ratings);

// ICC(1): Shrout and Fleiss's case 1, one-way random effects, because here each item is scored
// by its own subset of reviewers. A two-way model (ICC(2,1), ICC(3,1)) needs every reviewer to
// score every item to separate reviewer variance from error; with k of many reviewers per item
// the reviewer effect is part of the within-item error, which is what ICC(1) assumes. Units
// with fewer than 2 values are left out; unequal group sizes use k0 (below).
struct IntraclassCorrelation {
  double single = 0;   // ICC(1,1): reliability of one rating, (MSB - MSW) / (MSB + (k0-1) MSW)
  double average = 0;  // ICC(1,k0): reliability of a unit's mean score, (MSB - MSW) / MSB
  double k0 = 0;       // (N - sum n_u^2 / N) / (units - 1), the mean ratings per unit
  double ms_between = 0;
  double ms_within = 0;
  int units = 0;
  int values = 0;
};

// NaN fields when fewer than 2 units or no within-unit degrees of freedom.
IntraclassCorrelation OneWayIcc(const Ratings& ratings);

struct RaterFlagOptions {
  // Flag a rater whose disagreement with the others is at least this many times the others'
  // disagreement among themselves ("far below" in size) ...
  double min_disagreement_ratio = 1.5;
  // ... when chance is an unlikely explanation: the one-sided p-value is below this level
  // divided by the number of raters tested (Bonferroni). Strict, because a flag questions an
  // expert's work and the p-value is an approximation ...
  double family_significance = 0.01;
  // ... and the rater shares at least this many units with other raters.
  int min_shared_units = 5;
};

// How one rater agrees with the others, on the scale of the panel's D_e:
//   with_others  = 1 - D_o(r) / D_e, D_o(r) the mean over the rater's units of the mean
//                  squared difference between its value and the others' values there;
//   among_others = 1 - D_o(-r) / D_e, D_o(-r) the observed disagreement of the data without
//                  the rater's values.
// z = log(D_o(r) / D_o(-r)) / sqrt(v / n + j), an approximate test that the rater is like the
// others: n the rater's shared units; v the squared coefficient of variation of the other
// raters' per-unit disagreements in units the rater did not score, so v / n is how much
// log D_o(r) would vary if the rater were like them; j the jackknife (leave one unit out)
// relative variance of D_o(-r). p = 1 - Phi(z). docs/review.md has its calibration in
// simulations: a flag is a prompt to look at the reviewer's scores, not a verdict.
struct RaterAgreement {
  std::string rater;
  int shared_units = 0;  // units where the rater has a co-rater
  double with_others = 0;
  double among_others = 0;
  double disagreement_ratio = 0;  // D_o(r) / D_o(-r); NaN without shared units
  double z = 0;                   // NaN without shared units
  double p_value = 0;             // NaN without shared units
  bool flagged = false;
};

std::vector<RaterAgreement> RaterAgreements(const Ratings& ratings,
                                            const RaterFlagOptions& options = {});

}  // namespace kaieval::review
