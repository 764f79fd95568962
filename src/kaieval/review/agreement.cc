#include "kaieval/review/agreement.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace kaieval::review {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Value {
  uint32_t rater;
  double value;
};

std::vector<std::vector<Value>> ByUnit(const Ratings& ratings) {
  std::vector<std::vector<Value>> units(ratings.units.size());
  for (const Rating& r : ratings.values) {
    if (r.unit >= ratings.units.size() || r.rater >= ratings.raters.size() ||
        !std::isfinite(r.value)) {
      throw std::invalid_argument("Ratings: a rating with a bad unit, rater or value");
    }
    units[r.unit].push_back({r.rater, r.value});
  }
  return units;
}

// Sum of squared deviations from the mean of the values whose rater is not `skip`.
double SumOfSquares(const std::vector<Value>& values, int64_t skip, int& count) {
  double sum = 0;
  count = 0;
  for (const Value& v : values) {
    if (v.rater == skip) continue;
    sum += v.value;
    ++count;
  }
  if (count == 0) return 0;
  const double mean = sum / count;
  double ss = 0;
  for (const Value& v : values) {
    if (v.rater != skip) ss += (v.value - mean) * (v.value - mean);
  }
  return ss;
}

// D_o: within a unit of m values, the ordered pairs' squared differences sum to 2 m SS; each
// pair weighs 1 / (m - 1), and the total is divided by n, the pairable values. Leaves out the
// values of rater `skip` (-1 for none). NaN when fewer than 2 values are pairable.
double ObservedDisagreement(const std::vector<std::vector<Value>>& units, int64_t skip,
                            int* pairable_units = nullptr, int* pairable_values = nullptr) {
  double sum = 0;
  int n = 0;
  int used = 0;
  for (const auto& unit : units) {
    int m = 0;
    const double ss = SumOfSquares(unit, skip, m);
    if (m < 2) continue;
    sum += 2.0 * m * ss / (m - 1);
    n += m;
    ++used;
  }
  if (pairable_units) *pairable_units = used;
  if (pairable_values) *pairable_values = n;
  return n >= 2 ? sum / n : kNaN;
}

// The jackknife (leave one unit out) estimate of the relative variance of
// ObservedDisagreement(units, skip): how much D_o(-r) itself would vary.
double JackknifeRelativeVariance(const std::vector<std::vector<Value>>& units, int64_t skip) {
  std::vector<std::pair<double, int>> parts;  // per pairable unit: its term of the sum, its m
  double sum = 0;
  int n = 0;
  for (const auto& unit : units) {
    int m = 0;
    const double ss = SumOfSquares(unit, skip, m);
    if (m < 2) continue;
    parts.emplace_back(2.0 * m * ss / (m - 1), m);
    sum += parts.back().first;
    n += m;
  }
  if (parts.size() < 2 || sum <= 0) return 0;
  std::vector<double> left_out;
  double mean = 0;
  for (const auto& [term, m] : parts) {
    left_out.push_back((sum - term) / (n - m));
    mean += left_out.back();
  }
  mean /= static_cast<double>(parts.size());
  double ss = 0;
  for (double d : left_out) ss += (d - mean) * (d - mean);
  const double k = static_cast<double>(parts.size());
  const double full = sum / n;
  return (k - 1) / k * ss / (full * full);
}

// D_e: the mean squared difference over all ordered pairs of distinct pairable values,
// 2 SS / (n - 1) with SS around their mean.
double ExpectedDisagreement(const std::vector<std::vector<Value>>& units) {
  double sum = 0;
  int n = 0;
  for (const auto& unit : units) {
    if (unit.size() < 2) continue;
    for (const Value& v : unit) sum += v.value;
    n += static_cast<int>(unit.size());
  }
  if (n < 2) return kNaN;
  const double mean = sum / n;
  double ss = 0;
  for (const auto& unit : units) {
    if (unit.size() < 2) continue;
    for (const Value& v : unit) ss += (v.value - mean) * (v.value - mean);
  }
  return 2 * ss / (n - 1);
}

// One value's disagreement in its unit: the mean squared difference between it and the other
// raters' values of the unit.
struct UnitDisagreement {
  size_t unit;
  double value;
};

// Per rater, one entry for each of its values in a unit with other raters.
std::vector<std::vector<UnitDisagreement>> DisagreementsPerUnit(
    const std::vector<std::vector<Value>>& units, size_t raters) {
  std::vector<std::vector<UnitDisagreement>> d(raters);
  for (size_t u = 0; u < units.size(); ++u) {
    for (const Value& mine : units[u]) {
      double sum = 0;
      int others = 0;
      for (const Value& other : units[u]) {
        if (other.rater == mine.rater) continue;
        sum += (mine.value - other.value) * (mine.value - other.value);
        ++others;
      }
      if (others > 0) d[mine.rater].push_back({u, sum / others});
    }
  }
  return d;
}

// The squared coefficient of variation of the per-unit disagreements of the other raters, in
// units without rater r: r's own values would otherwise inflate it, most of all when r is the
// one who disagrees. NaN with fewer than 2 such entries.
double RelativeVarianceOfOthers(const std::vector<std::vector<Value>>& units,
                                const std::vector<std::vector<UnitDisagreement>>& d, uint32_t r) {
  std::vector<bool> has_r(units.size(), false);
  for (const UnitDisagreement& e : d[r]) has_r[e.unit] = true;
  double sum = 0;
  double sum_sq = 0;
  size_t n = 0;
  for (uint32_t s = 0; s < d.size(); ++s) {
    if (s == r) continue;
    for (const UnitDisagreement& e : d[s]) {
      if (has_r[e.unit]) continue;
      sum += e.value;
      sum_sq += e.value * e.value;
      ++n;
    }
  }
  if (n < 2) return kNaN;
  if (sum <= 0) return 0;
  const double mean = sum / n;
  const double variance = (sum_sq - n * mean * mean) / (n - 1);
  return std::max(0.0, variance) / (mean * mean);
}

// One rater against the others, on the scale of `expected` (D_e); `d` from
// DisagreementsPerUnit.
RaterAgreement MeasureRater(const std::vector<std::vector<Value>>& units,
                            const std::vector<std::vector<UnitDisagreement>>& d, uint32_t r,
                            double expected) {
  RaterAgreement a;
  a.shared_units = static_cast<int>(d[r].size());
  a.z = a.p_value = kNaN;
  const double among = ObservedDisagreement(units, r);
  a.among_others = 1 - among / expected;
  if (d[r].empty()) {
    a.with_others = a.disagreement_ratio = kNaN;
    return a;
  }
  double with = 0;
  for (const UnitDisagreement& e : d[r]) with += e.value;
  with /= static_cast<double>(d[r].size());
  a.with_others = 1 - with / expected;
  if (std::isnan(among)) {
    a.disagreement_ratio = kNaN;
    return a;
  }
  a.disagreement_ratio =
      among > 0 ? with / among : (with > 0 ? std::numeric_limits<double>::infinity() : 1);
  // Var(log ratio) ~ Var(D_o(r)) / D_o(r)^2 + Var(D_o(-r)) / D_o(-r)^2: the first as if the
  // rater's n per-unit disagreements varied like the others', the second by the jackknife.
  // Leaving out their covariance, positive when they share co-raters, errs towards no flag.
  const double relative_variance = RelativeVarianceOfOthers(units, d, r);
  const double log_ratio = std::log(a.disagreement_ratio);
  if (!std::isnan(relative_variance)) {
    const double variance =
        relative_variance / a.shared_units + JackknifeRelativeVariance(units, r);
    if (variance > 0) {
      a.z = log_ratio / std::sqrt(variance);
    } else {  // the others agree exactly
      a.z = log_ratio > 0 ? std::numeric_limits<double>::infinity() : 0;
    }
  }
  if (!std::isnan(a.z)) a.p_value = 0.5 * std::erfc(a.z / std::sqrt(2.0));
  return a;
}

}  // namespace

AlphaResult KrippendorffAlphaInterval(const Ratings& ratings) {
  const auto units = ByUnit(ratings);
  AlphaResult a;
  a.observed = ObservedDisagreement(units, -1, &a.units, &a.values);
  a.expected = ExpectedDisagreement(units);
  a.alpha = a.expected > 0 ? 1 - a.observed / a.expected : kNaN;
  return a;
}

IntraclassCorrelation OneWayIcc(const Ratings& ratings) {
  const auto units = ByUnit(ratings);
  IntraclassCorrelation icc;
  double total = 0;
  double sum_sq_sizes = 0;
  double ss_within = 0;
  for (const auto& unit : units) {
    if (unit.size() < 2) continue;
    int m = 0;
    ss_within += SumOfSquares(unit, -1, m);
    for (const Value& v : unit) total += v.value;
    ++icc.units;
    icc.values += m;
    sum_sq_sizes += static_cast<double>(m) * m;
  }
  if (icc.units < 2 || icc.values <= icc.units) {
    icc.single = icc.average = icc.k0 = icc.ms_between = icc.ms_within = kNaN;
    return icc;
  }
  const double n = icc.values;
  const double grand_mean = total / n;
  double ss_between = 0;
  for (const auto& unit : units) {
    if (unit.size() < 2) continue;
    double mean = 0;
    for (const Value& v : unit) mean += v.value;
    mean /= static_cast<double>(unit.size());
    ss_between += static_cast<double>(unit.size()) * (mean - grand_mean) * (mean - grand_mean);
  }
  icc.ms_between = ss_between / (icc.units - 1);
  icc.ms_within = ss_within / (n - icc.units);
  icc.k0 = (n - sum_sq_sizes / n) / (icc.units - 1);
  const double denominator = icc.ms_between + (icc.k0 - 1) * icc.ms_within;
  icc.single = denominator > 0 ? (icc.ms_between - icc.ms_within) / denominator : kNaN;
  icc.average = icc.ms_between > 0 ? (icc.ms_between - icc.ms_within) / icc.ms_between : kNaN;
  return icc;
}

std::vector<RaterAgreement> RaterAgreements(const Ratings& ratings,
                                            const RaterFlagOptions& options) {
  const auto units = ByUnit(ratings);
  const double expected = ExpectedDisagreement(units);
  const auto d = DisagreementsPerUnit(units, ratings.raters.size());
  std::vector<RaterAgreement> out;
  int tested = 0;
  for (uint32_t r = 0; r < ratings.raters.size(); ++r) {
    out.push_back(MeasureRater(units, d, r, expected));
    out.back().rater = ratings.raters[r];
    tested += out.back().shared_units >= options.min_shared_units ? 1 : 0;
  }
  // Bonferroni over the raters tested.
  const double level = options.family_significance / std::max(1, tested);
  for (RaterAgreement& a : out) {
    a.flagged = a.shared_units >= options.min_shared_units &&
                a.disagreement_ratio >= options.min_disagreement_ratio && a.p_value < level;
  }
  return out;
}

}  // namespace kaieval::review
