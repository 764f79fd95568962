// `kaieval run`: lm-evaluation-harness style benchmark runs. Loads the tasks, sends every
// request through the ModelClient and its cache, prints a table with standard errors and
// writes results JSON and samples under --output-path.
#include <fmt/format.h>

#include <cstdio>
#include <sstream>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "cli/results_table.h"
#include "kaieval/bench/runner.h"
#include "kaieval/common/error.h"

namespace kaieval::cli {
namespace {

struct RunCommandOptions {
  ModelOptions model;
  std::string tasks;
  std::vector<std::string> include_paths = {"tasks"};
  int num_fewshot = -1;
  size_t limit = 0;
  std::string output_path;
  bool log_samples = false;
  std::string store;
  uint64_t seed = 1234;
  int bootstrap_iters = 10000;
  bool quiet = false;
  bool sandbox_process_only = false;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void Run(const RunCommandOptions& o) {
  model::ModelSpec spec = BuildModelSpec(o.model);
  auto cache = OpenCache(o.model);
  std::vector<std::filesystem::path> dirs(o.include_paths.begin(), o.include_paths.end());
  auto names = SplitComma(o.tasks);
  if (names.empty()) throw InputError("--tasks: give at least one task name or YAML file");

  bench::RunOptions r;
  r.task_files = bench::ResolveTaskFiles(names, dirs);
  r.prepare.num_fewshot = o.num_fewshot;
  r.prepare.limit = o.limit;
  r.seed = o.seed;
  r.bootstrap_resamples = o.bootstrap_iters;
  r.output_path = o.output_path;
  r.log_samples = o.log_samples;
  r.store_path = o.store;
  r.show_progress = !o.quiet;
  r.sandbox_allow_process_only = o.sandbox_process_only;
  r.model_type = o.model.type;
  r.model_args = o.model.file.empty() ? o.model.args : "file=" + o.model.file;
  r.cache = cache.get();
  model::ModelClient client(spec, cache.get());
  auto run = bench::RunEvaluation(r, client);
  std::fputs(FormatResultsTable(run.results).c_str(), stdout);
  if (!run.results_file.empty()) {
    std::fprintf(stderr, "kaieval: results written to %s\n", run.results_file.string().c_str());
  }
}

}  // namespace

void RegisterRunCommand(CLI::App& app) {
  auto o = std::make_shared<RunCommandOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run benchmark tasks against a model");
  AddModelOptions(*cmd, o->model);
  cmd->add_option("--tasks", o->tasks, "Comma-separated task names, groups or YAML files")
      ->required();
  cmd->add_option("--include-path", o->include_paths, "Folders searched for task YAML files")
      ->capture_default_str();
  cmd->add_option("--num-fewshot", o->num_fewshot, "Few-shot examples (default: the task's)");
  cmd->add_option("--limit", o->limit, "Only the first N documents of each task");
  cmd->add_option("--output-path", o->output_path, "Folder for results JSON and samples");
  cmd->add_flag("--log-samples", o->log_samples, "Write per-document samples JSONL");
  cmd->add_flag("--sandbox-process-only", o->sandbox_process_only,
               "Where user namespaces are unavailable (a container, a chroot), run pass@k programs "
               "with the weaker process-only isolation (docs/sandbox.md); the results record it");
  cmd->add_option("--store", o->store, "Campaign evidence store (SQLite): runs and samples are appended");
  cmd->add_option("--seed", o->seed, "Seed for few-shot sampling and bootstrap")
      ->capture_default_str();
  cmd->add_option("--bootstrap-iters", o->bootstrap_iters, "Bootstrap resamples")
      ->capture_default_str()
      ->check(CLI::Range(100, 1000000));
  cmd->add_flag("--quiet", o->quiet, "No progress bar");
  cmd->callback([o] { Run(*o); });
}

}  // namespace kaieval::cli
