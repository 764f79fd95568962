#include "kaieval/origin/null_baseline.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"
#include "kaieval/origin/model_files.h"
#include "kaieval/origin/roles.h"

namespace kaieval::origin {
namespace {

using nlohmann::json;

constexpr size_t kMinClassSamples = 5;

double Value(const NullSample& s, Measure m) { return m == Measure::kPearson ? s.pearson : s.canonical; }

}  // namespace

NullScore AnalyticScore(double s) {
  if (std::isnan(s)) return {std::nan(""), std::nan("")};
  return {s, 0.5 * std::erfc(s / std::sqrt(2.0))};
}

NullScore BaselineScore(const NullBaseline& baseline, const std::string& role_class, Measure measure,
                        double s) {
  if (std::isnan(s)) return {std::nan(""), std::nan("")};
  std::vector<double> values;
  for (const NullSample& x : baseline.samples) {
    if (x.role_class == role_class && !std::isnan(Value(x, measure))) values.push_back(Value(x, measure));
  }
  if (values.size() < kMinClassSamples) {
    values.clear();
    for (const NullSample& x : baseline.samples) {
      if (!std::isnan(Value(x, measure))) values.push_back(Value(x, measure));
    }
  }
  if (values.size() < 2) return AnalyticScore(s);
  double mean = 0, var = 0;
  for (double v : values) mean += v;
  mean /= values.size();
  for (double v : values) var += (v - mean) * (v - mean);
  double sd = std::sqrt(var / (values.size() - 1));
  size_t above = 0;
  for (double v : values) above += v >= s;
  NullScore r;
  // A degenerate baseline (all values equal) cannot scale z; fall back to the analytic unit.
  r.z = (s - mean) / (sd > 1e-9 ? sd : 1.0);
  r.p = (1.0 + above) / (values.size() + 1.0);
  return r;
}

NullBaseline BuildBaseline(const std::vector<std::pair<std::string, std::string>>& pairs,
                           const MeasureOptions& options) {
  NullBaseline out;
  for (const auto& [path_a, path_b] : pairs) {
    Model a = OpenModel(path_a), b = OpenModel(path_b);
    std::map<std::string, const Tensor*> by_key;
    for (const Tensor& t : b.tensors) by_key[CanonicalRole(t.name).Key()] = &t;
    size_t compared = 0;
    for (const Tensor& t : a.tensors) {
      TensorRole role = CanonicalRole(t.name);
      auto it = by_key.find(role.Key());
      if (it == by_key.end() || !t.readable() || !it->second->readable() ||
          it->second->shape != t.shape || t.rows() < 2) {
        continue;
      }
      PairMeasures m = MeasurePair(t, *it->second, options);
      NullSample s;
      s.role_class = role.component + "/" + role.role;
      s.pearson = m.pearson * std::sqrt(static_cast<double>(m.n));
      s.canonical = m.canonical * std::sqrt(static_cast<double>(m.canonical_n));
      out.samples.push_back(s);
      ++compared;
    }
    if (compared == 0) {
      throw InputError(fmt::format("{} and {}: no matrix with the same role and shape in both",
                                   path_a, path_b));
    }
    out.pairs.push_back(path_a + " vs " + path_b);
  }
  return out;
}

void WriteBaseline(const NullBaseline& baseline, const std::string& path) {
  json doc = {{"kind", "kaieval-origin-null"}, {"version", 1}, {"pairs", baseline.pairs}};
  json samples = json::array();
  auto num = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
  for (const NullSample& s : baseline.samples) {
    samples.push_back({{"role_class", s.role_class}, {"pearson", num(s.pearson)},
                       {"canonical", num(s.canonical)}});
  }
  doc["samples"] = samples;
  std::ofstream out(path);
  out << doc.dump(1) << "\n";
  if (!out) throw InputError(fmt::format("{}: cannot write", path));
}

NullBaseline ReadBaseline(const std::string& path) {
  json doc = json::parse(ReadFileBytes(path), nullptr, false);
  if (!doc.is_object() || doc.value("kind", "") != "kaieval-origin-null" ||
      !doc.contains("samples") || !doc["samples"].is_array()) {
    throw InputError(fmt::format("{}: not a kaieval origin baseline (kind kaieval-origin-null)", path));
  }
  NullBaseline b;
  if (doc.contains("pairs") && doc["pairs"].is_array()) {
    for (const json& p : doc["pairs"]) {
      if (p.is_string()) b.pairs.push_back(p.get<std::string>());
    }
  }
  for (size_t i = 0; i < doc["samples"].size(); ++i) {
    const json& s = doc["samples"][i];
    auto number = [&](const char* field) {
      if (!s.contains(field) || s[field].is_null()) return std::nan("");
      if (!s[field].is_number()) {
        throw InputError(fmt::format("{}: samples[{}].{} must be a number", path, i, field));
      }
      return s[field].get<double>();
    };
    if (!s.is_object() || !s.contains("role_class") || !s["role_class"].is_string()) {
      throw InputError(fmt::format("{}: samples[{}] needs role_class", path, i));
    }
    b.samples.push_back({s["role_class"].get<std::string>(), number("pearson"), number("canonical")});
  }
  if (b.samples.size() < 2) {
    throw InputError(fmt::format("{}: a baseline needs at least 2 samples", path));
  }
  return b;
}

}  // namespace kaieval::origin
