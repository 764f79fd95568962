// JudgeSpec: the `judge:` section of a task file, which makes a task judge-graded (single-answer
// rating, pairwise against a baseline), a safety suite (refusal, over-refusal, jailbreak, with
// a judge or the rule-based refusal detector) or a bias suite (KoBBQ-style). The task loader
// parses it; the runner's judged path (judged_task.h) runs it. Format in docs/judge.md.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kaieval/bench/metrics.h"
#include "kaieval/bench/template.h"
#include "kaieval/judge/language.h"
#include "kaieval/judge/panel.h"
#include "kaieval/judge/safety_grade.h"

namespace kaieval::bench {

enum class JudgeType { kSingle, kPairwise, kRefusal, kOverRefusal, kJailbreak, kBias };
std::string_view JudgeTypeName(JudgeType type);

// A model named by a task: the judge, or the baseline of pairwise grading. `model_args` may use
// ${VAR} for an environment variable (expanded when the run starts, so a task file need not
// hold a host name).
struct TaskModelRef {
  std::string name;               // for the results and samples; defaults to the model id
  std::string model_type = "openai";
  std::string model_args;
  std::string where;              // "task.yaml:12: judge.judges[0]", for errors
};

struct AttackTemplate {
  std::string name;
  std::string text;  // contains {{prompt}}
};

struct JudgeSpec {
  JudgeType type = JudgeType::kSingle;
  bool rule_grader = false;  // refusal, over_refusal, jailbreak: the rule-based detector
  std::vector<TaskModelRef> judges;
  judge::PanelAggregation aggregation = judge::PanelAggregation::kMean;
  PromptTemplate system_prompt, prompt;  // the judge's; built-in ones by type unless given
  std::string category;                  // column of the item's category (optional)
  std::string reference;                 // column of the reference answer(s) (optional)
  std::vector<std::string> reference_categories;  // empty: every item with a reference
  judge::LanguagePenalty language_penalty;
  int max_retries = 2;
  int max_tokens = 512;
  double agreement_tolerance = 1;  // ratings within this count as agreeing (verdicts: equal)
  // pairwise
  std::optional<TaskModelRef> baseline;
  uint64_t strong_weight = 3;
  double baseline_rating = 1000;
  // refusal
  std::optional<double> reference_violation_rate;
  judge::GradeScale grade_scale;
  // over_refusal
  std::string label = "label";  // column: safe or unsafe
  // jailbreak
  std::vector<AttackTemplate> attacks;
  // bias
  std::string context_condition = "context_condition";
  std::string biased_answer = "biased_answer";
  std::vector<std::string> unknown_answers = {"알 수 없음", "Unknown", "unknown",
                                              "Cannot be determined"};
};

// Parses `node` (the value of `judge:` in `file`); `output_type` is the task's. Throws
// InputError naming the file, line and judge.<field>.
JudgeSpec ParseJudgeSpec(const YAML::Node& node, const std::filesystem::path& file,
                         OutputType output_type);

// The metrics a judged task reports, by type (docs/judge.md, docs/safety.md).
std::vector<MetricInfo> JudgeMetrics(const JudgeSpec& spec);

// `text` with each ${NAME} replaced by the environment variable NAME; InputError naming `where`
// when one is unset.
std::string ExpandEnvironment(const std::string& text, const std::string& where);

}  // namespace kaieval::bench
