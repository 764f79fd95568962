// Rater adjustment: scores corrected for reviewer severity, by an additive rater effect fitted
// jointly with the item scores (the default) or by per-rater standardisation. Used by the panel
// summaries that feed the stage's expert-evaluation points; the model is in docs/review.md.
#pragma once

#include <vector>

#include "kaieval/review/ratings.h"

namespace kaieval::review {

enum class AdjustmentMethod { kAdditive, kLocationScale };

// Per unit and per rater, indexed as in the Ratings. A unit or rater without ratings gets NaN.
struct RaterAdjustment {
  AdjustmentMethod method = AdjustmentMethod::kAdditive;
  std::vector<double> raw;       // mean of the unit's ratings
  std::vector<double> adjusted;  // mean of the unit's adjusted ratings (see Adjust)
  std::vector<int> ratings_per_unit;
  // Additive: b_r, what the rater adds to every score (positive = lenient, negative = severe);
  // the effects sum to zero. Location-scale: the rater's mean minus the pooled mean.
  std::vector<double> rater_effect;
  // Location-scale: the rater's standard deviation over the pooled one. Additive: 1.
  std::vector<double> rater_scale;
  std::vector<int> ratings_per_rater;
  double pooled_mean = 0;  // mean of all ratings
  double pooled_sd = 0;    // their standard deviation (n - 1)
  // Additive: sqrt(residual sum of squares / (N - units - raters + 1)), NaN when that is not
  // positive. Location-scale: NaN.
  double residual_sd = 0;

  // A rating with the rater's effect taken out:
  //   pooled_mean + (value - pooled_mean - rater_effect) / rater_scale,
  // which is value - b_r for the additive model.
  double Adjust(const Rating& rating) const;
};

// Fits score(unit, rater) = a_unit + b_rater + error by least squares with sum(b) = 0 and a
// ridge penalty ridge * max(1, N / raters) * sum(b^2), which keeps the fit unique when the
// design falls apart into groups that share no rater (it shrinks their relative offsets to 0)
// and otherwise moves the effects by about `ridge` relative. a_unit is the adjusted score:
// the raw mean minus the mean effect of the unit's raters. Solved exactly from the normal
// equations (item parameters eliminated, then a Cholesky solve with the constraint).
RaterAdjustment FitAdditiveRaterEffects(const Ratings& ratings, double ridge = 1e-6);

// Standardises each rater's ratings, z = (value - rater mean) / rater sd, and maps z back to
// the pooled mean and sd. A rater with fewer than 2 ratings, or all equal, is only shifted.
// Assumes each rater saw a comparable mix of items, which random assignment gives on average
// but a small panel may not; the additive model does not need it.
RaterAdjustment StandardiseRaters(const Ratings& ratings);

// The ratings with every value replaced by adjustment.Adjust(rating).
Ratings AdjustedRatings(const Ratings& ratings, const RaterAdjustment& adjustment);

}  // namespace kaieval::review
