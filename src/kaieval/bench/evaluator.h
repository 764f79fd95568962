// The evaluation of one task, split around the model calls: Prepare turns documents into
// requests (prompts, few-shot examples, choices, targets), and Score turns the answers into
// per-document metrics and aggregates with standard errors. The runner sends the requests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/bench/dataset.h"
#include "kaieval/bench/task_spec.h"
#include "kaieval/model/model_client.h"

namespace kaieval::bench {

// One document of a task, ready to send.
struct Instance {
  size_t doc_id = 0;
  Document doc;
  std::string context;                      // the prompt (completions) ...
  std::vector<model::ChatMessage> messages;  // ... or the conversation (apply_chat_template)
  std::vector<std::string> choices;         // multiple_choice: choice texts, no delimiter
  size_t gold = 0;                          // multiple_choice: index of the right choice
  std::string target;                       // generate_until: the reference answer
  std::string rolling_text;                 // loglikelihood_rolling: the text scored
  // Judged generation tasks (judge_spec.h): the user turns, sent one after the other, each with
  // the model's earlier answers; and, for jailbreak tasks, the attack template that wrapped them.
  std::vector<std::string> turns;
  std::string attack;
};

struct PrepareOptions {
  int num_fewshot = -1;  // -1: the task's own num_fewshot
  size_t limit = 0;      // 0: every document
  uint64_t seed = 1234;  // for the random few-shot sampler, with the task's fewshot seed
  // The model only has a chat endpoint (--model local-chat-completions): prompts are sent as
  // conversations, as with apply_chat_template, and loglikelihood tasks are refused.
  bool chat_model = false;
};

struct PreparedTask {
  TaskSpec spec;
  std::string version;   // content hash of the resolved spec and the data files
  int num_fewshot = 0;
  size_t n_original = 0;  // documents in the split before --limit
  std::vector<Instance> instances;
};

// Loads the split, applies process_docs and renders every document. Any missing column or bad
// row is reported here, before a request is sent.
PreparedTask Prepare(const TaskSpec& spec, const PrepareOptions& options);

// How one generation fared when run as a program (pass_at_k tasks).
struct CodeRun {
  bool passed = false;
  std::string status;  // "passed", "failed" (exit code), "timed_out", "signaled", "output_limit"
  int exit_code = -1;
  double seconds = 0;
  std::string stderr_tail;  // the last lines, enough to see the failed assertion
};

// The model's answers for one instance, in the order of its requests.
struct Answers {
  std::vector<model::LoglikelihoodResult> loglikelihoods;  // one per choice, or one (rolling)
  std::string generation;                                   // generate_until (repeats == 1)
  std::vector<std::string> generations;  // repeats > 1: all of them (generation is the first)
  // pass_at_k: one per CodePrograms entry, in its order; filled by the runner's sandbox.
  std::vector<CodeRun> code_runs;
};

// Per-document outcome: one record per filter, with each metric's value.
struct ScoredDoc {
  std::string filter;
  nlohmann::ordered_json resps;           // the raw answers
  nlohmann::ordered_json filtered_resps;  // after the filter
  nlohmann::ordered_json metrics;         // metric name -> value (rolling: [ll, weight])
  nlohmann::ordered_json judge;           // judged tasks: the verdicts behind the metrics
  nlohmann::ordered_json execution;       // pass_at_k: each generation's CodeRun; else null
};

// pass_at_k tasks: the programs to run for one instance, for each filter (in task order) and
// each generation: doc_to_text + the filtered generation + the metric's check, on lines of
// their own. ScoreInstance expects answers.code_runs in this order.
std::vector<std::string> CodePrograms(const PreparedTask& task, const Instance& instance,
                                      const Answers& answers);

// The scores of one instance under every filter of the task.
std::vector<ScoredDoc> ScoreInstance(const PreparedTask& task, const Instance& instance,
                                     const Answers& answers);

// Keeps only the per-document metric values a task's aggregates need, so that a run can drop
// each document's records once they are written: memory stays small for large tasks.
class MetricAccumulator {
 public:
  void Add(const std::vector<ScoredDoc>& scored);
  // results["<metric>,<filter>"] and results["<metric>_stderr,<filter>"], as Aggregate.
  // A metric "m.sub" (m one of the task's metrics) is reported after m: the value of m over a
  // subset of the documents (a category, a turn, an attack), which only those documents carry.
  nlohmann::ordered_json Aggregate(const PreparedTask& task, uint64_t bootstrap_seed,
                                   int bootstrap_resamples) const;

  // The per-document values of "metric,filter" (documents that have it), or null.
  const std::vector<double>* Values(const std::string& key) const;
  const std::map<std::string, std::vector<double>>& all_values() const { return values_; }

 private:
  std::vector<std::string> filters_;                       // in first-seen order
  std::map<std::string, std::vector<double>> values_;      // "metric,filter" -> per document
  std::map<std::string, std::vector<double>> weights_;     // rolling: the ratio's denominators
};

// Aggregates per-document metric values into results["<metric>,<filter>"] and
// results["<metric>_stderr,<filter>"]: means with the closed-form standard error, perplexity
// and bits-per-byte as ratios of sums with a seeded bootstrap. `docs[i]` holds the records of
// instance i, in the order ScoreInstance returned them.
nlohmann::ordered_json Aggregate(const PreparedTask& task,
                                 const std::vector<std::vector<ScoredDoc>>& docs,
                                 uint64_t bootstrap_seed, int bootstrap_resamples = 10000);

}  // namespace kaieval::bench
