// The null distribution of tensor similarity between models that share no weights, and the
// z-scores and p-values against it. `kaieval origin baseline` builds one from pairs of
// independent models; without one the comparison uses the analytic null (docs/origin.md).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kaieval/origin/tensor_measures.h"

namespace kaieval::origin {

// One compared matrix of an independent pair. Values are standardised, s = r * sqrt(n): under
// the analytic null (independent entries) s ~ N(0, 1) whatever the tensor's size.
struct NullSample {
  std::string role_class;  // component/role, e.g. "language_model/attn_q"
  double pearson = 0;      // s of the centred Pearson correlation
  double canonical = 0;    // s of the canonical-order Pearson
};

struct NullBaseline {
  std::vector<std::string> pairs;  // "A vs B" for each independent pair used
  std::vector<NullSample> samples;
};

enum class Measure { kPearson, kCanonical };

struct NullScore {
  double z = 0;  // standard deviations above the null's mean
  double p = 1;  // one-sided: how often the null reaches this value
};

// Analytic null: s ~ N(0, 1); z = s, p = its upper tail.
NullScore AnalyticScore(double s);
// Against the baseline: the samples of this role class if there are at least 5, else all;
// z = (s - mean) / sd, p = (1 + #{null >= s}) / (N + 1).
NullScore BaselineScore(const NullBaseline& baseline, const std::string& role_class,
                        Measure measure, double s);

// Compares each pair (two models trained or generated independently) and keeps every matrix's
// standardised values. Throws InputError when a pair has no comparable matrix.
NullBaseline BuildBaseline(const std::vector<std::pair<std::string, std::string>>& pairs,
                           const MeasureOptions& options = {});

// JSON: {"kind": "kaieval-origin-null", "version": 1, "pairs": [...],
//        "samples": [{"role_class", "pearson", "canonical"}]}
void WriteBaseline(const NullBaseline& baseline, const std::string& path);
// Throws InputError naming the file and field.
NullBaseline ReadBaseline(const std::string& path);

}  // namespace kaieval::origin
