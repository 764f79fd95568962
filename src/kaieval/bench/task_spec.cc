#include "kaieval/bench/task_spec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

const std::set<std::string> kKnownKeys = {
    "task", "tag", "group", "include", "dataset_path", "dataset_format", "test_split",
    "fewshot_split", "validation_split", "training_split", "process_docs", "doc_to_text",
    "doc_to_target", "doc_to_choice", "description", "num_fewshot", "fewshot_config",
    "target_delimiter", "fewshot_delimiter", "output_type", "generation_kwargs", "filter_list",
    "metric_list", "metadata", "apply_chat_template", "should_decontaminate", "repeats",
    "judge"};

// lm-evaluation-harness keys that run Python or fetch from the Hub: named so that a ported
// task fails with a clear reason.
const std::set<std::string> kUnsupportedKeys = {"dataset_name", "dataset_kwargs",
                                                "process_results", "custom_dataset", "class"};

std::string Where(const fs::path& file, const YAML::Node& node, std::string_view field) {
  if (node.Mark().is_null()) return fmt::format("{}: {}", file.string(), field);
  return fmt::format("{}:{}: {}", file.string(), node.Mark().line + 1, field);
}

YAML::Node LoadYaml(const fs::path& file) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw InputError(fmt::format("{}: cannot read task file", file.string()));
  } catch (const YAML::Exception& e) {
    throw InputError(fmt::format("{}:{}: {}", file.string(), e.mark.line + 1, e.msg));
  }
}

// The file's mapping with its includes merged underneath it. `origin` records, per key, the
// file it came from, so that errors and relative paths refer to the right file.
void LoadMerged(const fs::path& file, std::vector<fs::path>& chain, YAML::Node& merged,
                std::map<std::string, fs::path>& origin) {
  if (std::find(chain.begin(), chain.end(), file) != chain.end()) {
    throw InputError(fmt::format("{}: include cycle", file.string()));
  }
  chain.push_back(file);
  YAML::Node node = LoadYaml(file);
  if (!node.IsMap()) throw InputError(fmt::format("{}: expected a mapping of task fields", file.string()));
  if (node["include"]) {
    const YAML::Node& inc = node["include"];
    if (!inc.IsScalar()) throw InputError(Where(file, inc, "include") + ": expected a file name");
    LoadMerged((file.parent_path() / inc.as<std::string>()).lexically_normal(), chain, merged,
               origin);
  }
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (key == "include") continue;
    merged[key] = kv.second;
    origin[key] = file;
  }
  chain.pop_back();
}

ordered_json ToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    ordered_json o = ordered_json::object();
    for (const auto& kv : n) o[kv.first.as<std::string>()] = ToJson(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    ordered_json a = ordered_json::array();
    for (const auto& x : n) a.push_back(ToJson(x));
    return a;
  }
  if (n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() != "!") {  // unquoted: keep numbers and booleans typed
    int64_t i;
    double d;
    bool b;
    if (YAML::convert<int64_t>::decode(n, i)) return i;
    if (YAML::convert<double>::decode(n, d)) return d;
    if (YAML::convert<bool>::decode(n, b)) return b;
  }
  return s;
}

template <typename T>
T Scalar(const YAML::Node& node, const fs::path& file, std::string_view field,
         std::string_view expected) {
  try {
    if (!node.IsScalar()) throw YAML::Exception(node.Mark(), "");
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw InputError(Where(file, node, field) + ": expected " + std::string(expected));
  }
}

OutputType ParseOutputType(const std::string& s, const std::string& where) {
  if (s == "multiple_choice") return OutputType::kMultipleChoice;
  if (s == "generate_until") return OutputType::kGenerateUntil;
  if (s == "loglikelihood_rolling") return OutputType::kLoglikelihoodRolling;
  throw InputError(fmt::format(
      "{}: expected multiple_choice, generate_until or loglikelihood_rolling, got '{}'", where, s));
}

std::vector<std::string> StringList(const YAML::Node& n, const fs::path& file,
                                    std::string_view field) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
  } else if (n.IsSequence()) {
    for (const auto& x : n) out.push_back(Scalar<std::string>(x, file, field, "a string"));
  } else {
    throw InputError(Where(file, n, field) + ": expected a string or a list of strings");
  }
  return out;
}

void ParseGeneration(const YAML::Node& n, const fs::path& file, GenerationKwargs& g) {
  if (!n.IsMap()) throw InputError(Where(file, n, "generation_kwargs") + ": expected a mapping");
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    std::string field = "generation_kwargs." + key;
    if (key == "until") {
      g.until = StringList(kv.second, file, field);
    } else if (key == "max_gen_toks") {
      g.max_gen_toks = Scalar<int>(kv.second, file, field, "a whole number");
      if (g.max_gen_toks < 1) throw InputError(Where(file, kv.second, field) + ": must be >= 1");
    } else if (key == "temperature") {
      g.temperature = Scalar<double>(kv.second, file, field, "a number");
    } else if (key == "do_sample") {
      g.do_sample = Scalar<bool>(kv.second, file, field, "true or false");
    } else {
      throw InputError(Where(file, kv.second, field) +
                       ": unknown key (expected until, max_gen_toks, temperature, do_sample)");
    }
  }
  if (!g.do_sample) g.temperature = 0;
}

void ParseFewshotConfig(const YAML::Node& n, const fs::path& file, FewshotConfig& f) {
  if (!n.IsMap()) throw InputError(Where(file, n, "fewshot_config") + ": expected a mapping");
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    if (key == "sampler") {
      f.sampler = Scalar<std::string>(kv.second, file, "fewshot_config.sampler", "a name");
      if (f.sampler != "first_n" && f.sampler != "random") {
        throw InputError(Where(file, kv.second, "fewshot_config.sampler") +
                         ": expected first_n or random");
      }
    } else if (key == "seed") {
      f.seed = Scalar<uint64_t>(kv.second, file, "fewshot_config.seed", "a whole number");
    } else {
      throw InputError(Where(file, kv.second, "fewshot_config." + key) +
                       ": unknown key (expected sampler, seed)");
    }
  }
}

}  // namespace

TaskSpec LoadTaskSpec(const fs::path& file) {
  YAML::Node y(YAML::NodeType::Map);
  std::map<std::string, fs::path> origin;
  std::vector<fs::path> chain;
  LoadMerged(file, chain, y, origin);

  TaskSpec t;
  t.file = file;
  t.base_dir = file.parent_path();
  t.resolved = ToJson(y);
  auto from = [&](const std::string& key) { return origin.count(key) ? origin[key] : file; };
  for (const auto& kv : y) {
    std::string key = kv.first.as<std::string>();
    if (kUnsupportedKeys.count(key)) {
      throw InputError(Where(from(key), kv.second, key) +
                       ": not supported (kaieval reads local files and runs no Python hooks)");
    }
    if (!kKnownKeys.count(key)) {
      throw InputError(Where(from(key), kv.second, key) + ": unknown task field");
    }
    if (kv.second.Tag() == "!function") {
      throw InputError(Where(from(key), kv.second, key) +
                       ": !function is not supported (kaieval runs no Python hooks; use a "
                       "template, a column name or process_docs)");
    }
  }
  auto require = [&](const char* key) -> const YAML::Node {
    if (!y[key]) throw InputError(fmt::format("{}: '{}' is required", file.string(), key));
    return y[key];
  };
  t.name = Scalar<std::string>(require("task"), from("task"), "task", "a task name");
  for (const char* key : {"tag", "group"}) {
    if (y[key]) {
      for (auto& g : StringList(y[key], from(key), key)) t.groups.push_back(g);
    }
  }
  if (y["dataset_path"]) {
    t.dataset_path = Scalar<std::string>(y["dataset_path"], from("dataset_path"), "dataset_path",
                                         "a file or folder");
    // A dataset path comes from the file that names it, which may be an included base file.
    t.base_dir = from("dataset_path").parent_path();
  }
  if (y["dataset_format"]) {
    std::string f = Scalar<std::string>(y["dataset_format"], from("dataset_format"),
                                        "dataset_format", "jsonl, json, csv or tsv");
    t.dataset_format = ParseDataFormat(f, Where(from("dataset_format"), y["dataset_format"],
                                                "dataset_format"));
  }
  if (y["test_split"]) {
    t.test_split = Scalar<std::string>(y["test_split"], from("test_split"), "test_split", "a file or glob");
    if (t.dataset_path.empty()) t.base_dir = from("test_split").parent_path();
  } else if (t.dataset_path.empty()) {
    throw InputError(fmt::format("{}: 'test_split' or 'dataset_path' is required", file.string()));
  }
  for (const char* key : {"fewshot_split", "validation_split", "training_split"}) {
    if (y[key] && t.fewshot_split.empty()) {
      t.fewshot_split = Scalar<std::string>(y[key], from(key), key, "a file or glob");
    }
  }
  if (y["process_docs"]) {
    t.process_docs = ParseProcessDocs(y["process_docs"], Where(from("process_docs"),
                                                               y["process_docs"], "process_docs"));
  }
  std::string ot = y["output_type"] ? Scalar<std::string>(y["output_type"], from("output_type"),
                                                          "output_type", "an output type")
                                    : "generate_until";
  t.output_type = ParseOutputType(ot, Where(from("output_type"), y["output_type"], "output_type"));

  auto tmpl = [&](const char* key, bool literal) {
    return PromptTemplate(Scalar<std::string>(y[key], from(key), key, "a template or column name"),
                          Where(from(key), y[key], key), literal);
  };
  require("doc_to_text");
  t.doc_to_text = tmpl("doc_to_text", false);
  if (y["judge"]) t.judge = ParseJudgeSpec(y["judge"], from("judge"), t.output_type);
  if (t.output_type != OutputType::kLoglikelihoodRolling && !t.judged_generation()) {
    require("doc_to_target");
    t.doc_to_target = tmpl("doc_to_target", false);
  }
  if (y["doc_to_choice"]) {
    const YAML::Node& c = y["doc_to_choice"];
    if (c.IsSequence()) {
      for (size_t i = 0; i < c.size(); ++i) {
        t.doc_to_choice_list.emplace_back(
            Scalar<std::string>(c[i], from("doc_to_choice"), "doc_to_choice", "a template"),
            Where(from("doc_to_choice"), c[i], fmt::format("doc_to_choice[{}]", i)), true);
      }
    } else {
      t.doc_to_choice_column = tmpl("doc_to_choice", false);
    }
  }
  if (t.output_type == OutputType::kMultipleChoice && !t.has_choices()) {
    throw InputError(fmt::format("{}: multiple_choice needs 'doc_to_choice'", file.string()));
  }
  if (y["description"]) {
    t.description = Scalar<std::string>(y["description"], from("description"), "description", "text");
  }
  if (y["num_fewshot"]) {
    t.num_fewshot = Scalar<int>(y["num_fewshot"], from("num_fewshot"), "num_fewshot", "a whole number");
    if (t.num_fewshot < 0) throw InputError(Where(from("num_fewshot"), y["num_fewshot"], "num_fewshot") + ": must be >= 0");
  }
  if (y["fewshot_config"]) ParseFewshotConfig(y["fewshot_config"], from("fewshot_config"), t.fewshot_config);
  if (y["target_delimiter"]) {
    t.target_delimiter = Scalar<std::string>(y["target_delimiter"], from("target_delimiter"),
                                             "target_delimiter", "text");
  }
  if (y["fewshot_delimiter"]) {
    t.fewshot_delimiter = Scalar<std::string>(y["fewshot_delimiter"], from("fewshot_delimiter"),
                                              "fewshot_delimiter", "text");
  }
  if (y["generation_kwargs"]) ParseGeneration(y["generation_kwargs"], from("generation_kwargs"), t.generation_kwargs);
  if (y["apply_chat_template"]) {
    t.apply_chat_template = Scalar<bool>(y["apply_chat_template"], from("apply_chat_template"),
                                         "apply_chat_template", "true or false");
    if (t.apply_chat_template && t.output_type != OutputType::kGenerateUntil) {
      throw InputError(Where(from("apply_chat_template"), y["apply_chat_template"],
                             "apply_chat_template") +
                       ": only generate_until tasks can use the chat endpoint (loglikelihood "
                       "needs /v1/completions)");
    }
  }
  if (y["repeats"]) {
    t.repeats = Scalar<int>(y["repeats"], from("repeats"), "repeats", "a positive integer");
    if (t.repeats < 1 || t.repeats > 10000) {
      throw InputError(Where(from("repeats"), y["repeats"], "repeats") +
                       ": expected a positive integer up to 10000");
    }
  }
  t.filters = ParseFilterList(y["filter_list"] ? y["filter_list"] : YAML::Node(),
                              Where(from("filter_list"), y["filter_list"], "filter_list"));
  if (t.judged_generation() && y["metric_list"]) {
    throw InputError(Where(from("metric_list"), y["metric_list"], "metric_list") +
                     ": a judged task reports its judge's metrics (docs/judge.md); remove it");
  }
  if (t.judged_generation()) {
    for (auto& info : JudgeMetrics(*t.judge)) t.metrics.push_back({info, {}});
  } else if (y["metric_list"]) {
    const YAML::Node& ml = y["metric_list"];
    if (!ml.IsSequence() || ml.size() == 0) {
      throw InputError(Where(from("metric_list"), ml, "metric_list") + ": expected a list");
    }
    for (size_t i = 0; i < ml.size(); ++i) {
      std::string where = Where(from("metric_list"), ml[i], fmt::format("metric_list[{}]", i));
      MetricSpec spec = ParseMetricSpec(ml[i], t.output_type, where);
      if (spec.code) {
        for (int k : spec.code->ks) {
          if (k > t.repeats) {
            throw InputError(fmt::format("{}.k: pass@{} needs at least {} generations per "
                                         "document; set repeats: {} or more (now {})",
                                         where, k, k, k, t.repeats));
          }
        }
      }
      for (auto& m : ExpandMetricSpec(spec)) t.metrics.push_back(std::move(m));
    }
  } else {
    for (auto& info : DefaultMetrics(t.output_type)) t.metrics.push_back({info, {}});
  }
  if (t.judge && t.judge->type == JudgeType::kBias) {
    for (auto& info : JudgeMetrics(*t.judge)) t.metrics.push_back({info, {}});
  }
  if (y["metadata"]) t.metadata = ToJson(y["metadata"]);
  if (t.repeats > 1 && t.code_metric() == nullptr) {
    throw InputError(Where(from("repeats"), y["repeats"], "repeats") +
                     ": more than one generation per document needs a pass_at_k metric");
  }
  return t;
}

const CodeMetricOptions* TaskSpec::code_metric() const {
  for (const auto& m : metrics) {
    if (m.code) return &*m.code;
  }
  return nullptr;
}

std::vector<TaskSpec> ListTasks(const std::vector<fs::path>& task_dirs) {
  std::vector<TaskSpec> tasks;
  for (const auto& dir : task_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml")) {
        files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      YAML::Node n = LoadYaml(f);
      if (n.IsMap() && n["task"]) tasks.push_back(LoadTaskSpec(f));
    }
  }
  std::sort(tasks.begin(), tasks.end(),
            [](const TaskSpec& a, const TaskSpec& b) { return a.name < b.name; });
  return tasks;
}

std::vector<fs::path> ResolveTaskFiles(const std::vector<std::string>& names,
                                       const std::vector<fs::path>& task_dirs) {
  std::vector<fs::path> out;
  std::vector<TaskSpec> known;
  bool listed = false;
  for (const auto& name : names) {
    fs::path p(name);
    std::error_code ec;
    if ((p.extension() == ".yaml" || p.extension() == ".yml") && fs::exists(p, ec)) {
      out.push_back(p);
      continue;
    }
    if (!listed) {
      known = ListTasks(task_dirs);
      listed = true;
    }
    std::vector<fs::path> matches;
    for (const auto& t : known) {
      bool in_group = std::find(t.groups.begin(), t.groups.end(), name) != t.groups.end();
      if (t.name == name || in_group) matches.push_back(t.file);
    }
    if (matches.empty()) {
      std::string names_known;
      for (const auto& t : known) names_known += (names_known.empty() ? "" : ", ") + t.name;
      throw InputError(fmt::format("--tasks: no task or group '{}' (known: {})", name,
                                   names_known.empty() ? "none" : names_known));
    }
    out.insert(out.end(), matches.begin(), matches.end());
  }
  return out;
}

}  // namespace kaieval::bench
