#include "kaieval/bench/runner.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <fstream>
#include <map>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"
#include "kaieval/common/progress.h"
#include "kaieval/common/version.h"
#include "kaieval/bench/judged_task.h"
#include "kaieval/judge/sandbox/sandbox.h"
#include "kaieval/stats/standard_error.h"
#include "kaieval/store/evidence_store.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// One instance of one task in a window of requests.
struct WindowItem {
  size_t task, instance;
};

// Where each answer goes: task t, instance i, slot k (choice index, or 0).
struct Slot {
  size_t task, instance, index;
};

ordered_json Arguments(const PreparedTask& task, const Instance& in) {
  const TaskSpec& spec = task.spec;
  switch (spec.output_type) {
    case OutputType::kMultipleChoice: {
      ordered_json args = ordered_json::array();
      for (const auto& c : in.choices) args.push_back({in.context, spec.target_delimiter + c});
      return args;
    }
    case OutputType::kGenerateUntil: {
      ordered_json kwargs = {{"until", spec.generation_kwargs.until},
                             {"max_gen_toks", spec.generation_kwargs.max_gen_toks},
                             {"temperature", spec.generation_kwargs.temperature}};
      if (!in.turns.empty()) return ordered_json::array({{in.turns, kwargs}});  // judged: turns
      if (!in.messages.empty()) {
        ordered_json msgs = ordered_json::array();
        for (const auto& m : in.messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
        return ordered_json::array({{msgs, kwargs}});
      }
      return ordered_json::array({{in.context, kwargs}});
    }
    case OutputType::kLoglikelihoodRolling:
      return ordered_json::array({{in.rolling_text}});
  }
  return nullptr;
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  return fmt::format("{:%Y-%m-%dT%H-%M-%S}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)));
}

std::string SafeName(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return s;
}

// Groups: subtask aggregates pooled, weighted by size (lm-evaluation-harness's pooled stderr).
void AddGroups(const std::vector<TaskOutcome>& tasks, ordered_json& out) {
  std::map<std::string, std::vector<const TaskOutcome*>> groups;
  for (const auto& t : tasks) {
    for (const auto& g : t.task.spec.groups) groups[g].push_back(&t);
  }
  if (groups.empty()) return;
  out["groups"] = ordered_json::object();
  out["group_subtasks"] = ordered_json::object();
  for (const auto& [group, members] : groups) {
    ordered_json g = {{"alias", group}};
    ordered_json names = ordered_json::array();
    for (const auto* m : members) names.push_back(m->task.spec.name);
    // Each metric pools over the subtasks that report it, as lm-evaluation-harness does.
    std::vector<std::string> keys;
    for (const auto* m : members) {
      for (const auto& [key, value] : m->results.items()) {
        if (key.find(',') == std::string::npos || key.find("_stderr,") != std::string::npos) continue;
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
      }
    }
    for (const auto& key : keys) {
      size_t comma = key.find(',');
      std::string se_key = key.substr(0, comma) + "_stderr" + key.substr(comma);
      std::vector<stats::Estimate> parts;
      for (const auto* m : members) {
        if (!m->results.contains(key) || !m->results.contains(se_key)) continue;
        parts.push_back({m->results[key].get<double>(), m->results[se_key].get<double>(),
                         m->task.instances.size()});
      }
      if (parts.empty()) continue;  // no member reports a standard error for it (e.g. a grade)
      auto pooled = stats::PooledGroupEstimate(parts);
      g[key] = pooled.value;
      g[se_key] = pooled.stderr_;
    }
    out["groups"][group] = g;
    out["group_subtasks"][group] = names;
  }
}

}  // namespace

ordered_json SampleRecord(const PreparedTask& task, const Instance& in, const ScoredDoc& s) {
  ordered_json args = Arguments(task, in);
  ordered_json target;
  switch (task.spec.output_type) {
    case OutputType::kMultipleChoice: target = in.gold; break;
    case OutputType::kGenerateUntil: target = in.target; break;
    case OutputType::kLoglikelihoodRolling: target = ""; break;
  }
  ordered_json r = {{"doc_id", in.doc_id},
                    {"doc", in.doc.fields},
                    {"target", target},
                    {"arguments", args},
                    {"resps", s.resps},
                    {"filtered_resps", s.filtered_resps},
                    {"filter", s.filter},
                    {"metrics", ordered_json::array()}};
  for (const auto& [name, value] : s.metrics.items()) {
    r["metrics"].push_back(name);
    r[name] = value;
  }
  if (!s.judge.is_null()) r["judge"] = s.judge;
  if (!s.execution.is_null()) r["execution"] = s.execution;
  r["doc_hash"] = ContentHash(Dump(in.doc.fields));
  r["prompt_hash"] = ContentHash(Dump(args));
  return r;
}

namespace {

// Requests per window: enough to keep any in-flight window of the client busy between
// windows, few enough that a window's prompts and records stay small.
constexpr size_t kWindowRequests = 16384;

size_t RequestsOf(const PreparedTask& task, const Instance& in) {
  if (!in.turns.empty()) return in.turns.size();
  switch (task.spec.output_type) {
    case OutputType::kMultipleChoice: return in.choices.size();
    case OutputType::kGenerateUntil: return static_cast<size_t>(task.spec.repeats);
    case OutputType::kLoglikelihoodRolling: return 1;
  }
  return 1;
}

// The last lines of a failed program's stderr: enough for the assertion or the exception.
std::string Tail(const std::string& text, size_t max_bytes = 600) {
  if (text.size() <= max_bytes) return text;
  size_t from = text.size() - max_bytes;
  size_t line = text.find('\n', from);
  return line == std::string::npos ? text.substr(from) : text.substr(line + 1);
}

CodeRun ToCodeRun(const sandbox::RunResult& r) {
  CodeRun run;
  run.passed = r.succeeded();
  run.exit_code = r.exit_code;
  run.seconds = r.wall_seconds;
  if (run.passed) {
    run.status = "passed";
  } else if (r.termination == sandbox::Termination::kExited) {
    run.status = "failed";
  } else {
    run.status = std::string(sandbox::TerminationName(r.termination));
  }
  if (!run.passed) run.stderr_tail = Tail(r.stderr_text);
  return run;
}

// Runs the programs of every pass_at_k instance of the window in the sandbox, all at once on
// `concurrency` threads, and files each instance's results in its answers.
void RunCode(const std::vector<TaskOutcome>& tasks, const std::vector<WindowItem>& window,
             std::vector<Answers>& answers, const sandbox::Sandbox& box, int concurrency) {
  std::vector<sandbox::Program> programs;
  std::vector<std::pair<size_t, size_t>> owner;  // window index, program count
  for (size_t w = 0; w < window.size(); ++w) {
    const PreparedTask& task = tasks[window[w].task].task;
    const CodeMetricOptions* code = task.spec.code_metric();
    if (code == nullptr) continue;
    sandbox::Limits limits;
    limits.wall_seconds = code->timeout_seconds;
    limits.cpu_seconds = std::max(1, static_cast<int>(std::ceil(code->timeout_seconds)));
    auto sources = CodePrograms(task, task.instances[window[w].instance], answers[w]);
    owner.push_back({w, sources.size()});
    for (auto& source : sources) programs.push_back(sandbox::PythonProgram(std::move(source), limits));
  }
  if (programs.empty()) return;
  std::vector<sandbox::RunResult> results = sandbox::RunAll(box, programs, concurrency);
  size_t next = 0;
  for (const auto& [w, count] : owner) {
    for (size_t i = 0; i < count; ++i) answers[w].code_runs.push_back(ToCodeRun(results[next++]));
  }
}

// Sends the requests of instances [begin, end) of every task in `window` through one queue per
// endpoint and returns their answers, window[k] -> answers of its instances.

std::vector<Answers> SendWindow(const std::vector<TaskOutcome>& tasks,
                                const std::vector<WindowItem>& window, uint64_t seed,
                                model::ModelClient& client, ProgressBar& bar) {
  std::vector<Answers> answers(window.size());
  std::vector<model::LoglikelihoodRequest> ll;
  std::vector<model::CompletionRequest> completions;
  std::vector<model::ChatRequest> chats;
  std::vector<Slot> ll_slots, completion_slots, chat_slots;  // Slot.task = window index
  for (size_t w = 0; w < window.size(); ++w) {
    const PreparedTask& task = tasks[window[w].task].task;
    const TaskSpec& spec = task.spec;
    const Instance& in = task.instances[window[w].instance];
    if (spec.judged_generation()) continue;  // RunJudged sends these
    switch (spec.output_type) {
      case OutputType::kMultipleChoice:
        answers[w].loglikelihoods.resize(in.choices.size());
        for (size_t c = 0; c < in.choices.size(); ++c) {
          ll.push_back({in.context, spec.target_delimiter + in.choices[c]});
          ll_slots.push_back({w, 0, c});
        }
        break;
      case OutputType::kLoglikelihoodRolling:
        answers[w].loglikelihoods.resize(1);
        ll.push_back({kRollingPrefix, in.rolling_text});
        ll_slots.push_back({w, 0, 0});
        break;
      case OutputType::kGenerateUntil: {
        const auto& g = spec.generation_kwargs;
        answers[w].generations.resize(static_cast<size_t>(spec.repeats));
        for (int r = 0; r < spec.repeats; ++r) {
          // Each repeat samples with its own seed, so that repeats differ (and cache apart).
          std::optional<int64_t> sample_seed;
          if (g.temperature > 0) sample_seed = static_cast<int64_t>(seed) + r;
          if (!in.messages.empty()) {
            chats.push_back({in.messages, g.max_gen_toks, g.temperature, sample_seed, g.until});
            chat_slots.push_back({w, 0, static_cast<size_t>(r)});
          } else {
            completions.push_back({in.context, g.max_gen_toks, g.temperature, sample_seed, g.until});
            completion_slots.push_back({w, 0, static_cast<size_t>(r)});
          }
        }
        break;
      }
    }
  }
  if (!ll.empty()) {
    auto results = client.Loglikelihood(ll, &bar);
    for (size_t k = 0; k < results.size(); ++k) {
      answers[ll_slots[k].task].loglikelihoods[ll_slots[k].index] = results[k];
    }
  }
  if (!completions.empty()) {
    auto results = client.Complete(completions, &bar);
    for (size_t k = 0; k < results.size(); ++k) {
      answers[completion_slots[k].task].generations[completion_slots[k].index] = results[k].text;
    }
  }
  if (!chats.empty()) {
    auto results = client.Chat(chats, &bar);
    for (size_t k = 0; k < results.size(); ++k) {
      answers[chat_slots[k].task].generations[chat_slots[k].index] = results[k].text;
    }
  }
  for (auto& a : answers) {
    if (!a.generations.empty()) a.generation = a.generations.front();
  }
  return answers;
}

}  // namespace

RunOutcome RunEvaluation(const RunOptions& o, model::ModelClient& client) {
  auto started = std::chrono::steady_clock::now();
  RunOutcome run;
  for (const auto& file : o.task_files) {
    TaskOutcome t;
    PrepareOptions p = o.prepare;
    p.seed = o.seed;
    p.chat_model = client.spec().style == model::ApiStyle::kChat;
    t.task = Prepare(LoadTaskSpec(file), p);
    run.tasks.push_back(std::move(t));
  }

  std::string stamp = Timestamp();
  fs::path dir;
  if (!o.output_path.empty()) {
    dir = o.output_path / SafeName(client.spec().model);
    fs::create_directories(dir);
  }
  ordered_json config = {{"model", o.model_type},
                         {"model_args", o.model_args},
                         {"model_name", client.spec().model},
                         {"seed", o.seed},
                         {"limit", o.prepare.limit == 0 ? ordered_json(nullptr) : ordered_json(o.prepare.limit)},
                         {"num_fewshot", o.prepare.num_fewshot < 0 ? ordered_json(nullptr)
                                                                    : ordered_json(o.prepare.num_fewshot)},
                         {"bootstrap_iters", o.bootstrap_resamples}};
  std::unique_ptr<store::EvidenceStore> evidence;
  int64_t store_run = 0;
  if (!o.store_path.empty()) {
    evidence = std::make_unique<store::EvidenceStore>(o.store_path);
    store_run = evidence->BeginRun("bench", client.spec().model, config);
  }
  std::vector<std::ofstream> samples(run.tasks.size());
  size_t total = 0;
  for (size_t ti = 0; ti < run.tasks.size(); ++ti) {
    TaskOutcome& t = run.tasks[ti];
    for (const auto& in : t.task.instances) total += RequestsOf(t.task, in);
    if (!dir.empty() && o.log_samples) {
      t.samples_file = dir / fmt::format("samples_{}_{}.jsonl", SafeName(t.task.spec.name), stamp);
      samples[ti].open(t.samples_file);
      if (!samples[ti]) throw InputError(fmt::format("{}: cannot write", t.samples_file.string()));
    }
  }

  // All tasks' requests go out through one queue, a window at a time: each window is sent,
  // scored, written and dropped, so memory does not grow with the size of the tasks.
  ProgressBar bar(fmt::format("{} requests", client.spec().model), total, stderr, o.show_progress);
  std::vector<MetricAccumulator> metrics(run.tasks.size());
  // The sandbox is set up only when a task runs code (it checks the kernel's namespaces).
  std::optional<sandbox::Sandbox> code_box;
  int code_concurrency = o.code_concurrency > 0
                             ? o.code_concurrency
                             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (const auto& t : run.tasks) {
    if (t.task.spec.code_metric() != nullptr && !code_box) {
      code_box.emplace(sandbox::SandboxOptions{.allow_process_only = o.sandbox_allow_process_only});
      config["sandbox_isolation"] = std::string(sandbox::IsolationName(code_box->isolation()));
    }
  }
  std::vector<WindowItem> window;
  size_t window_requests = 0;
  JudgeClients judge_clients(o.cache);
  auto flush = [&] {
    if (window.empty()) return;
    std::vector<Answers> answers = SendWindow(run.tasks, window, o.seed, client, bar);
    // Judged tasks: their turns, then their judges, one task at a time.
    std::map<size_t, std::vector<size_t>> judged;  // task -> window positions
    for (size_t w = 0; w < window.size(); ++w) {
      if (run.tasks[window[w].task].task.spec.judged_generation()) judged[window[w].task].push_back(w);
    }
    std::vector<std::vector<ScoredDoc>> judged_scores(window.size());
    for (const auto& [ti, positions] : judged) {
      std::vector<const Instance*> instances;
      for (size_t w : positions) instances.push_back(&run.tasks[ti].task.instances[window[w].instance]);
      auto scored = RunJudged(run.tasks[ti].task, instances, client, judge_clients, o.seed, &bar);
      for (size_t k = 0; k < positions.size(); ++k) judged_scores[positions[k]] = std::move(scored[k]);
    }
    if (code_box) RunCode(run.tasks, window, answers, *code_box, code_concurrency);
    std::map<size_t, std::vector<ordered_json>> stored;  // task -> records for the store
    for (size_t w = 0; w < window.size(); ++w) {
      size_t ti = window[w].task;
      PreparedTask& task = run.tasks[ti].task;
      Instance& in = task.instances[window[w].instance];
      auto scored = task.spec.judged_generation() ? std::move(judged_scores[w])
                                                  : ScoreInstance(task, in, answers[w]);
      metrics[ti].Add(scored);
      if (samples[ti].is_open() || evidence) {
        for (const auto& s : scored) {
          ordered_json record = SampleRecord(task, in, s);
          if (samples[ti].is_open()) samples[ti] << Dump(record) << '\n';
          if (evidence) stored[ti].push_back(std::move(record));
        }
      }
      in = Instance{};  // done with it
    }
    for (const auto& [ti, records] : stored) {
      evidence->AddSamples(store_run, run.tasks[ti].task.spec.name, records);
    }
    window.clear();
    window_requests = 0;
  };
  for (size_t ti = 0; ti < run.tasks.size(); ++ti) {
    const PreparedTask& task = run.tasks[ti].task;
    for (size_t ii = 0; ii < task.instances.size(); ++ii) {
      window.push_back({ti, ii});
      window_requests += RequestsOf(task, task.instances[ii]);
      if (window_requests >= kWindowRequests) flush();
    }
  }
  flush();
  bar.Finish();

  ordered_json out = {{"results", ordered_json::object()}};
  ordered_json configs = ordered_json::object(), versions = ordered_json::object(),
               nshot = ordered_json::object(), higher = ordered_json::object(),
               nsamples = ordered_json::object(), sample_files = ordered_json::object();
  for (size_t ti = 0; ti < run.tasks.size(); ++ti) {
    TaskOutcome& t = run.tasks[ti];
    const PreparedTask& task = t.task;
    t.results = metrics[ti].Aggregate(task, o.seed, o.bootstrap_resamples);
    const std::string& name = task.spec.name;
    out["results"][name] = t.results;
    configs[name] = task.spec.resolved;
    versions[name] = task.version;
    nshot[name] = task.num_fewshot;
    higher[name] = ordered_json::object();
    for (const auto& m : task.spec.metrics) higher[name][m.info.name] = m.info.higher_is_better;
    nsamples[name] = {{"original", task.n_original}, {"effective", task.instances.size()}};
    if (!t.samples_file.empty()) sample_files[name] = t.samples_file.filename().string();
  }
  AddGroups(run.tasks, out);
  out["configs"] = configs;
  out["versions"] = versions;
  out["n-shot"] = nshot;
  out["higher_is_better"] = higher;
  out["n-samples"] = nsamples;
  if (!sample_files.empty()) out["samples_files"] = sample_files;
  config["requests_sent"] = client.stats().requests_sent;
  config["cache_hits"] = client.stats().cache_hits;
  if (evidence) config["store_run_id"] = store_run;
  out["config"] = config;
  out["git_hash"] = kGitCommit;
  out["kaieval_version"] = kVersion;
  out["date"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  out["total_evaluation_time_seconds"] = fmt::format(
      "{:.3f}", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!dir.empty()) {
    run.results_file = dir / fmt::format("results_{}.json", stamp);
    std::ofstream(run.results_file) << out.dump(2, ' ', false, ordered_json::error_handler_t::replace)
                                    << '\n';
  }
  if (evidence) evidence->FinishRun(store_run, out);
  run.results = std::move(out);
  return run;
}

}  // namespace kaieval::bench
