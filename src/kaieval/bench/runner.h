// The benchmark runner behind `kaieval run`: prepares every task, sends all their requests to
// the model through one queue per endpoint (so the server stays saturated), scores, aggregates,
// and writes the results JSON and per-task samples in lm-evaluation-harness's layout.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/bench/evaluator.h"
#include "kaieval/model/model_client.h"

namespace kaieval::bench {

struct RunOptions {
  std::vector<std::filesystem::path> task_files;
  PrepareOptions prepare;
  uint64_t seed = 1234;               // bootstrap and few-shot sampling
  int bootstrap_resamples = 10000;
  std::filesystem::path output_path;  // empty: write nothing
  bool log_samples = false;
  // The campaign's evidence store (SQLite file): the run, its samples and its results are
  // appended there too. Empty: no store.
  std::string store_path;
  bool show_progress = true;
  // Recorded in results["config"]; model_args never hold a key (keys come from the environment).
  std::string model_type;
  std::string model_args;
  // The response cache for the judges and baselines that judged tasks name (may be null).
  model::ResponseCache* cache = nullptr;
  // pass_at_k tasks: programs run at once in the sandbox (0: one per core), and whether a
  // machine without user namespaces may run them with the weaker process-only isolation.
  int code_concurrency = 0;
  bool sandbox_allow_process_only = false;
};

struct TaskOutcome {
  PreparedTask task;  // its instances are emptied as they are scored
  nlohmann::ordered_json results;
  std::filesystem::path samples_file;
};

struct RunOutcome {
  nlohmann::ordered_json results;  // the whole results JSON
  std::vector<TaskOutcome> tasks;
  std::filesystem::path results_file;  // empty when nothing was written
};

RunOutcome RunEvaluation(const RunOptions& options, model::ModelClient& client);

// The text before the scored text of a loglikelihood_rolling document: the API gives no logprob
// for the first echoed token, so every document is scored after this fixed prefix.
inline constexpr const char* kRollingPrefix = "\n";

// One samples JSONL line per (instance, filter), as lm-evaluation-harness logs them.
nlohmann::ordered_json SampleRecord(const PreparedTask& task, const Instance& instance,
                                    const ScoredDoc& scored);

}  // namespace kaieval::bench
