// TaskSpec: one benchmark task as its YAML file declares it, with lm-evaluation-harness field
// names (task, dataset_path, test_split, doc_to_text, output_type, metric_list, ...), after
// `include` is resolved and every field is checked. The runner and `kaieval tasks` load these.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/bench/dataset.h"
#include "kaieval/bench/filters.h"
#include "kaieval/bench/judge_spec.h"
#include "kaieval/bench/metrics.h"
#include "kaieval/bench/process_docs.h"
#include "kaieval/bench/template.h"

namespace kaieval::bench {

struct FewshotConfig {
  std::string sampler = "first_n";  // first_n or random
  uint64_t seed = 1234;
};

struct GenerationKwargs {
  std::vector<std::string> until;
  int max_gen_toks = 256;
  double temperature = 0;
  bool do_sample = false;
};

struct TaskSpec {
  std::string name;
  std::vector<std::string> groups;  // tag and group, for grouped aggregates
  std::filesystem::path file;       // the YAML file
  std::filesystem::path base_dir;   // its folder: relative data paths resolve here
  std::string dataset_path;
  std::optional<DataFormat> dataset_format;
  std::string test_split;
  std::string fewshot_split;
  std::vector<ProcessStep> process_docs;
  PromptTemplate doc_to_text;
  PromptTemplate doc_to_target;
  // Either one template naming a list column, or a list of templates (one per choice).
  std::optional<PromptTemplate> doc_to_choice_column;
  std::vector<PromptTemplate> doc_to_choice_list;
  std::string description;
  int num_fewshot = 0;
  FewshotConfig fewshot_config;
  std::string target_delimiter = " ";
  std::string fewshot_delimiter = "\n\n";
  OutputType output_type = OutputType::kGenerateUntil;
  GenerationKwargs generation_kwargs;
  std::vector<FilterPipeline> filters;
  std::vector<MetricSpec> metrics;  // pass_at_k expanded: one "pass@<k>" per k
  int repeats = 1;                   // generations per document (pass_at_k needs k <= repeats)
  bool apply_chat_template = false;
  // A judged task (judge-graded, safety or bias suite): its `judge:` section (judge_spec.h).
  std::optional<JudgeSpec> judge;
  nlohmann::ordered_json metadata;
  // The merged YAML as JSON: recorded in the results' "configs" and hashed into the version.
  nlohmann::ordered_json resolved;

  bool has_choices() const { return doc_to_choice_column || !doc_to_choice_list.empty(); }
  // Generations graded after the fact (judge, rule or bias scorer) rather than by metric_list.
  bool judged_generation() const { return judge && judge->type != JudgeType::kBias; }
  // The first pass_at_k metric's options, or null: the task runs its generations as code.
  const CodeMetricOptions* code_metric() const;
};

// Reads, merges `include`s (relative to the including file; the including file's keys win)
// and checks the task file. Throws InputError naming the file, line and field.
TaskSpec LoadTaskSpec(const std::filesystem::path& file);

// Finds tasks by name or path: each entry of `names` is a YAML path, or a task name looked up
// in the *.yaml files under `task_dirs` (searched recursively). Throws InputError listing
// close names when one is unknown.
std::vector<std::filesystem::path> ResolveTaskFiles(const std::vector<std::string>& names,
                                                    const std::vector<std::filesystem::path>& task_dirs);

// Every task YAML under the folders (files that declare `task:`), sorted by task name.
std::vector<TaskSpec> ListTasks(const std::vector<std::filesystem::path>& task_dirs);

}  // namespace kaieval::bench
