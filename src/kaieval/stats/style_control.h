// Style control: Bradley-Terry fitted jointly with answer-style covariates (length, headers,
// lists, bold), as FastChat's compute_style_control defines it, so that a leaderboard can show
// ratings with the pull of long, heavily formatted answers taken out. Used by `kaieval arena
// rate --style-control` and the leaderboard.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kaieval/stats/bradley_terry.h"
#include "kaieval/stats/markdown_style.h"

namespace kaieval::stats {

inline constexpr size_t kStyleFeatures = 4;
// The features' names in coefficient order, for reports and JSON.
inline constexpr std::array<const char*, kStyleFeatures> kStyleFeatureNames = {"length", "headers",
                                                                               "lists", "bold"};

struct BattleStyle {
  AnswerStyle a;  // model_a's answers
  AnswerStyle b;  // model_b's answers
};

struct StyleControlOptions {
  double scale = 400;     // rating points per factor of `base` in the odds
  double base = 10;       // > 1
  double initial = 1000;  // mean rating when no anchor is set
  int anchor = -1;        // if >= 0, shift so that this model has anchor_rating
  double anchor_rating = 1000;
  bool count_both_bad_as_tie = true;  // else "both bad" battles are dropped
  // FastChat's `reg`: the objective adds (l2 / 2) * (sum r_i^2 + sum beta_k^2), r_i the ratings
  // in units of `scale` and beta the style coefficients. Unlike RatingOptions::l2 it does not
  // grow with the data: 0.5 is FastChat's default. >= 0.
  double l2 = 0.5;
  int max_iterations = 100;
  double tolerance = 1e-10;  // on the largest Newton step
};

struct StyleControlFit {
  // The style-adjusted ratings (mean `initial` before any anchor) with the battle counts, as
  // FitBradleyTerry reports them.
  Ratings ratings;
  // Per feature (kStyleFeatureNames order): the change in log-odds (natural log) of winning
  // per standard deviation of the normalised difference (a - b) / (a + b + 1). A feature with
  // no variation in the data gets 0.
  std::array<double, kStyleFeatures> coefficients{};
  std::array<double, kStyleFeatures> feature_mean{}, feature_stddev{};
};

// The joint maximum-likelihood fit: P(a beats b) = sigmoid(ln(base) (r_a - r_b) + f . beta),
// f the battle's standardised features (FastChat's preprocess_for_style: normalised differences,
// centred and divided by their population standard deviation over the battles, weighted by
// battle weight). Ties count half a win for each side. Solved by damped Newton. `styles` has
// one entry per battle. Throws InputError (naming the battle) for what FitBradleyTerry rejects,
// sizes that differ, and a count that is negative or not finite.
StyleControlFit FitStyleControl(size_t n_models, std::span<const Battle> battles,
                                std::span<const BattleStyle> styles,
                                const StyleControlOptions& options = {});

struct StyleControlIntervals {
  // The point fit's ratings with their bootstrap intervals and replicates, as
  // BootstrapRatings reports them.
  RatingIntervals ratings;
  StyleControlFit point;
  // 2.5% and 97.5% percentiles of each coefficient over the resamples.
  std::array<double, kStyleFeatures> coefficient_lower{}, coefficient_upper{};
};

// Bootstrap over battles (FastChat's compute_bootstrap_style_control): each resample draws
// battles.size() battles with replacement (resample r from IndexDrawer(BlockSeed(seed, r))) and
// refits from the point estimate, with the features standardised once on all battles.
// The result does not depend on `threads` (0 = one per hardware thread). Throws InputError as
// FitStyleControl, and for no battles, more than 2^32 - 1, resamples < 2 or threads < 0.
StyleControlIntervals BootstrapStyleControl(size_t n_models, std::span<const Battle> battles,
                                            std::span<const BattleStyle> styles,
                                            const StyleControlOptions& options,
                                            int resamples = 1000, uint64_t seed = 1234,
                                            int threads = 1);

}  // namespace kaieval::stats
