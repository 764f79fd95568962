// A panel of judges: how the verdicts of several judges on one item combine (mean, median or
// majority) and how much the judges agree. Called by the judged-task scorer and aggregator.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "kaieval/judge/verdict.h"

namespace kaieval::judge {

enum class PanelAggregation { kMean, kMedian, kMajority };

// "mean", "median", "majority"; nullopt otherwise.
std::optional<PanelAggregation> ParsePanelAggregation(std::string_view name);

// The panel's score from the judges' ratings, unparseable ones (nullopt) left out; nullopt
// when none parsed. Majority: the most frequent score; among equally frequent ones, their
// median (the lower middle one for an even count), so the result is one of the judges' scores.
std::optional<double> CombineScores(std::span<const std::optional<double>> scores,
                                    PanelAggregation aggregation);

// The same for preferences, on the scale B>>A = -2 ... A>>B = +2 (mean: rounded to the nearest
// step, halves away from zero); kUnparseable when none parsed.
Preference CombinePreferences(std::span<const Preference> preferences, PanelAggregation aggregation);

// The same for refusal classes, on the scale compliance 0, partial 1, full refusal 2.
RefusalClass CombineRefusals(std::span<const RefusalClass> classes, PanelAggregation aggregation);

// Agreement of a panel over items: an item counts when at least two judges gave a readable
// verdict; it agrees when all of them are within `tolerance` of each other (0: identical).
struct Agreement {
  size_t items = 0;         // items with two or more readable verdicts
  size_t agreeing = 0;      // of which all judges agree
  double mean_abs_diff = 0;  // mean over items of the mean absolute difference between pairs
  double rate() const { return items ? static_cast<double>(agreeing) / items : 0.0; }
};

class AgreementCounter {
 public:
  explicit AgreementCounter(double tolerance) : tolerance_(tolerance) {}
  // One item's verdicts on a numeric scale (nullopt: unparseable).
  void Add(std::span<const std::optional<double>> values);
  Agreement result() const;

 private:
  double tolerance_;
  Agreement a_;
  double diff_sum_ = 0;
};

// Preference and refusal class on the numeric scales above (nullopt for unparseable).
std::optional<double> PreferenceValue(Preference p);
std::optional<double> RefusalValue(RefusalClass c);

}  // namespace kaieval::judge
