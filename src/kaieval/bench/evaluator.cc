#include "kaieval/bench/evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"
#include "kaieval/bench/judged_task.h"
#include "kaieval/judge/sandbox/code_problem.h"
#include "kaieval/judge/sandbox/pass_at_k.h"
#include "kaieval/stats/bootstrap.h"
#include "kaieval/stats/standard_error.h"

namespace kaieval::bench {
namespace {

using nlohmann::ordered_json;

std::vector<Document> LoadDocs(const TaskSpec& spec, const std::string& split) {
  std::vector<Document> docs =
      LoadSplit(spec.base_dir, spec.dataset_path, split, spec.dataset_format);
  for (auto& d : docs) ApplyProcessDocs(spec.process_docs, d);
  return docs;
}

std::vector<std::string> Choices(const TaskSpec& spec, const Document& doc) {
  std::vector<std::string> out;
  if (spec.doc_to_choice_column) {
    ordered_json v = spec.doc_to_choice_column->Evaluate(doc.fields, doc.origin);
    if (!v.is_array() || v.empty()) {
      throw InputError(fmt::format("{}: {}: expected a non-empty list of choices", doc.origin,
                                   spec.doc_to_choice_column->where()));
    }
    for (const auto& c : v) {
      if (c.is_array() || c.is_object()) {
        throw InputError(fmt::format("{}: {}: each choice must be text", doc.origin,
                                     spec.doc_to_choice_column->where()));
      }
      out.push_back(ScalarText(c));
    }
  } else {
    for (const auto& t : spec.doc_to_choice_list) out.push_back(t.Render(doc.fields, doc.origin));
  }
  return out;
}

// doc_to_target as an index into the choices: an integer, or the text of one choice, or a
// whole number written as text.
size_t GoldIndex(const TaskSpec& spec, const Document& doc, const std::vector<std::string>& choices) {
  ordered_json v = spec.doc_to_target.Evaluate(doc.fields, doc.origin);
  auto out_of_range = [&](int64_t i) {
    return InputError(fmt::format("{}: {}: target index {} is not one of the {} choices",
                                  doc.origin, spec.doc_to_target.where(), i, choices.size()));
  };
  if (v.is_number_integer() || v.is_number_unsigned()) {
    int64_t i = v.get<int64_t>();
    if (i < 0 || static_cast<size_t>(i) >= choices.size()) throw out_of_range(i);
    return static_cast<size_t>(i);
  }
  std::string text = ScalarText(v);
  auto it = std::find(choices.begin(), choices.end(), text);
  if (it != choices.end()) return static_cast<size_t>(it - choices.begin());
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() < 10) {
    int64_t i = std::stoll(text);
    if (static_cast<size_t>(i) >= choices.size()) throw out_of_range(i);
    return static_cast<size_t>(i);
  }
  throw InputError(fmt::format("{}: {}: target '{}' is neither an index nor one of the choices",
                               doc.origin, spec.doc_to_target.where(), text));
}

// What a few-shot example shows as its answer.
std::string TargetText(const TaskSpec& spec, const Document& doc) {
  if (spec.output_type == OutputType::kMultipleChoice) {
    auto choices = Choices(spec, doc);
    return choices[GoldIndex(spec, doc, choices)];
  }
  return spec.doc_to_target.Render(doc.fields, doc.origin);
}

// Indices of the few-shot examples for document `doc_id`: the first k, or k drawn without
// replacement by a generator seeded from (seed, fewshot seed, doc_id), so that each document's
// examples do not depend on the order or number of the others.
std::vector<size_t> PickFewshot(const TaskSpec& spec, size_t pool, std::optional<size_t> exclude,
                                int k, uint64_t seed, size_t doc_id) {
  std::vector<size_t> candidates;
  for (size_t i = 0; i < pool; ++i) {
    if (!exclude || i != *exclude) candidates.push_back(i);
  }
  size_t take = std::min<size_t>(static_cast<size_t>(k), candidates.size());
  if (spec.fewshot_config.sampler == "random") {
    std::mt19937_64 rng(seed ^ (spec.fewshot_config.seed * 0x9E3779B97F4A7C15ULL) ^
                        (doc_id * 0xBF58476D1CE4E5B9ULL));
    for (size_t i = 0; i < take; ++i) {
      // Unbiased draw in [i, n) without std::uniform_int_distribution, whose output differs
      // between standard libraries.
      uint64_t range = candidates.size() - i, limit = UINT64_MAX - UINT64_MAX % range, r;
      do r = rng(); while (r >= limit);
      std::swap(candidates[i], candidates[i + r % range]);
    }
  }
  candidates.resize(take);
  return candidates;
}

// The generations of an instance cut at the task's stop sequences.
std::vector<std::string> StoppedGenerations(const TaskSpec& spec, const Answers& answers) {
  std::vector<std::string> texts = answers.generations;
  if (texts.empty()) texts.push_back(answers.generation);
  for (std::string& text : texts) {
    for (const auto& stop : spec.generation_kwargs.until) {
      size_t at = stop.empty() ? std::string::npos : text.find(stop);
      if (at != std::string::npos) text.resize(at);
    }
  }
  return texts;
}

std::vector<std::string> Filtered(const FilterPipeline& pipeline,
                                  const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  for (const auto& text : texts) {
    std::vector<std::string> filtered = pipeline.Apply({text});
    out.push_back(filtered.empty() ? "" : filtered.front());
  }
  return out;
}

ordered_json CodeRunJson(const CodeRun& run) {
  return {{"passed", run.passed}, {"status", run.status}, {"exit_code", run.exit_code},
          {"seconds", run.seconds}, {"stderr_tail", run.stderr_tail}};
}

}  // namespace

std::vector<std::string> CodePrograms(const PreparedTask& task, const Instance& in,
                                      const Answers& answers) {
  const TaskSpec& spec = task.spec;
  const CodeMetricOptions* code = spec.code_metric();
  if (code == nullptr) return {};
  std::string prompt = spec.doc_to_text.Render(in.doc.fields, in.doc.origin);
  std::string check = code->check.Render(in.doc.fields, in.doc.origin);
  std::vector<std::string> texts = StoppedGenerations(spec, answers);
  std::vector<std::string> programs;
  for (const auto& pipeline : spec.filters) {
    for (const auto& completion : Filtered(pipeline, texts)) {
      programs.push_back(sandbox::BuildProgram(prompt, completion, check));
    }
  }
  return programs;
}

PreparedTask Prepare(const TaskSpec& spec, const PrepareOptions& options) {
  if (options.chat_model && spec.output_type != OutputType::kGenerateUntil) {
    throw InputError(fmt::format(
        "{}: task '{}' is {}, which needs loglikelihoods from /v1/completions; a chat-only model "
        "(local-chat-completions) cannot score it: use --model openai or local-completions",
        spec.file.string(), spec.name, OutputTypeName(spec.output_type)));
  }
  PreparedTask task;
  task.spec = spec;
  task.num_fewshot = options.num_fewshot >= 0 ? options.num_fewshot : spec.num_fewshot;
  std::vector<Document> all_docs = LoadDocs(spec, spec.test_split);
  task.n_original = all_docs.size();
  size_t n = options.limit > 0 ? std::min(options.limit, all_docs.size()) : all_docs.size();

  // Without a fewshot split, examples come from the whole test split (never the document
  // itself), so --limit does not change which examples a document gets.
  bool same_split = spec.fewshot_split.empty();
  std::vector<Document> fewshot_docs;
  if (task.num_fewshot > 0 && !same_split) fewshot_docs = LoadDocs(spec, spec.fewshot_split);
  const std::vector<Document>& pool = same_split ? all_docs : fewshot_docs;
  const std::vector<Document>& docs = all_docs;
  if (task.num_fewshot > 0 && pool.size() < static_cast<size_t>(task.num_fewshot) + same_split) {
    throw InputError(fmt::format("{}: num_fewshot {} needs more examples than the {} in {}",
                                 spec.file.string(), task.num_fewshot, pool.size(),
                                 same_split ? spec.test_split : spec.fewshot_split));
  }
  // Rendered once per pool document, then shared by every document that shows it.
  std::vector<std::optional<std::pair<std::string, std::string>>> shots(pool.size());
  auto shot = [&](size_t i) -> const std::pair<std::string, std::string>& {
    if (!shots[i]) {
      shots[i] = {spec.doc_to_text.Render(pool[i].fields, pool[i].origin),
                  TargetText(spec, pool[i])};
    }
    return *shots[i];
  };

  task.instances.reserve(n);
  for (size_t id = 0; id < n; ++id) {
    const Document& doc = docs[id];
    if (spec.judged_generation()) {
      for (auto& judged : PrepareJudgedInstances(spec, doc, task.instances.size())) {
        task.instances.push_back(std::move(judged));
      }
      continue;
    }
    Instance in;
    in.doc_id = id;
    std::string text = spec.doc_to_text.Render(doc.fields, doc.origin);
    switch (spec.output_type) {
      case OutputType::kMultipleChoice:
        in.choices = Choices(spec, doc);
        in.gold = GoldIndex(spec, doc, in.choices);
        break;
      case OutputType::kGenerateUntil:
        if (!spec.judged_generation()) in.target = spec.doc_to_target.Render(doc.fields, doc.origin);
        break;
      case OutputType::kLoglikelihoodRolling:
        in.rolling_text = text;
        break;
    }
    std::vector<size_t> picks;
    if (task.num_fewshot > 0) {
      picks = PickFewshot(spec, pool.size(), same_split ? std::optional<size_t>(id) : std::nullopt,
                          task.num_fewshot, options.seed, id);
    }
    if (spec.apply_chat_template || options.chat_model) {
      if (!spec.description.empty()) in.messages.push_back({"system", spec.description});
      for (size_t p : picks) {
        in.messages.push_back({"user", shot(p).first});
        in.messages.push_back({"assistant", shot(p).second});
      }
      in.messages.push_back({"user", text});
    } else {
      in.context = spec.description;
      for (size_t p : picks) {
        in.context += shot(p).first + spec.target_delimiter + shot(p).second + spec.fewshot_delimiter;
      }
      in.context += text;
    }
    in.doc = doc;
    task.instances.push_back(std::move(in));
  }
  task.version = ContentHash(
      {task.spec.resolved.dump(-1, ' ', false, ordered_json::error_handler_t::replace),
       HashSplitFiles(spec.base_dir, spec.dataset_path, spec.test_split),
       same_split ? std::string()
                  : HashSplitFiles(spec.base_dir, spec.dataset_path, spec.fewshot_split)});
  return task;
}

std::vector<ScoredDoc> ScoreInstance(const PreparedTask& task, const Instance& in,
                                     const Answers& answers) {
  const TaskSpec& spec = task.spec;
  std::vector<ScoredDoc> out;
  switch (spec.output_type) {
    case OutputType::kMultipleChoice: {
      ChoiceScores scores{{}, in.choices, {in.gold}};
      ScoredDoc d{"none", ordered_json::array(), ordered_json::array(), ordered_json::object()};
      for (const auto& r : answers.loglikelihoods) {
        scores.logprobs.push_back(r.logprob);
        d.resps.push_back({r.logprob, r.is_greedy});
      }
      d.filtered_resps = d.resps;
      for (const auto& m : spec.metrics) {
        if (FindMetric(m.info.name, OutputType::kMultipleChoice)) {
          d.metrics[m.info.name] = ScoreChoices(m.info, scores);
        }
      }
      if (spec.judge && spec.judge->type == JudgeType::kBias) AddBiasMetrics(spec, in, scores, d);
      out.push_back(std::move(d));
      break;
    }
    case OutputType::kGenerateUntil: {
      std::vector<std::string> texts = StoppedGenerations(spec, answers);
      size_t n = texts.size();
      bool code = spec.code_metric() != nullptr;
      if (code && answers.code_runs.size() != n * spec.filters.size()) {
        throw std::logic_error("ScoreInstance: pass_at_k needs one code run per program");
      }
      for (size_t f = 0; f < spec.filters.size(); ++f) {
        const auto& pipeline = spec.filters[f];
        std::vector<std::string> filtered = Filtered(pipeline, texts);
        ScoredDoc d{pipeline.name(), ordered_json(texts), ordered_json(filtered),
                    ordered_json::object()};
        int passed = 0;
        if (code) {
          d.execution = ordered_json::array();
          for (size_t g = 0; g < n; ++g) {
            const CodeRun& run = answers.code_runs[f * n + g];
            passed += run.passed ? 1 : 0;
            d.execution.push_back(CodeRunJson(run));
          }
        }
        for (const auto& m : spec.metrics) {
          d.metrics[m.info.name] =
              m.code ? sandbox::PassAtK(static_cast<int>(n), passed, m.code->k)
                     : ScoreGeneration(m, filtered.front(), std::span(&in.target, 1));
        }
        out.push_back(std::move(d));
      }
      break;
    }
    case OutputType::kLoglikelihoodRolling: {
      double ll = answers.loglikelihoods.at(0).logprob;
      RollingItem item = MakeRollingItem(ll, in.rolling_text);
      ScoredDoc d{"none", ordered_json::array({ll}), ordered_json::array({ll}),
                  ordered_json::object()};
      for (const auto& m : spec.metrics) {
        double weight = m.info.name == "word_perplexity" ? item.words : item.bytes;
        d.metrics[m.info.name] = ordered_json::array({ll, weight});
      }
      out.push_back(std::move(d));
      break;
    }
  }
  return out;
}

void MetricAccumulator::Add(const std::vector<ScoredDoc>& scored) {
  for (const auto& d : scored) {
    if (std::find(filters_.begin(), filters_.end(), d.filter) == filters_.end()) {
      filters_.push_back(d.filter);
    }
    for (const auto& [name, value] : d.metrics.items()) {
      std::string key = name + "," + d.filter;
      if (value.is_array()) {  // rolling: [loglikelihood, weight]
        values_[key].push_back(value[0].get<double>());
        weights_[key].push_back(value[1].get<double>());
      } else {
        values_[key].push_back(value.get<double>());
      }
    }
  }
}

const std::vector<double>* MetricAccumulator::Values(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

ordered_json MetricAccumulator::Aggregate(const PreparedTask& task, uint64_t bootstrap_seed,
                                          int bootstrap_resamples) const {
  ordered_json results = {{"alias", task.spec.name}};
  for (const auto& filter : filters_) {
    // Each metric, then its subsets ("m.sub,filter"), in name order.
    std::vector<std::string> names;
    for (const auto& m : task.spec.metrics) {
      names.push_back(m.info.name);
      std::string prefix = m.info.name + ".", suffix = "," + filter;
      for (const auto& [key, v] : values_) {
        if (key.compare(0, prefix.size(), prefix) == 0 && key.size() > suffix.size() &&
            key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
          names.push_back(key.substr(0, key.size() - suffix.size()));
        }
      }
    }
    for (const auto& name : names) {
      std::string key = name + "," + filter;
      auto it = values_.find(key);
      if (it == values_.end() || it->second.empty()) continue;
      std::string se_key = name + "_stderr," + filter;
      auto w = weights_.find(key);
      if (w != weights_.end()) {
        std::function<double(double)> transform;
        if (name == "bits_per_byte") {
          transform = [](double x) { return -x / std::log(2.0); };
        } else {
          transform = [](double x) { return std::exp(-x); };
        }
        auto b = stats::BootstrapRatio(it->second, w->second, transform, bootstrap_resamples,
                                       bootstrap_seed);
        results[key] = b.value;
        results[se_key] = b.stderr_;
      } else {
        auto e = stats::MeanWithStderr(it->second);
        results[key] = e.value;
        results[se_key] = e.stderr_;
      }
    }
  }
  if (task.spec.judge) AddJudgedAggregates(task, *this, results, bootstrap_seed, bootstrap_resamples);
  return results;
}

ordered_json Aggregate(const PreparedTask& task, const std::vector<std::vector<ScoredDoc>>& docs,
                       uint64_t bootstrap_seed, int bootstrap_resamples) {
  MetricAccumulator acc;
  for (const auto& d : docs) acc.Add(d);
  return acc.Aggregate(task, bootstrap_seed, bootstrap_resamples);
}

}  // namespace kaieval::bench
