// `kaieval demo`: the embedded-default job. It starts the built-in reference models on loopback
// (real HTTP, real logprobs), runs the built-in tasks against each of them through the
// ModelClient and its cache, and prints one table of scores with 95% intervals. Later issues
// grow it into the full stage campaign.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli/commands.h"
#include "kaieval/bench/runner.h"
#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"
#include "demo_contest.h"
#include "demo_stage.h"
#include "embedded_refmodel.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct DemoOptions {
  std::string refmodel_config = "examples/refmodel/models.yaml";
  std::string contest_config = "examples/contest/contest.yaml";
  std::string stage_config = "examples/stage/demo-stage.yaml";
  std::string tasks_dir = "tasks";
  std::string tasks = "kaieval_demo";
  std::string out = "out/demo";
  int concurrency = 32;
  bool quiet = false;
};

// Three decimals for scores; three significant digits for the large (perplexity) ones.
std::string Short(double x) {
  return std::abs(x) < 100 ? fmt::format("{:.3f}", x) : fmt::format("{:.3g}", x);
}

// Rows: task and metric (with filter); columns: models; cells: value ± 1.96 stderr.
void PrintTable(const std::vector<std::string>& models, const std::vector<ordered_json>& runs) {
  std::map<std::string, std::map<std::string, std::string>> cells;
  std::vector<std::string> rows;
  for (size_t m = 0; m < runs.size(); ++m) {
    for (const auto& [task, values] : runs[m]["results"].items()) {
      for (const auto& [key, value] : values.items()) {
        size_t comma = key.find(',');
        if (comma == std::string::npos || key.find("_stderr,") != std::string::npos) continue;
        std::string row = fmt::format("{} {}", task, key);
        std::string se_key = key.substr(0, comma) + "_stderr" + key.substr(comma);
        if (!cells.count(row)) rows.push_back(row);
        cells[row][models[m]] = fmt::format("{} ± {}", Short(value.get<double>()),
                                            Short(1.96 * values.value(se_key, 0.0)));
      }
    }
  }
  std::printf("\n%-44s", "task metric,filter  (value ± 95% CI)");
  for (const auto& m : models) std::printf(" %19s", m.c_str());
  std::printf("\n");
  for (const auto& row : rows) {
    std::printf("%-44s", row.c_str());
    for (const auto& m : models) std::printf(" %19s", cells[row][m].c_str());
    std::printf("\n");
  }
}

void Run(const DemoOptions& o) {
  fs::create_directories(o.out);
  EmbeddedRefmodel refmodel = StartEmbeddedRefmodel(o.refmodel_config, "kaieval demo");
  const std::vector<std::string>& names = refmodel.names;
  const std::string& base_url = refmodel.base_url;

  model::ResponseCache cache((fs::path(o.out) / "cache.db").string(), model::CacheMode::kOn);
  bench::RunOptions r;
  r.task_files = bench::ResolveTaskFiles({o.tasks}, {fs::path(o.tasks_dir)});
  r.output_path = fs::path(o.out) / "runs";
  r.log_samples = true;
  r.store_path = (fs::path(o.out) / "campaign.db").string();
  r.show_progress = !o.quiet;
  r.model_type = "openai";
  std::vector<ordered_json> runs;
  for (const auto& name : names) {
    r.model_args =
        fmt::format("model={},base_url={},concurrency={},revision={}", name, base_url,
                    o.concurrency, refmodel.revision);
    model::ModelClient client(model::ParseModelArgs("openai", r.model_args), &cache);
    runs.push_back(bench::RunEvaluation(r, client).results);
  }
  PrintTable(names, runs);
  RunDemoContest(o.contest_config, base_url, o.out);
  RunDemoStage(o.stage_config, o.out);
  refmodel.server->Stop();
  std::printf("\nresults and samples: %s/runs/<model>/; evidence store: %s/campaign.db\n",
              o.out.c_str(), o.out.c_str());
}

}  // namespace

void RegisterDemoCommand(CLI::App& app) {
  auto opts = std::make_shared<DemoOptions>();
  CLI::App* cmd =
      app.add_subcommand("demo", "Run the built-in tasks against the built-in reference models");
  cmd->add_option("--refmodel-config", opts->refmodel_config, "Reference models YAML")
      ->capture_default_str();
  cmd->add_option("--contest-config", opts->contest_config, "Contest config (simulated voters)")
      ->capture_default_str();
  cmd->add_option("--stage-config", opts->stage_config, "Stage config (simulated experts)")
      ->capture_default_str();
  cmd->add_option("--include-path", opts->tasks_dir, "Folder of task YAML files")
      ->capture_default_str();
  cmd->add_option("--tasks", opts->tasks, "Task or group to run")->capture_default_str();
  cmd->add_option("--out", opts->out, "Output folder")->capture_default_str();
  cmd->add_option("--concurrency", opts->concurrency, "Requests in flight per model")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--quiet", opts->quiet, "No progress bars");
  cmd->callback([opts] { Run(*opts); });
}

}  // namespace kaieval::cli
