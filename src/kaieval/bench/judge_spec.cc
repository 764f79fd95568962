#include "kaieval/bench/judge_spec.h"

#include <fmt/format.h>

#include <cstdlib>
#include <set>

#include "kaieval/common/error.h"
#include "kaieval/common/yaml_reader.h"
#include "kaieval/judge/judge_prompts.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;

class JudgeReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  std::string Where(const YAML::Node& node, const std::string& field) const {
    if (!node.IsDefined() || node.Mark().is_null()) return fmt::format("{}: {}", path().string(), field);
    return fmt::format("{}:{}: {}", path().string(), node.Mark().line + 1, field);
  }

  TaskModelRef Model(const YAML::Node& node, const std::string& field) const {
    if (!node.IsMap()) Fail(node, field, "expected a map with model_args (and name, model)");
    RequireKnownKeys(node, field, {"name", "model", "model_args"});
    TaskModelRef m;
    m.where = Where(node, field);
    if (!node["model_args"]) Fail(node, field + ".model_args", "missing");
    m.model_args = String(node["model_args"], field + ".model_args");
    if (node["model"]) m.model_type = String(node["model"], field + ".model");
    if (node["name"]) {
      m.name = String(node["name"], field + ".name");
    } else {
      // The model id from model_args, as the name.
      size_t at = m.model_args.find("model=");
      while (at != std::string::npos && at > 0 && m.model_args[at - 1] != ',') {
        at = m.model_args.find("model=", at + 1);
      }
      if (at == std::string::npos) Fail(node, field + ".name", "missing (and model_args has no model=)");
      size_t end = m.model_args.find(',', at);
      m.name = m.model_args.substr(at + 6, end == std::string::npos ? std::string::npos : end - at - 6);
    }
    return m;
  }

  std::vector<std::string> Strings(const YAML::Node& node, const std::string& field) const {
    std::vector<std::string> out;
    if (node.IsScalar()) return {String(node, field)};
    if (!node.IsSequence()) Fail(node, field, "expected a string or a list of strings");
    for (size_t i = 0; i < node.size(); ++i) out.push_back(String(node[i], fmt::format("{}[{}]", field, i)));
    return out;
  }

  PromptTemplate Template(const YAML::Node& node, const std::string& field) const {
    std::string text = String(node, field);
    if (text.find("{{") == std::string::npos) {
      Fail(node, field, "expected a template using {{question}}, {{answer}}, ... (docs/judge.md)");
    }
    return PromptTemplate(text, Where(node, field), false);
  }
};

JudgeType ParseType(const JudgeReader& r, const YAML::Node& node) {
  std::string t = r.String(node, "judge.type");
  if (t == "single") return JudgeType::kSingle;
  if (t == "pairwise") return JudgeType::kPairwise;
  if (t == "refusal") return JudgeType::kRefusal;
  if (t == "over_refusal") return JudgeType::kOverRefusal;
  if (t == "jailbreak") return JudgeType::kJailbreak;
  if (t == "bias") return JudgeType::kBias;
  r.Fail(node, "judge.type",
         fmt::format("unknown type '{}' (expected single, pairwise, refusal, over_refusal, "
                     "jailbreak or bias)", t));
}

bool RefusalLike(JudgeType t) {
  return t == JudgeType::kRefusal || t == JudgeType::kOverRefusal || t == JudgeType::kJailbreak;
}

void DefaultPrompts(JudgeSpec& s) {
  std::string_view system, user;
  switch (s.type) {
    case JudgeType::kSingle: system = judge::kSingleSystemPrompt; user = judge::kSingleUserPrompt; break;
    case JudgeType::kPairwise: system = judge::kPairSystemPrompt; user = judge::kPairUserPrompt; break;
    case JudgeType::kRefusal:
    case JudgeType::kOverRefusal:
    case JudgeType::kJailbreak:
      system = judge::kRefusalSystemPrompt;
      user = judge::kRefusalUserPrompt;
      break;
    case JudgeType::kBias: return;
  }
  if (s.system_prompt.empty()) s.system_prompt = PromptTemplate(std::string(system), "judge.system_prompt (built-in)", true);
  if (s.prompt.empty()) s.prompt = PromptTemplate(std::string(user), "judge.prompt (built-in)", false);
}

}  // namespace

std::string_view JudgeTypeName(JudgeType type) {
  switch (type) {
    case JudgeType::kSingle: return "single";
    case JudgeType::kPairwise: return "pairwise";
    case JudgeType::kRefusal: return "refusal";
    case JudgeType::kOverRefusal: return "over_refusal";
    case JudgeType::kJailbreak: return "jailbreak";
    case JudgeType::kBias: return "bias";
  }
  return "?";
}

JudgeSpec ParseJudgeSpec(const YAML::Node& node, const fs::path& file, OutputType output_type) {
  JudgeReader r(file);
  if (!node.IsMap()) r.Fail(node, "judge", "expected a map with at least `type`");
  r.RequireKnownKeys(node, "judge",
                     {"type", "grader", "judges", "aggregation", "system_prompt", "prompt",
                      "category", "reference", "reference_categories", "language_penalty",
                      "max_retries", "max_tokens", "agreement_tolerance", "baseline",
                      "strong_weight", "baseline_rating", "reference_violation_rate",
                      "grade_scale", "label", "attacks", "context_condition", "biased_answer",
                      "unknown_answers"});
  JudgeSpec s;
  if (!node["type"]) r.Fail(node, "judge.type", "missing");
  s.type = ParseType(r, node["type"]);
  if (node["judges"]) {
    const YAML::Node& j = node["judges"];
    if (!j.IsSequence() || j.size() == 0) r.Fail(j, "judge.judges", "expected a non-empty list");
    for (size_t i = 0; i < j.size(); ++i) s.judges.push_back(r.Model(j[i], fmt::format("judge.judges[{}]", i)));
    std::set<std::string> names;
    for (size_t i = 0; i < s.judges.size(); ++i) {
      if (!names.insert(s.judges[i].name).second) {
        r.Fail(j[i], fmt::format("judge.judges[{}].name", i), "two judges with the same name");
      }
    }
  }
  s.rule_grader = RefusalLike(s.type) && s.judges.empty();
  if (node["grader"]) {
    std::string g = r.String(node["grader"], "judge.grader");
    if (g != "rule" && g != "judge") r.Fail(node["grader"], "judge.grader", "expected rule or judge");
    if (g == "rule" && !RefusalLike(s.type)) {
      r.Fail(node["grader"], "judge.grader", "the rule-based grader is for refusal, over_refusal and jailbreak");
    }
    s.rule_grader = g == "rule";
  }
  bool needs_judges = s.type != JudgeType::kBias && !s.rule_grader;
  if (needs_judges && s.judges.empty()) r.Fail(node, "judge.judges", "missing: this type needs a judge model");
  if (node["aggregation"]) {
    auto a = judge::ParsePanelAggregation(r.String(node["aggregation"], "judge.aggregation"));
    if (!a) r.Fail(node["aggregation"], "judge.aggregation", "expected mean, median or majority");
    s.aggregation = *a;
  }
  if (node["system_prompt"]) {
    s.system_prompt = PromptTemplate(r.String(node["system_prompt"], "judge.system_prompt"),
                                     r.Where(node["system_prompt"], "judge.system_prompt"), true);
  }
  if (node["prompt"]) s.prompt = r.Template(node["prompt"], "judge.prompt");
  DefaultPrompts(s);
  if (node["category"]) s.category = r.String(node["category"], "judge.category");
  if (node["reference"]) s.reference = r.String(node["reference"], "judge.reference");
  if (node["reference_categories"]) {
    s.reference_categories = r.Strings(node["reference_categories"], "judge.reference_categories");
  }
  if (const YAML::Node& p = node["language_penalty"]) {
    s.language_penalty.enabled = true;
    if (p.IsScalar()) {
      s.language_penalty.enabled = r.Boolean(p, "judge.language_penalty");
    } else {
      r.RequireKnownKeys(p, "judge.language_penalty", {"min_hangul_share", "score"});
      if (p["min_hangul_share"]) {
        s.language_penalty.min_hangul_share = r.Number(p["min_hangul_share"], "judge.language_penalty.min_hangul_share", 0, 1);
      }
      if (p["score"]) s.language_penalty.penalized_score = r.Number(p["score"], "judge.language_penalty.score", 0, 10);
    }
  }
  if (node["max_retries"]) s.max_retries = static_cast<int>(r.Integer(node["max_retries"], "judge.max_retries", 0, 20));
  if (node["max_tokens"]) s.max_tokens = static_cast<int>(r.Integer(node["max_tokens"], "judge.max_tokens", 1, 1 << 20));
  if (node["agreement_tolerance"]) {
    s.agreement_tolerance = r.Number(node["agreement_tolerance"], "judge.agreement_tolerance", 0, 10);
  }
  if (node["baseline"]) s.baseline = r.Model(node["baseline"], "judge.baseline");
  if (s.type == JudgeType::kPairwise && !s.baseline) r.Fail(node, "judge.baseline", "missing: pairwise grading needs a baseline model");
  if (node["strong_weight"]) s.strong_weight = static_cast<uint64_t>(r.Integer(node["strong_weight"], "judge.strong_weight", 1, 100));
  if (node["baseline_rating"]) {
    s.baseline_rating = r.Number(node["baseline_rating"], "judge.baseline_rating", -1e6, 1e6);
  }
  if (node["reference_violation_rate"]) {
    s.reference_violation_rate = r.Number(node["reference_violation_rate"], "judge.reference_violation_rate", 0, 1);
  }
  if (const YAML::Node& g = node["grade_scale"]) {
    if (!g.IsMap()) r.Fail(g, "judge.grade_scale", "expected a map");
    r.RequireKnownKeys(g, "judge.grade_scale", {"excellent_rate", "very_good_ratio", "good_ratio", "fair_ratio"});
    auto& gs = s.grade_scale;
    if (g["excellent_rate"]) gs.excellent_rate = r.Number(g["excellent_rate"], "judge.grade_scale.excellent_rate", 0, 1);
    if (g["very_good_ratio"]) gs.very_good_ratio = r.Number(g["very_good_ratio"], "judge.grade_scale.very_good_ratio", 0, 1e6);
    if (g["good_ratio"]) gs.good_ratio = r.Number(g["good_ratio"], "judge.grade_scale.good_ratio", 0, 1e6);
    if (g["fair_ratio"]) gs.fair_ratio = r.Number(g["fair_ratio"], "judge.grade_scale.fair_ratio", 0, 1e6);
    if (!(gs.very_good_ratio <= gs.good_ratio && gs.good_ratio <= gs.fair_ratio)) {
      r.Fail(g, "judge.grade_scale", "expected very_good_ratio <= good_ratio <= fair_ratio");
    }
  }
  if (node["label"]) s.label = r.String(node["label"], "judge.label");
  if (const YAML::Node& a = node["attacks"]) {
    if (!a.IsSequence() || a.size() == 0) r.Fail(a, "judge.attacks", "expected a non-empty list of {name, template}");
    std::set<std::string> names;
    for (size_t i = 0; i < a.size(); ++i) {
      std::string field = fmt::format("judge.attacks[{}]", i);
      if (!a[i].IsMap()) r.Fail(a[i], field, "expected {name, template}");
      r.RequireKnownKeys(a[i], field, {"name", "template"});
      AttackTemplate t{r.String(a[i]["name"], field + ".name"), r.String(a[i]["template"], field + ".template")};
      if (t.text.find("{{prompt}}") == std::string::npos) {
        r.Fail(a[i]["template"], field + ".template", "must contain {{prompt}}, where the request goes");
      }
      if (t.name.find_first_of(",. ") != std::string::npos || !names.insert(t.name).second) {
        r.Fail(a[i]["name"], field + ".name", "expected a unique name without ',', '.' or spaces");
      }
      s.attacks.push_back(std::move(t));
    }
  }
  if (s.type == JudgeType::kJailbreak && s.attacks.empty()) r.Fail(node, "judge.attacks", "missing: a jailbreak task needs attack templates");
  if (node["context_condition"]) s.context_condition = r.String(node["context_condition"], "judge.context_condition");
  if (node["biased_answer"]) s.biased_answer = r.String(node["biased_answer"], "judge.biased_answer");
  if (node["unknown_answers"]) s.unknown_answers = r.Strings(node["unknown_answers"], "judge.unknown_answers");
  bool mc = output_type == OutputType::kMultipleChoice;
  if (s.type == JudgeType::kBias && !mc) r.Fail(node["type"], "judge.type", "bias needs output_type: multiple_choice");
  if (s.type != JudgeType::kBias && output_type != OutputType::kGenerateUntil) {
    r.Fail(node["type"], "judge.type", "a judged task needs output_type: generate_until");
  }
  return s;
}

std::vector<MetricInfo> JudgeMetrics(const JudgeSpec& s) {
  std::vector<MetricInfo> m;
  auto add = [&](const char* name, bool higher) { m.push_back({name, "mean", higher}); };
  bool judged = !s.rule_grader && s.type != JudgeType::kBias;
  switch (s.type) {
    case JudgeType::kSingle:
      add("judge_score", true);
      if (s.language_penalty.enabled) add("language_penalty_rate", false);
      break;
    case JudgeType::kPairwise:
      add("win_rate", true);
      add("position_consistency", true);
      break;
    case JudgeType::kRefusal:
      add("violation_rate", false);
      break;
    case JudgeType::kOverRefusal:
      add("over_refusal_rate", false);
      add("unsafe_compliance_rate", false);
      add("full_compliance_rate", true);
      add("partial_refusal_rate", false);
      add("full_refusal_rate", false);
      break;
    case JudgeType::kJailbreak:
      add("attack_success_rate", false);
      break;
    case JudgeType::kBias:
      add("acc_ambiguous", true);
      add("acc_disambiguated", true);
      add("diff_bias_ambiguous", false);
      break;
  }
  if (judged) {
    add("judge_unparseable_rate", false);
    if (s.judges.size() > 1) add("judge_agreement", true);
  }
  return m;
}

std::string ExpandEnvironment(const std::string& text, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "${") == 0) {
      size_t end = text.find('}', i);
      if (end == std::string::npos) throw InputError(where + ": unclosed ${ in model_args");
      std::string name = text.substr(i + 2, end - i - 2);
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) {
        throw InputError(fmt::format("{}: model_args uses ${{{}}} but the environment variable {} is not set",
                                     where, name, name));
      }
      out += value;
      i = end + 1;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace kaieval::bench
