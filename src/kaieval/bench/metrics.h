// Per-item metrics of the benchmark engine, with lm-eval's names, formulas and aggregations, and
// the registry of which metric fits which output_type. The task loader parses metric_list with
// ParseMetricSpec; the runner scores each item here; stats/ aggregates the per-item values.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/bench/template.h"
#include "kaieval/bench/text_match.h"

namespace kaieval::bench {

// Multiple choice: logprobs[i] is the loglikelihood of choices[i] given the context. `choices`
// are the continuation strings WITHOUT the target delimiter (lm-eval measures lengths that way).
// Several golds mean any of them counts. Golds out of range never match.
struct ChoiceScores {
  std::vector<double> logprobs;
  std::vector<std::string> choices;
  std::vector<size_t> gold;
};

// 1.0 when the highest logprob is a gold (ties go to the lowest index; NaN counts as -inf).
double Acc(const ChoiceScores& s);
// Acc on logprob / Unicode code points of the choice. An empty choice scores -inf (lm-eval
// divides by zero there). Throws std::invalid_argument when choices and logprobs differ in size.
double AccNorm(const ChoiceScores& s);
// Acc on logprob / UTF-8 bytes of the choice; otherwise as AccNorm.
double AccBytes(const ChoiceScores& s);
// Sum over choices of (p_i - target_i)^2 with p = softmax(logprobs) over the choices and target
// one-hot on the gold (with several golds, the most probable one: any gold counts). Lower is
// better.
double BrierScore(const ChoiceScores& s);

// Rolling loglikelihood: per-item raw values; the corpus metrics are ratios of sums over items.
struct RollingItem {
  double loglikelihood = 0;
  double words = 0;
  double bytes = 0;
};
// words as lm-eval counts them, len(re.split(r"\s+", text)): one more than the number of runs
// of Unicode whitespace, which is the number of whitespace-separated words for trimmed text (an
// empty text counts 1, leading or trailing whitespace one more each). bytes: UTF-8 bytes.
RollingItem MakeRollingItem(double loglikelihood, std::string_view text);
// exp(-sum ll / sum words). NaN for no items or no words.
double WordPerplexity(std::span<const RollingItem> items);
// exp(-sum ll / sum bytes). NaN for no items or no bytes.
double BytePerplexity(std::span<const RollingItem> items);
// -sum ll / (sum bytes * ln 2). NaN for no items or no bytes.
double BitsPerByte(std::span<const RollingItem> items);

enum class OutputType { kMultipleChoice, kGenerateUntil, kLoglikelihoodRolling };

// "multiple_choice", "generate_until" or "loglikelihood_rolling", as task files write them.
std::string_view OutputTypeName(OutputType type);

struct MetricInfo {
  std::string name;
  std::string aggregation;  // "mean", or for rolling "weighted_perplexity" / "bits_per_byte"
  bool higher_is_better = true;
};

// acc, acc_norm, acc_bytes, brier_score (multiple_choice); exact_match, f1, pass_at_k
// (generate_until);
// word_perplexity, byte_perplexity, bits_per_byte (loglikelihood_rolling).
std::optional<MetricInfo> FindMetric(std::string_view name, OutputType type);
// What a task without metric_list reports: mc acc, acc_norm; gen exact_match; rolling all three.
std::vector<MetricInfo> DefaultMetrics(OutputType type);

// pass_at_k: each generation, completed into a program (doc_to_text + generation + check), runs
// in the sandbox; a problem's value is the unbiased pass@k over its `repeats` generations.
struct CodeMetricOptions {
  std::vector<int> ks;  // as the task writes it: `k: 1` or `k: [1, 10]`
  int k = 1;            // the k of this reported metric, "pass@<k>"
  PromptTemplate check{"{{test}}\n\ncheck({{entry_point}})", "pass_at_k.check", false};
  double timeout_seconds = 10;  // wall clock per program; CPU time is limited to the same
};

struct MetricSpec {
  MetricInfo info;
  MatchOptions options;                  // exact_match and f1 only
  std::optional<CodeMetricOptions> code;  // pass_at_k only
};

// One metric_list entry: metric, aggregation (must be the metric's own; lm-eval's "brier_score"
// aggregation is accepted as "mean"), higher_is_better (overrides), and for exact_match and f1
// the MatchOptions keys. Unknown metric or key: InputError listing the valid ones.
MetricSpec ParseMetricSpec(const YAML::Node& entry, OutputType type, std::string_view where);

// The metrics one metric_list entry reports: itself, or for pass_at_k one "pass@<k>" per k.
std::vector<MetricSpec> ExpandMetricSpec(const MetricSpec& spec);

// The per-item value of a multiple_choice metric (acc, acc_norm, acc_bytes, brier_score).
// Throws std::invalid_argument for any other name.
double ScoreChoices(const MetricInfo& metric, const ChoiceScores& s);

// The per-item value of a text generate_until metric (exact_match, f1): the best over the references,
// as lm-eval does with a list of targets; 0.0 without references. Throws std::invalid_argument
// for any other name.
double ScoreGeneration(const MetricSpec& metric, std::string_view prediction,
                       std::span<const std::string> references);

}  // namespace kaieval::bench
