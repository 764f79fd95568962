#include "kaieval/origin/origin_report.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

namespace kaieval::origin {
namespace {

using nlohmann::json;

json Num(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

json TensorJson(const TensorEvidence& t) {
  return {{"name", t.name},
          {"reference_name", t.reference_name},
          {"component", t.role.component},
          {"layer", t.role.layer},
          {"role", t.role.role},
          {"kind", t.role.kind},
          {"shape", t.shape},
          {"elements", t.elements},
          {"pearson", Num(t.measures.pearson)},
          {"cosine", Num(t.measures.cosine)},
          {"mad", Num(t.measures.mad)},
          {"canonical", Num(t.measures.canonical)},
          {"canonical_n", t.measures.canonical_n},
          {"z_pearson", Num(t.pearson_score.z)},
          {"p_pearson", Num(t.pearson_score.p)},
          {"z_canonical", Num(t.canonical_score.z)},
          {"p_canonical", Num(t.canonical_score.p)},
          {"z", Num(t.z)},
          {"flagged", t.flagged}};
}

json ComponentJson(const ComponentEvidence& c) {
  return {{"component", c.component},
          {"verdict", c.verdict},
          {"reason", c.reason},
          {"parameters", c.parameters},
          {"compared_parameters", c.compared_parameters},
          {"matrices", c.matrices},
          {"flagged", c.flagged},
          {"vectors", c.vectors},
          {"median_z", Num(c.median_z)},
          {"max_z", Num(c.max_z)},
          {"median_pearson", Num(c.median_pearson)},
          {"median_canonical", Num(c.median_canonical)},
          {"median_cosine", Num(c.median_cosine)},
          {"vector_median_cosine", Num(c.vector_median_cosine)},
          {"vector_median_pearson", Num(c.vector_median_pearson)}};
}

// Per component, a layers x roles grid of z (and of both correlations) for a heatmap; null
// where the model has no such matrix. Tensors outside the blocks use layer -1.
json HeatmapJson(const ReferenceEvidence& r) {
  std::map<std::string, std::pair<std::set<int>, std::set<std::string>>> axes;
  for (const TensorEvidence& t : r.tensors) {
    if (t.vector) continue;
    axes[t.role.component].first.insert(t.role.layer);
    axes[t.role.component].second.insert(t.role.role);
  }
  json out = json::array();
  for (const auto& [component, ax] : axes) {
    std::vector<int> layers(ax.first.begin(), ax.first.end());
    std::vector<std::string> roles(ax.second.begin(), ax.second.end());
    json z(json::array()), pearson(json::array()), canonical(json::array());
    for (size_t i = 0; i < layers.size(); ++i) {
      z.push_back(json(std::vector<json>(roles.size(), nullptr)));
      pearson.push_back(z.back());
      canonical.push_back(z.back());
    }
    for (const TensorEvidence& t : r.tensors) {
      if (t.vector || t.role.component != component || t.role.kind != "weight") continue;
      size_t li = std::lower_bound(layers.begin(), layers.end(), t.role.layer) - layers.begin();
      size_t ri = std::lower_bound(roles.begin(), roles.end(), t.role.role) - roles.begin();
      z[li][ri] = Num(t.z);
      pearson[li][ri] = Num(t.measures.pearson);
      canonical[li][ri] = Num(t.measures.canonical);
    }
    out.push_back({{"component", component}, {"layers", layers}, {"roles", roles}, {"z", z},
                   {"pearson", pearson}, {"canonical", canonical}});
  }
  return out;
}

json VocabularyJson(const VocabularyComparison& v) {
  return {{"candidate_size", v.candidate_size}, {"reference_size", v.reference_size},
          {"shared", v.shared},                 {"same_id", v.same_id},
          {"identical_prefix", v.identical_prefix}, {"shared_fraction", v.shared_fraction},
          {"same_id_fraction", v.same_id_fraction}, {"derived", v.derived}};
}

// Across references, each candidate component's strongest finding.
json ComponentSummary(const OriginReport& report) {
  std::vector<std::string> order;
  std::map<std::string, json> best;
  const int kRank[] = {0, 1, 2, 3};  // not_compared < original < inconclusive < derived
  auto rank = [&](const std::string& v) {
    return v == "derived" ? kRank[3] : v == "inconclusive" ? kRank[2] : v == "original" ? kRank[1] : kRank[0];
  };
  for (const ReferenceEvidence& r : report.references) {
    uint64_t total = r.candidate_parameters;
    for (const ComponentEvidence& c : r.components) {
      json row = {{"component", c.component},
                  {"verdict", c.verdict},
                  {"reference", c.verdict == "derived" ? json(r.reference) : json(nullptr)},
                  {"median_z", Num(c.median_z)},
                  {"parameters", c.parameters},
                  {"parameter_share", total ? static_cast<double>(c.parameters) / total : 0.0}};
      auto it = best.find(c.component);
      if (it == best.end()) {
        order.push_back(c.component);
        best[c.component] = row;
      } else if (rank(c.verdict) > rank((*it).second["verdict"].get<std::string>()) ||
                 (c.verdict == "derived" && (*it).second["verdict"] == "derived" &&
                  !std::isnan(c.median_z) && c.median_z > (*it).second["median_z"].get<double>())) {
        it->second = row;
      }
    }
  }
  json out = json::array();
  for (const std::string& c : order) out.push_back(best[c]);
  return out;
}

}  // namespace

json OriginReportJson(const OriginReport& report) {
  json derived = json::array();
  for (const DerivedFinding& d : report.derived) {
    derived.push_back({{"component", d.component}, {"reference", d.reference}, {"median_z", Num(d.median_z)}});
  }
  json refs = json::array();
  for (const ReferenceEvidence& r : report.references) {
    json tensors = json::array(), vectors = json::array(), components = json::array();
    for (const TensorEvidence& t : r.tensors) (t.vector ? vectors : tensors).push_back(TensorJson(t));
    for (const ComponentEvidence& c : r.components) components.push_back(ComponentJson(c));
    refs.push_back({{"reference", r.reference},
                    {"verdict", r.verdict},
                    {"candidate_parameters", r.candidate_parameters},
                    {"compared_parameters", r.compared_parameters},
                    {"compared_fraction", r.compared_fraction},
                    {"components", components},
                    {"tensors", tensors},
                    {"vectors", vectors},
                    {"heatmap", HeatmapJson(r)},
                    {"vocabulary", r.vocabulary ? VocabularyJson(*r.vocabulary) : json(nullptr)},
                    {"not_compared", r.not_compared},
                    {"provenance", r.provenance}});
  }
  const OriginOptions& o = report.options;
  return {{"kind", "kaieval-origin-report"},
          {"version", 1},
          {"candidate", report.candidate},
          {"verdict", report.verdict},
          {"derived", derived},
          {"null",
           {{"used", report.null_used},
            {"description", report.null_description},
            {"derived_z", o.derived_z},
            {"inconclusive_z", o.inconclusive_z},
            {"derived_fraction", o.derived_fraction},
            {"min_compared_fraction", o.min_compared_fraction},
            {"canonical_block", o.measure.canonical_block}}},
          {"components", ComponentSummary(report)},
          {"candidate_provenance", report.candidate_provenance},
          {"skipped_tensors", report.skipped},
          {"references", refs}};
}

std::string OriginReportText(const OriginReport& report) {
  auto f = [](double v, int digits = 3) {
    return std::isnan(v) ? std::string("-") : fmt::format("{:.{}f}", v, digits);
  };
  std::string out = fmt::format("candidate: {}\nverdict: {}", report.candidate, report.verdict);
  for (const DerivedFinding& d : report.derived) {
    out += fmt::format("\n  derived: {} from {} (median z {})", d.component, d.reference, f(d.median_z, 1));
  }
  out += fmt::format("\nnull: {} ({})\n", report.null_used, report.null_description);
  if (!report.skipped.empty()) out += fmt::format("skipped: {} tensors of unsupported types\n", report.skipped.size());
  for (const ReferenceEvidence& r : report.references) {
    out += fmt::format("\nreference {}: {}; {:.1f}% of the candidate's parameters compared\n",
                       r.reference, r.verdict, 100 * r.compared_fraction);
    out += fmt::format("  {:<16} {:>12} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}  {}\n", "component",
                       "parameters", "matrices", "flagged", "median z", "pearson", "canonical",
                       "vec cos", "verdict");
    for (const ComponentEvidence& c : r.components) {
      out += fmt::format("  {:<16} {:>12} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}  {}\n", c.component,
                         c.parameters, c.matrices, c.flagged, f(c.median_z, 1), f(c.median_pearson),
                         f(c.median_canonical), f(c.vector_median_cosine), c.verdict);
    }
    if (r.vocabulary) {
      const VocabularyComparison& v = *r.vocabulary;
      out += fmt::format("  vocabulary: {} of {} tokens shared, {} with the same id ({:.1f}%), "
                         "the first {} ids identical{}\n",
                         v.shared, v.candidate_size, v.same_id, 100 * v.same_id_fraction,
                         v.identical_prefix, v.derived ? ": a derived tokenizer" : "");
    }
  }
  return out;
}

}  // namespace kaieval::origin
