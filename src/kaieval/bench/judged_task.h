// Judged tasks inside the benchmark runner: the judge-graded, safety and bias suites that a
// task's `judge:` section declares (judge_spec.h). Prepare expands their documents into
// instances (turns, attack templates); the runner sends their turns and then the judges'
// prompts here; the metric accumulator adds their aggregates (Bradley-Terry, grades, bias gap).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/bench/evaluator.h"
#include "kaieval/model/model_client.h"

namespace kaieval {
class ProgressBar;
}

namespace kaieval::bench {

// One instance per document (its turns from doc_to_text: a list column gives several turns),
// or for a jailbreak task one per attack template. Instances are numbered from `first_id`.
std::vector<Instance> PrepareJudgedInstances(const TaskSpec& spec, const Document& doc,
                                             size_t first_id);

// The model clients of the judges and baselines that a run's tasks name, made on first use
// (with ${VAR} in model_args expanded) and shared by tasks that name the same model; every
// request goes through `cache` (may be null).
class JudgeClients {
 public:
  explicit JudgeClients(model::ResponseCache* cache) : cache_(cache) {}
  model::ModelClient& Get(const TaskModelRef& ref);

 private:
  model::ResponseCache* cache_;
  std::map<std::string, std::unique_ptr<model::ModelClient>> clients_;
};

// Runs instances of one judged generation task: the candidate's answers turn by turn (each turn
// sees the earlier answers), the baseline's for pairwise tasks, then every judge of the panel
// (or the rule-based detector), and scores them. Returns one record list per instance, in order.
std::vector<std::vector<ScoredDoc>> RunJudged(const PreparedTask& task,
                                              const std::vector<const Instance*>& instances,
                                              model::ModelClient& candidate, JudgeClients& clients,
                                              uint64_t seed, ProgressBar* progress);

// Bias tasks: adds acc_ambiguous, acc_disambiguated (and its .biased_context /
// .counter_context subsets) and diff_bias_ambiguous to a multiple-choice record, from the choice
// the model's loglikelihoods pick.
void AddBiasMetrics(const TaskSpec& spec, const Instance& in, const ChoiceScores& scores,
                    ScoredDoc& record);

// The aggregates that are not means of per-document values: the Bradley-Terry rating against
// the baseline, the safety grade, the disambiguated diff-bias, and Wilson intervals of every
// rate (in results["judge"]).
void AddJudgedAggregates(const PreparedTask& task, const MetricAccumulator& acc,
                         nlohmann::ordered_json& results, uint64_t seed, int resamples);

// A category or attack name as part of a metric name: ',', '.' and white space become '_'.
std::string MetricSuffix(const std::string& text);

}  // namespace kaieval::bench
