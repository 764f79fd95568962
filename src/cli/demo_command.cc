// `kaieval demo`: the embedded-default job. It starts the built-in reference models on loopback
// (real HTTP, real logprobs), asks each a multiple-choice set by loglikelihood through the
// ModelClient and its cache, and writes results with error bars. Later issues grow it into the
// full stage campaign.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"
#include "kaieval/common/progress.h"
#include "kaieval/common/utf8.h"
#include "kaieval/common/version.h"
#include "kaieval/model/model_client.h"
#include "kaieval/model/refmodel/model_registry.h"
#include "kaieval/model/refmodel/refmodel_config.h"
#include "kaieval/model/refmodel/refmodel_server.h"

namespace kaieval::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct DemoOptions {
  std::string refmodel_config = "examples/refmodel/models.yaml";
  std::string items = "examples/demo/facts_mc.jsonl";
  std::string out = "out/demo";
  int concurrency = 32;
};

struct Item {
  std::string id;
  std::string context;
  std::vector<std::string> choices;
  size_t gold = 0;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot read", path));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The demo set: JSONL lines {"id", "context", "choices": [..], "gold": index}.
std::vector<Item> ParseItems(const std::string& path, const std::string& text) {
  std::vector<Item> items;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string where = fmt::format("{}:{}", path, line_no);
    json doc = json::parse(line, nullptr, false);
    if (!doc.is_object()) throw InputError(where + ": expected a JSON object");
    Item item;
    if (!doc.contains("id") || !doc["id"].is_string()) throw InputError(where + ": 'id' must be a string");
    if (!doc.contains("context") || !doc["context"].is_string() || doc["context"].empty()) {
      throw InputError(where + ": 'context' must be a non-empty string");
    }
    if (!doc.contains("choices") || !doc["choices"].is_array() || doc["choices"].size() < 2) {
      throw InputError(where + ": 'choices' must be a list of at least two strings");
    }
    item.id = doc["id"];
    item.context = doc["context"];
    for (const auto& c : doc["choices"]) {
      if (!c.is_string() || c.get<std::string>().empty()) {
        throw InputError(where + ": each of 'choices' must be a non-empty string");
      }
      item.choices.push_back(c);
    }
    if (!doc.contains("gold") || !doc["gold"].is_number_unsigned() ||
        doc["gold"].get<size_t>() >= item.choices.size()) {
      throw InputError(where + ": 'gold' must be an index into 'choices'");
    }
    item.gold = doc["gold"];
    items.push_back(std::move(item));
  }
  if (items.empty()) throw InputError(path + ": no items");
  return items;
}

struct Score {
  double mean = 0;
  double stderr_ = 0;  // standard error of the mean (sample standard deviation / sqrt(n))
};

Score MeanWithStderr(const std::vector<double>& xs) {
  Score s;
  double n = static_cast<double>(xs.size());
  for (double x : xs) s.mean += x;
  s.mean /= n;
  if (xs.size() > 1) {
    double ss = 0;
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.stderr_ = std::sqrt(ss / (n - 1) / n);
  }
  return s;
}

size_t ArgMax(const std::vector<double>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Scores one model on every item; writes its samples and returns its entry of results.json.
json EvaluateModel(const std::string& name, const std::string& base_url,
                   const std::vector<Item>& items, const DemoOptions& o,
                   model::ResponseCache& cache) {
  model::ModelSpec spec = model::ParseModelArgs(
      "openai", fmt::format("model={},base_url={},concurrency={}", name, base_url, o.concurrency));
  model::ModelClient client(spec, &cache);
  std::vector<model::LoglikelihoodRequest> requests;
  for (const auto& item : items) {
    for (const auto& c : item.choices) requests.push_back({item.context, c});
  }
  ProgressBar bar(fmt::format("{:<14}", name), requests.size());
  auto results = client.Loglikelihood(requests, &bar);
  bar.Finish();

  std::vector<double> acc, acc_norm;
  std::ofstream samples(fs::path(o.out) / fmt::format("samples_{}.jsonl", name));
  size_t k = 0;
  for (const auto& item : items) {
    std::vector<double> lp, lp_norm;
    json choices = json::array();
    for (const auto& c : item.choices) {
      const auto& r = results[k++];
      lp.push_back(r.logprob);
      lp_norm.push_back(r.logprob / static_cast<double>(CodePointCount(c)));
      choices.push_back({{"text", c}, {"logprob", r.logprob}, {"is_greedy", r.is_greedy}});
    }
    acc.push_back(ArgMax(lp) == item.gold ? 1.0 : 0.0);
    acc_norm.push_back(ArgMax(lp_norm) == item.gold ? 1.0 : 0.0);
    samples << json{{"id", item.id}, {"context", item.context}, {"gold", item.gold},
                    {"choices", choices}, {"acc", acc.back()}, {"acc_norm", acc_norm.back()}}
                   .dump()
            << '\n';
  }
  Score a = MeanWithStderr(acc), an = MeanWithStderr(acc_norm);
  return {{"model", name},
          {"acc", a.mean},
          {"acc_stderr", a.stderr_},
          {"acc_norm", an.mean},
          {"acc_norm_stderr", an.stderr_},
          {"n", items.size()},
          {"requests_sent", client.stats().requests_sent},
          {"cache_hits", client.stats().cache_hits}};
}

void PrintTable(const json& models) {
  std::printf("\n%-16s %18s %18s %8s\n", "model", "acc (95% CI)", "acc_norm (95% CI)", "cached");
  for (const auto& m : models) {
    auto cell = [&](const char* key) {
      double v = m[key], se = m[std::string(key) + "_stderr"];
      return fmt::format("{:.3f} ± {:.3f}", v, 1.96 * se);
    };
    std::printf("%-16s %18s %18s %8s\n", m["model"].get<std::string>().c_str(),
                cell("acc").c_str(), cell("acc_norm").c_str(),
                fmt::format("{}/{}", m["cache_hits"].get<uint64_t>(),
                            m["cache_hits"].get<uint64_t>() + m["requests_sent"].get<uint64_t>())
                    .c_str());
  }
}

void Run(const DemoOptions& o) {
  std::string items_text = ReadFile(o.items);
  std::vector<Item> items = ParseItems(o.items, items_text);
  fs::create_directories(o.out);

  std::fprintf(stderr, "kaieval demo: training the reference models from %s\n",
               o.refmodel_config.c_str());
  auto config = refmodel::LoadRefmodelConfig(o.refmodel_config);
  refmodel::CompletionEngine engine(refmodel::ModelRegistry::Train(config));
  std::vector<std::string> names;
  for (const auto& m : engine.models().models()) names.push_back(m.name);
  refmodel::ServerOptions server_options;
  server_options.port = 0;
  refmodel::RefmodelServer server(std::move(engine), server_options);
  int port = server.Start();
  std::string base_url = fmt::format("http://127.0.0.1:{}/v1", port);
  std::fprintf(stderr, "kaieval demo: %zu reference models at %s; %zu items from %s\n",
               names.size(), base_url.c_str(), items.size(), o.items.c_str());

  model::ResponseCache cache((fs::path(o.out) / "cache.db").string(), model::CacheMode::kOn);
  json models = json::array();
  for (const auto& name : names) models.push_back(EvaluateModel(name, base_url, items, o, cache));
  server.Stop();

  std::stable_sort(models.begin(), models.end(),
                   [](const json& a, const json& b) { return a["acc"] > b["acc"]; });
  json results = {{"kaieval_version", kVersion},
                  {"git_commit", kGitCommit},
                  {"job", "demo: multiple choice by loglikelihood against the reference models"},
                  {"items", {{"path", o.items}, {"n", items.size()},
                             {"content_hash", ContentHash(items_text)}}},
                  {"refmodel_config", o.refmodel_config},
                  {"models", models}};
  std::ofstream(fs::path(o.out) / "results.json") << results.dump(2) << '\n';
  PrintTable(models);
  std::printf("\nresults: %s/results.json, samples: %s/samples_<model>.jsonl\n", o.out.c_str(),
              o.out.c_str());
}

}  // namespace

void RegisterDemoCommand(CLI::App& app) {
  auto opts = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the embedded-default job against the built-in reference models");
  cmd->add_option("--refmodel-config", opts->refmodel_config, "Reference models YAML")
      ->capture_default_str();
  cmd->add_option("--items", opts->items, "Multiple-choice JSONL set")->capture_default_str();
  cmd->add_option("--out", opts->out, "Output folder")->capture_default_str();
  cmd->add_option("--concurrency", opts->concurrency, "Requests in flight per model")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->callback([opts] { Run(*opts); });
}

}  // namespace kaieval::cli
