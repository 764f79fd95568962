#include "kaieval/origin/origin_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/common/progress.h"

namespace kaieval::origin {
namespace {

double Median(std::vector<double> v) {
  std::erase_if(v, [](double x) { return std::isnan(x); });
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

NullScore Score(const OriginOptions& options, const std::string& role_class, Measure measure,
                double r, uint64_t n) {
  if (std::isnan(r) || n == 0) return {std::nan(""), std::nan("")};
  double s = r * std::sqrt(static_cast<double>(n));
  return options.baseline ? BaselineScore(*options.baseline, role_class, measure, s)
                          : AnalyticScore(s);
}

// Measures every pair on `threads` threads; the pairs are independent.
void MeasureAll(std::vector<TensorEvidence>& rows, const std::vector<const Tensor*>& cand,
                const std::vector<const Tensor*>& ref, const OriginOptions& options) {
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < rows.size(); ++i) total_bytes += cand[i]->bytes + ref[i]->bytes;
  ProgressBar bar("origin: bytes compared", total_bytes, stderr, options.progress);
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mu;
  auto work = [&] {
    for (size_t i; (i = next++) < rows.size();) {
      try {
        rows[i].measures = MeasurePair(*cand[i], *ref[i], options.measure);
      } catch (...) {
        std::lock_guard lock(error_mu);
        if (!error) error = std::current_exception();
      }
      bar.Advance(cand[i]->bytes + ref[i]->bytes);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, options.threads); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  bar.Finish();
  if (error) std::rethrow_exception(error);
}

ComponentEvidence Summarise(const std::string& component, const std::vector<TensorEvidence>& rows,
                            uint64_t parameters, const OriginOptions& options) {
  ComponentEvidence c;
  c.component = component;
  c.parameters = parameters;
  std::vector<double> z, pearson, canonical, cosine, vcos, vpearson;
  for (const TensorEvidence& t : rows) {
    if (t.role.component != component) continue;
    c.compared_parameters += t.elements;
    if (t.vector) {
      ++c.vectors;
      vcos.push_back(t.measures.cosine);
      vpearson.push_back(t.measures.pearson);
      continue;
    }
    ++c.matrices;
    c.flagged += t.flagged;
    z.push_back(t.z);
    pearson.push_back(t.measures.pearson);
    canonical.push_back(t.measures.canonical);
    cosine.push_back(t.measures.cosine);
    if (!std::isnan(t.z)) c.max_z = c.matrices == 1 ? t.z : std::max(c.max_z, t.z);
  }
  c.median_z = Median(z);
  c.median_pearson = Median(pearson);
  c.median_canonical = Median(canonical);
  c.median_cosine = Median(cosine);
  c.vector_median_cosine = Median(vcos);
  c.vector_median_pearson = Median(vpearson);
  if (c.matrices == 0) {
    c.verdict = "not_compared";
    c.reason = c.vectors > 0 ? "only norm/bias vectors have a counterpart; they are never evidence"
                             : "no tensor with the same role and shape in the reference";
  } else if (c.flagged >= options.derived_fraction * c.matrices) {
    c.verdict = "derived";
    c.reason = fmt::format("{} of {} matrices at z >= {}", c.flagged, c.matrices, options.derived_z);
  } else if (c.flagged > 0 || c.median_z >= options.inconclusive_z) {
    c.verdict = "inconclusive";
    c.reason = fmt::format("{} of {} matrices at z >= {}; median z {:.1f}", c.flagged, c.matrices,
                           options.derived_z, c.median_z);
  } else {
    c.verdict = "original";
    c.reason = fmt::format("no matrix at z >= {}; median z {:.1f}", options.derived_z, c.median_z);
  }
  return c;
}

}  // namespace

ReferenceEvidence CompareWithReference(const Model& candidate, const Model& reference,
                                       const OriginOptions& options) {
  ReferenceEvidence out;
  out.reference = reference.path;
  out.provenance = reference.provenance;
  std::map<std::string, const Tensor*> by_key;
  for (const Tensor& t : reference.tensors) by_key.emplace(CanonicalRole(t.name).Key(), &t);
  std::vector<const Tensor*> cand, ref;
  std::map<std::string, uint64_t> parameters;  // per component, the candidate's
  std::vector<std::string> component_order;
  for (const Tensor& t : candidate.tensors) {
    TensorRole role = CanonicalRole(t.name);
    if (!parameters.contains(role.component)) component_order.push_back(role.component);
    parameters[role.component] += t.elements;
    out.candidate_parameters += t.elements;
    auto it = by_key.find(role.Key());
    std::string why;
    if (it == by_key.end()) {
      why = fmt::format("no {} in the reference", role.Key());
    } else if (!t.readable()) {
      why = t.skipped;
    } else if (!it->second->readable()) {
      why = fmt::format("reference {}: {}", it->second->name, it->second->skipped);
    } else if (it->second->shape != t.shape) {
      why = fmt::format("shape {} vs {} in the reference", t.ShapeString(), it->second->ShapeString());
    }
    if (!why.empty()) {
      out.not_compared.push_back(t.name + ": " + why);
      continue;
    }
    TensorEvidence e;
    e.name = t.name;
    e.reference_name = it->second->name;
    e.role = role;
    e.shape = t.shape;
    e.elements = t.elements;
    e.vector = t.rows() < 2;
    out.tensors.push_back(std::move(e));
    cand.push_back(&t);
    ref.push_back(it->second);
  }
  MeasureAll(out.tensors, cand, ref, options);
  for (TensorEvidence& e : out.tensors) {
    out.compared_parameters += e.elements;
    if (e.vector) {
      e.z = std::nan("");
      e.pearson_score = e.canonical_score = {std::nan(""), std::nan("")};
      continue;
    }
    std::string role_class = e.role.component + "/" + e.role.role;
    e.pearson_score = Score(options, role_class, Measure::kPearson, e.measures.pearson, e.measures.n);
    e.canonical_score = Score(options, role_class, Measure::kCanonical, e.measures.canonical,
                              e.measures.canonical_n);
    e.z = std::isnan(e.canonical_score.z) ? e.pearson_score.z
          : std::isnan(e.pearson_score.z) ? e.canonical_score.z
                                          : std::max(e.pearson_score.z, e.canonical_score.z);
    e.flagged = !std::isnan(e.z) && e.z >= options.derived_z;
  }
  out.compared_fraction = out.candidate_parameters
                              ? static_cast<double>(out.compared_parameters) / out.candidate_parameters
                              : 0;
  bool any_derived = false, any_inconclusive = false;
  for (const std::string& component : component_order) {
    out.components.push_back(Summarise(component, out.tensors, parameters[component], options));
    any_derived |= out.components.back().verdict == "derived";
    any_inconclusive |= out.components.back().verdict == "inconclusive";
  }
  out.verdict = any_derived ? "derived"
                : out.compared_fraction < options.min_compared_fraction ? "not_comparable"
                : any_inconclusive ? "inconclusive"
                                   : "original";
  return out;
}

OriginReport CompareModels(const std::string& candidate_path,
                           const std::vector<std::string>& reference_paths,
                           const OriginOptions& options) {
  if (reference_paths.empty()) throw InputError("origin compare: give at least one reference model");
  OriginReport report;
  report.candidate = candidate_path;
  report.options = options;
  if (options.baseline) {
    report.null_used = "baseline";
    report.null_description = fmt::format(
        "empirical null from {} independent model pair(s), {} matrices: z against the baseline's "
        "mean and sd per role, p = share of baseline values at least as large",
        options.baseline->pairs.size(), options.baseline->samples.size());
  } else {
    report.null_used = "analytic";
    report.null_description =
        "no baseline given: the analytic null for independently initialised tensors, Pearson r "
        "of n independent pairs ~ N(0, 1/sqrt(n)), so z = r * sqrt(n)";
  }
  Model candidate = OpenModel(candidate_path);
  report.candidate_provenance = candidate.provenance;
  for (const Tensor& t : candidate.tensors) {
    if (!t.skipped.empty()) report.skipped.push_back(t.name + ": " + t.skipped);
  }
  std::optional<Vocabulary> cand_vocab = ModelVocabulary(candidate);
  bool any_derived = false, any_inconclusive = false, any_comparable = false;
  for (const std::string& path : reference_paths) {
    Model reference = OpenModel(path);
    ReferenceEvidence r = CompareWithReference(candidate, reference, options);
    if (cand_vocab) {
      if (std::optional<Vocabulary> ref_vocab = ModelVocabulary(reference)) {
        r.vocabulary = CompareVocabularies(*cand_vocab, *ref_vocab, options.vocabulary);
      }
    }
    for (const ComponentEvidence& c : r.components) {
      if (c.verdict == "derived") report.derived.push_back({c.component, path, c.median_z});
    }
    any_derived |= r.verdict == "derived";
    any_inconclusive |= r.verdict == "inconclusive";
    any_comparable |= r.verdict != "not_comparable";
    report.references.push_back(std::move(r));
  }
  report.verdict = any_derived                          ? "derived"
                   : any_inconclusive || !any_comparable ? "inconclusive"
                                                         : "original";
  return report;
}

}  // namespace kaieval::origin
