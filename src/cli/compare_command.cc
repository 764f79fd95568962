// `kaieval compare RUN_A RUN_B`: two models on the same items, task by task: the difference in
// a metric with its paired standard error and 95% interval, from the runs' samples files.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "kaieval/common/error.h"
#include "kaieval/stats/paired.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot read", path.string()));
  json j = json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("results")) {
    throw InputError(fmt::format("{}: not a kaieval results file", path.string()));
  }
  return j;
}

// doc_hash -> metric value for one task and filter, from the samples file beside the results.
std::map<std::string, double> ReadSamples(const fs::path& results_file, const json& results,
                                          const std::string& task, const std::string& metric,
                                          const std::string& filter) {
  if (!results.contains("samples_files") || !results["samples_files"].contains(task)) {
    throw InputError(fmt::format("{}: no samples for task '{}' (run with --log-samples)",
                                 results_file.string(), task));
  }
  fs::path file = results_file.parent_path() / results["samples_files"][task].get<std::string>();
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("{}: cannot read", file.string()));
  std::map<std::string, double> values;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    json s = json::parse(line, nullptr, false);
    if (!s.is_object() || !s.contains("doc_hash")) {
      throw InputError(fmt::format("{}:{}: not a sample record", file.string(), n));
    }
    if (s.value("filter", "none") != filter || !s.contains(metric) || !s[metric].is_number()) continue;
    values[s["doc_hash"].get<std::string>() + "#" + std::to_string(s["doc_id"].get<int64_t>())] =
        s[metric].get<double>();
  }
  return values;
}

void Compare(const std::string& path_a, const std::string& path_b, const std::string& only_task,
             const std::string& only_metric) {
  json a = ReadJson(path_a), b = ReadJson(path_b);
  std::string model_a = a["config"].value("model_name", "A"), model_b = b["config"].value("model_name", "B");
  std::printf("%-22s %-16s %-14s %8s %8s %9s %8s %21s %6s\n", "task", "metric", "filter", model_a.substr(0, 8).c_str(),
              model_b.substr(0, 8).c_str(), "diff", "paired", "95% CI", "n");
  size_t rows = 0;
  for (const auto& [task, values] : a["results"].items()) {
    if (!only_task.empty() && task != only_task) continue;
    if (!b["results"].contains(task)) continue;
    for (const auto& [key, value] : values.items()) {
      size_t comma = key.find(',');
      if (comma == std::string::npos || key.find("_stderr,") != std::string::npos) continue;
      std::string metric = key.substr(0, comma), filter = key.substr(comma + 1);
      if (!only_metric.empty() && metric != only_metric) continue;
      auto sa = ReadSamples(path_a, a, task, metric, filter);
      auto sb = ReadSamples(path_b, b, task, metric, filter);
      std::vector<double> xa, xb;
      for (const auto& [doc, v] : sa) {
        auto it = sb.find(doc);
        if (it == sb.end()) continue;
        xa.push_back(v);
        xb.push_back(it->second);
      }
      if (xa.empty()) continue;  // not a per-document mean (e.g. perplexity)
      auto d = stats::ComparePaired(xa, xb);
      std::printf("%-22s %-16s %-14s %8.4f %8.4f %+9.4f %8.4f [%+8.4f, %+8.4f] %6zu\n", task.c_str(),
                  metric.c_str(), filter.c_str(), d.mean_a, d.mean_b, d.difference, d.stderr_,
                  d.ci_low, d.ci_high, d.n);
      ++rows;
    }
  }
  if (rows == 0) throw InputError("compare: the two runs share no task and per-document metric");
}

}  // namespace

void RegisterCompareCommand(CLI::App& app) {
  auto a = std::make_shared<std::string>(), b = std::make_shared<std::string>();
  auto task = std::make_shared<std::string>(), metric = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Paired difference between two runs on the same items (results JSON files)");
  cmd->add_option("run_a", *a, "Results JSON of model A")->required();
  cmd->add_option("run_b", *b, "Results JSON of model B")->required();
  cmd->add_option("--task", *task, "Only this task");
  cmd->add_option("--metric", *metric, "Only this metric");
  cmd->callback([=] { Compare(*a, *b, *task, *metric); });
}

}  // namespace kaieval::cli
