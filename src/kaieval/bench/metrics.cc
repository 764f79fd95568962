#include "kaieval/bench/metrics.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace kaieval::bench {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Registered {
  std::string_view name;
  OutputType type;
  std::string_view aggregation;
  bool higher_is_better;
  bool is_default;
};

constexpr std::array<Registered, 10> kMetrics = {{
    {"acc", OutputType::kMultipleChoice, "mean", true, true},
    {"acc_norm", OutputType::kMultipleChoice, "mean", true, true},
    {"acc_bytes", OutputType::kMultipleChoice, "mean", true, false},
    {"brier_score", OutputType::kMultipleChoice, "mean", false, false},
    {"exact_match", OutputType::kGenerateUntil, "mean", true, true},
    {"f1", OutputType::kGenerateUntil, "mean", true, false},
    {"pass_at_k", OutputType::kGenerateUntil, "mean", true, false},
    {"word_perplexity", OutputType::kLoglikelihoodRolling, "weighted_perplexity", false, true},
    {"byte_perplexity", OutputType::kLoglikelihoodRolling, "weighted_perplexity", false, true},
    {"bits_per_byte", OutputType::kLoglikelihoodRolling, "bits_per_byte", false, true},
}};

std::string MetricNames(OutputType type) {
  std::string out;
  for (const auto& m : kMetrics) {
    if (m.type == type) out += (out.empty() ? "" : ", ") + std::string(m.name);
  }
  return out;
}

// Index of the highest score; ties go to the lowest index, NaN counts as -inf.
size_t Argmax(const std::vector<double>& scores) {
  size_t best = 0;
  double best_score = kNegInf;
  for (size_t i = 0; i < scores.size(); ++i) {
    double v = std::isnan(scores[i]) ? kNegInf : scores[i];
    if (v > best_score) {
      best = i;
      best_score = v;
    }
  }
  return best;
}

bool IsGold(const ChoiceScores& s, size_t index) {
  return std::find(s.gold.begin(), s.gold.end(), index) != s.gold.end();
}

template <typename Length>
double AccPerLength(const ChoiceScores& s, Length length) {
  if (s.choices.size() != s.logprobs.size()) {
    throw std::invalid_argument("ChoiceScores: " + std::to_string(s.choices.size()) +
                                " choices but " + std::to_string(s.logprobs.size()) + " logprobs");
  }
  if (s.logprobs.empty()) return 0.0;
  std::vector<double> normalized(s.logprobs.size());
  for (size_t i = 0; i < normalized.size(); ++i) {
    auto n = static_cast<double>(length(s.choices[i]));
    normalized[i] = n > 0 ? s.logprobs[i] / n : kNegInf;
  }
  return IsGold(s, Argmax(normalized)) ? 1.0 : 0.0;
}

// lm-eval's count_words: len(re.split(r"\s+", text)).
double CountWords(std::string_view text) {
  double words = 1;
  bool in_space = false;
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t cp;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                              static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    bool space = n > 0 && IsUnicodeWhitespace(static_cast<char32_t>(cp));
    if (space && !in_space) ++words;
    in_space = space;
    i += n > 0 ? static_cast<size_t>(n) : 1;
  }
  return words;
}

struct RollingSums {
  double loglikelihood = 0, words = 0, bytes = 0;
};

RollingSums Sum(std::span<const RollingItem> items) {
  RollingSums s;
  for (const auto& item : items) {
    s.loglikelihood += item.loglikelihood;
    s.words += item.words;
    s.bytes += item.bytes;
  }
  return s;
}

bool ReadBool(const YAML::Node& value, const std::string& where) {
  try {
    if (value.IsScalar()) return value.as<bool>();
  } catch (const YAML::Exception&) {
  }
  throw InputError(where + ": expected true or false");
}

// pass_at_k's keys: k (a positive integer or a list of them), check (a template), timeout
// (seconds), and aggregation / higher_is_better as every metric.
MetricSpec ParseCodeMetric(const YAML::Node& entry, const std::string& where, MetricSpec spec) {
  CodeMetricOptions code;
  auto positive_int = [](const YAML::Node& n, const std::string& at) {
    int v = 0;
    if (!n.IsScalar() || !YAML::convert<int>::decode(n, v) || v < 1) {
      throw InputError(at + ": expected a positive integer");
    }
    return v;
  };
  for (const auto& kv : entry) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "<non-scalar key>";
    std::string at = where + "." + key;
    if (key == "metric") continue;
    if (key == "k") {
      if (kv.second.IsSequence()) {
        if (kv.second.size() == 0) throw InputError(at + ": expected at least one k");
        for (size_t i = 0; i < kv.second.size(); ++i) {
          code.ks.push_back(positive_int(kv.second[i], at + "[" + std::to_string(i) + "]"));
        }
      } else {
        code.ks.push_back(positive_int(kv.second, at));
      }
    } else if (key == "check") {
      if (!kv.second.IsScalar()) throw InputError(at + ": expected a template");
      code.check = PromptTemplate(kv.second.Scalar(), at, false);
    } else if (key == "timeout") {
      double t = 0;
      if (!kv.second.IsScalar() || !YAML::convert<double>::decode(kv.second, t) || !(t > 0) ||
          t > 3600) {
        throw InputError(at + ": expected seconds, more than 0 and at most 3600");
      }
      code.timeout_seconds = t;
    } else if (key == "aggregation") {
      if (!kv.second.IsScalar() || kv.second.Scalar() != "mean") {
        throw InputError(at + ": expected 'mean', the aggregation of pass_at_k");
      }
    } else if (key == "higher_is_better") {
      spec.info.higher_is_better = ReadBool(kv.second, at);
    } else {
      throw InputError(at + ": unknown key for metric pass_at_k; expected: k, check, timeout, "
                            "aggregation, higher_is_better");
    }
  }
  if (code.ks.empty()) code.ks.push_back(1);
  spec.code = std::move(code);
  return spec;
}

}  // namespace

double Acc(const ChoiceScores& s) {
  if (s.logprobs.empty()) return 0.0;
  return IsGold(s, Argmax(s.logprobs)) ? 1.0 : 0.0;
}

double AccNorm(const ChoiceScores& s) {
  return AccPerLength(s, [](const std::string& c) { return CodePointCount(c); });
}

double AccBytes(const ChoiceScores& s) {
  return AccPerLength(s, [](const std::string& c) { return c.size(); });
}

double BrierScore(const ChoiceScores& s) {
  size_t n = s.logprobs.size();
  if (n == 0) return 0.0;
  double max = kNegInf;
  for (double lp : s.logprobs) {
    if (!std::isnan(lp)) max = std::max(max, lp);
  }
  std::vector<double> p(n, 1.0 / static_cast<double>(n));  // all -inf: nothing to prefer
  if (max > kNegInf) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      p[i] = std::isnan(s.logprobs[i]) ? 0.0 : std::exp(s.logprobs[i] - max);
      total += p[i];
    }
    for (double& v : p) v /= total;
  }
  std::optional<size_t> target;
  for (size_t g : s.gold) {
    if (g < n && (!target || p[g] > p[*target])) target = g;
  }
  double score = 0;
  for (size_t i = 0; i < n; ++i) {
    double t = target && *target == i ? 1.0 : 0.0;
    score += (p[i] - t) * (p[i] - t);
  }
  return score;
}

RollingItem MakeRollingItem(double loglikelihood, std::string_view text) {
  return {loglikelihood, CountWords(text), static_cast<double>(text.size())};
}

double WordPerplexity(std::span<const RollingItem> items) {
  RollingSums s = Sum(items);
  return s.words > 0 ? std::exp(-s.loglikelihood / s.words) : kNaN;
}

double BytePerplexity(std::span<const RollingItem> items) {
  RollingSums s = Sum(items);
  return s.bytes > 0 ? std::exp(-s.loglikelihood / s.bytes) : kNaN;
}

double BitsPerByte(std::span<const RollingItem> items) {
  RollingSums s = Sum(items);
  return s.bytes > 0 ? -s.loglikelihood / (s.bytes * std::log(2.0)) : kNaN;
}

std::vector<MetricSpec> ExpandMetricSpec(const MetricSpec& spec) {
  if (!spec.code) return {spec};
  std::vector<MetricSpec> out;
  for (int k : spec.code->ks) {
    MetricSpec one = spec;
    one.info.name = "pass@" + std::to_string(k);
    one.code->k = k;
    out.push_back(std::move(one));
  }
  return out;
}

std::optional<MetricInfo> FindMetric(std::string_view name, OutputType type) {
  for (const auto& m : kMetrics) {
    if (m.name == name && m.type == type) {
      return MetricInfo{std::string(m.name), std::string(m.aggregation), m.higher_is_better};
    }
  }
  return std::nullopt;
}

std::vector<MetricInfo> DefaultMetrics(OutputType type) {
  std::vector<MetricInfo> out;
  for (const auto& m : kMetrics) {
    if (m.type == type && m.is_default) {
      out.push_back({std::string(m.name), std::string(m.aggregation), m.higher_is_better});
    }
  }
  return out;
}

MetricSpec ParseMetricSpec(const YAML::Node& entry, OutputType type, std::string_view where_view) {
  std::string where(where_view);
  if (!entry.IsMap()) throw InputError(where + ": expected a map with a `metric` key");
  const YAML::Node metric = entry["metric"];
  if (!metric || !metric.IsScalar()) {
    throw InputError(where + ".metric: missing; expected one of: " + MetricNames(type));
  }
  auto info = FindMetric(metric.Scalar(), type);
  if (!info) {
    std::string other;
    for (const auto& m : kMetrics) {
      if (m.name == metric.Scalar()) {
        other = " (it is a " + std::string(OutputTypeName(m.type)) + " metric)";
      }
    }
    throw InputError(where + ".metric: unknown metric '" + metric.Scalar() + "' for output_type " +
                     std::string(OutputTypeName(type)) + other +
                     "; expected one of: " + MetricNames(type));
  }
  MetricSpec spec{*info, {}};
  if (info->name == "pass_at_k") return ParseCodeMetric(entry, where, std::move(spec));
  bool takes_match_options = type == OutputType::kGenerateUntil;
  for (const auto& kv : entry) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "<non-scalar key>";
    std::string at = where + "." + key;
    if (key == "metric") continue;
    if (key == "aggregation") {
      std::string aggregation = kv.second.IsScalar() ? kv.second.Scalar() : "";
      if (aggregation == "brier_score" && info->name == "brier_score") aggregation = "mean";
      if (aggregation != info->aggregation) {
        throw InputError(at + ": expected '" + info->aggregation + "', the aggregation of " +
                         info->name);
      }
    } else if (key == "higher_is_better") {
      spec.info.higher_is_better = ReadBool(kv.second, at);
    } else if (!(takes_match_options && ReadMatchOption(key, kv.second, at, &spec.options))) {
      throw InputError(at + ": unknown key for metric " + info->name + "; expected: aggregation, " +
                       "higher_is_better" +
                       (takes_match_options ? ", " + std::string(kMatchOptionKeys) : ""));
    }
  }
  return spec;
}

double ScoreChoices(const MetricInfo& metric, const ChoiceScores& s) {
  if (metric.name == "acc") return Acc(s);
  if (metric.name == "acc_norm") return AccNorm(s);
  if (metric.name == "acc_bytes") return AccBytes(s);
  if (metric.name == "brier_score") return BrierScore(s);
  throw std::invalid_argument("ScoreChoices: not a multiple_choice metric: " + metric.name);
}

double ScoreGeneration(const MetricSpec& metric, std::string_view prediction,
                       std::span<const std::string> references) {
  double (*score)(std::string_view, std::string_view, const MatchOptions&) = nullptr;
  if (metric.info.name == "exact_match") score = &ExactMatch;
  if (metric.info.name == "f1") score = &TokenF1;
  if (score == nullptr) {
    throw std::invalid_argument("ScoreGeneration: not a generate_until metric: " +
                                metric.info.name);
  }
  double best = 0.0;
  for (const auto& reference : references) {
    best = std::max(best, score(prediction, reference, metric.options));
  }
  return best;
}

std::string_view OutputTypeName(OutputType type) {
  switch (type) {
    case OutputType::kMultipleChoice:
      return "multiple_choice";
    case OutputType::kGenerateUntil:
      return "generate_until";
    case OutputType::kLoglikelihoodRolling:
      return "loglikelihood_rolling";
  }
  return "?";
}

}  // namespace kaieval::bench
