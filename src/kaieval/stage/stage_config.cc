#include "kaieval/stage/stage_config.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "kaieval/common/error.h"
#include "kaieval/common/yaml_reader.h"

namespace kaieval::stage {
namespace {

class StageReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  std::string RelativePath(const YAML::Node& node, const std::string& field) const {
    std::filesystem::path p = String(node, field);
    if (p.is_relative()) p = path().parent_path() / p;
    return p.lexically_normal().string();
  }

  std::vector<std::string> Strings(const YAML::Node& node, const std::string& field) const {
    if (!node.IsSequence()) Fail(node, field, "expected a list");
    std::vector<std::string> out;
    for (size_t i = 0; i < node.size(); ++i) out.push_back(String(node[i], fmt::format("{}[{}]", field, i)));
    return out;
  }

  Team ReadTeam(const YAML::Node& n, const std::string& field) const {
    RequireKnownKeys(n, field, {"name", "organisation", "model", "arena_name", "run_name", "repos",
                                "hub_accounts", "weights"});
    Team t;
    if (!n["name"]) Fail(n, field + ".name", "missing");
    t.name = String(n["name"], field + ".name");
    t.organisation = n["organisation"] ? String(n["organisation"], field + ".organisation") : t.name;
    if (n["model"]) {
      RequireKnownKeys(n["model"], field + ".model", {"type", "model_args"});
      t.model_type = n["model"]["type"] ? String(n["model"]["type"], field + ".model.type") : "openai";
      if (!n["model"]["model_args"]) Fail(n["model"], field + ".model.model_args", "missing");
      t.model_args = String(n["model"]["model_args"], field + ".model.model_args");
    }
    t.arena_name = n["arena_name"] ? String(n["arena_name"], field + ".arena_name") : t.name;
    t.run_name = n["run_name"] ? String(n["run_name"], field + ".run_name") : t.arena_name;
    if (n["repos"]) t.repos = Strings(n["repos"], field + ".repos");
    if (n["hub_accounts"]) t.hub_accounts = Strings(n["hub_accounts"], field + ".hub_accounts");
    if (n["weights"]) t.weights = Strings(n["weights"], field + ".weights");
    return t;
  }

  void ReadRule(const YAML::Node& n, const std::string& field, RubricNode& node) const {
    if (n.IsScalar()) {
      const std::string& name = n.Scalar();
      if (name == "mean_of_children") {
        node.rule = Rule::kMeanOfChildren;
      } else if (name == "sum") {
        node.rule = Rule::kSum;
      } else if (name == "rank_based") {
        node.rule = Rule::kRankBased;
      } else {
        Fail(n, field, fmt::format("unknown rule '{}' (expected sum, mean_of_children, rank_based, "
                                   "or a map for relative_to_reference or linear)", name));
      }
      return;
    }
    if (!n.IsMap() || n.size() != 1) Fail(n, field, "expected a rule name or a map with one rule");
    const std::string name = n.begin()->first.as<std::string>();
    const YAML::Node args = n.begin()->second;
    const std::string where = field + "." + name;
    constexpr double kInf = HUGE_VAL;
    if (name == "relative_to_reference") {
      node.rule = Rule::kRelativeToReference;
      RequireKnownKeys(args, where, {"reference"});
      if (!args["reference"]) Fail(args, where + ".reference", "missing");
      node.reference = Number(args["reference"], where + ".reference", 0, kInf);
    } else if (name == "linear") {
      node.rule = Rule::kLinear;
      RequireKnownKeys(args, where, {"floor", "ceiling"});
      if (!args["floor"] || !args["ceiling"]) Fail(args, where, "needs floor and ceiling");
      node.floor = Number(args["floor"], where + ".floor", -kInf, kInf);
      node.ceiling = Number(args["ceiling"], where + ".ceiling", -kInf, kInf);
    } else if (name == "rank_based") {
      node.rule = Rule::kRankBased;
      RequireKnownKeys(args, where, {"lower_is_better"});
      if (args["lower_is_better"]) node.lower_is_better = Boolean(args["lower_is_better"], where + ".lower_is_better");
    } else {
      Fail(n, field, fmt::format("unknown rule '{}'", name));
    }
  }

  void ReadEvidence(const YAML::Node& n, const std::string& field, EvidenceRef& e) const {
    if (!n.IsMap() || n.size() != 1) {
      Fail(n, field, "expected one of benchmark, review, arena, derivatives or value");
    }
    e.kind = n.begin()->first.as<std::string>();
    const YAML::Node args = n.begin()->second;
    const std::string where = field + "." + e.kind;
    if (e.kind == "value") {
      if (!args.IsMap()) Fail(args, where, "expected a map of team name to number");
      for (const auto& kv : args) {
        const std::string team = kv.first.as<std::string>();
        e.values[team] = Number(kv.second, where + "." + team, -HUGE_VAL, HUGE_VAL);
      }
      return;
    }
    static const std::map<std::string, std::vector<const char*>> kParams = {
        {"benchmark", {"task", "metric", "filter"}},
        {"review", {"panel"}},
        {"arena", {}},
        {"derivatives", {"count", "since", "until"}},
    };
    auto it = kParams.find(e.kind);
    if (it == kParams.end()) {
      Fail(n, field, fmt::format("unknown evidence '{}' (expected benchmark, review, arena, "
                                 "derivatives or value)", e.kind));
    }
    if (args.IsNull()) return;
    if (!args.IsMap()) Fail(args, where, "expected a map");
    for (const auto& kv : args) {
      const std::string key = kv.first.as<std::string>();
      bool known = false;
      for (const char* k : it->second) known = known || key == k;
      if (!known) Fail(kv.first, where + "." + key, "unknown key");
      e.params[key] = String(kv.second, where + "." + key);
    }
    if (e.kind == "benchmark" && (!e.params.count("task") || !e.params.count("metric"))) {
      Fail(args, where, "needs task and metric");
    }
    if (e.kind == "review" && !e.params.count("panel")) Fail(args, where, "needs panel");
    if (e.kind == "derivatives" && e.params.count("count")) {
      const std::string& c = e.params.at("count");
      if (c != "adjusted" && c != "raw" && c != "in_window") {
        Fail(args["count"], where + ".count", "expected adjusted, raw or in_window");
      }
      if (c == "in_window" && !e.params.count("since")) Fail(args, where, "count: in_window needs since");
    }
  }

  RubricNode ReadNode(const YAML::Node& n, const std::string& field) const {
    RequireKnownKeys(n, field, {"id", "name", "points", "rule", "evidence", "items"});
    RubricNode node;
    if (!n["id"]) Fail(n, field + ".id", "missing");
    node.id = String(n["id"], field + ".id");
    node.name = n["name"] ? String(n["name"], field + ".name") : node.id;
    if (!n["points"]) Fail(n, field + ".points", "missing");
    node.points = Number(n["points"], field + ".points", 0, HUGE_VAL);
    if (n["rule"]) ReadRule(n["rule"], field + ".rule", node);
    if (n["evidence"]) ReadEvidence(n["evidence"], field + ".evidence", node.evidence);
    if (n["items"]) {
      if (!n["items"].IsSequence() || n["items"].size() == 0) Fail(n["items"], field + ".items", "expected a non-empty list");
      for (size_t i = 0; i < n["items"].size(); ++i) {
        node.children.push_back(ReadNode(n["items"][i], fmt::format("{}.items[{}]", field, i)));
      }
      if (n["evidence"]) Fail(n["evidence"], field + ".evidence", "an item with items takes its evidence from them");
    }
    return node;
  }

  StageConfig Config(const YAML::Node& root) const {
    if (!root.IsMap()) Fail(root, "(top level)", "expected a map");
    RequireKnownKeys(root, "", {"name", "total_points", "seed", "bootstrap", "selection", "teams", "rubric",
                                "gates", "overrides", "evidence", "review"});
    StageConfig c;
    c.path = path();
    c.name = root["name"] ? String(root["name"], "name") : path().stem().string();
    if (root["total_points"]) c.total_points = Number(root["total_points"], "total_points", 1, 1e6);
    if (root["seed"]) c.seed = static_cast<uint64_t>(Integer(root["seed"], "seed", 0, INT64_MAX));
    if (root["bootstrap"]) c.bootstrap = static_cast<int>(Integer(root["bootstrap"], "bootstrap", 0, 100000));
    if (root["selection"]) {
      const YAML::Node s = root["selection"];
      RequireKnownKeys(s, "selection", {"advance", "ties"});
      if (s["advance"]) c.selection.advance = static_cast<int>(Integer(s["advance"], "selection.advance", 1, 1000));
      if (s["ties"]) {
        std::string ties = String(s["ties"], "selection.ties");
        if (ties == "include") {
          c.selection.ties = TiePolicy::kIncludeTied;
        } else if (ties == "exclude") {
          c.selection.ties = TiePolicy::kExcludeTied;
        } else {
          Fail(s["ties"], "selection.ties", "expected include (all tied at the cut advance) or exclude");
        }
      }
    }
    if (!root["teams"] || !root["teams"].IsSequence() || root["teams"].size() < 2) {
      Fail(root["teams"] ? root["teams"] : root, "teams", "expected a list of at least two teams");
    }
    std::set<std::string> names;
    for (size_t i = 0; i < root["teams"].size(); ++i) {
      const std::string field = fmt::format("teams[{}]", i);
      c.teams.push_back(ReadTeam(root["teams"][i], field));
      if (!names.insert(c.teams.back().name).second) Fail(root["teams"][i]["name"], field + ".name", "duplicate team name");
    }
    if (!root["rubric"]) Fail(root, "rubric", "missing");
    c.rubric = ReadNode(root["rubric"], "rubric");
    if (std::abs(c.rubric.points - c.total_points) > 1e-9) {
      Fail(root["rubric"]["points"], "rubric.points",
           fmt::format("{} points, but total_points is {}", c.rubric.points, c.total_points));
    }
    ValidateRubric(c.rubric, path().string());
    if (root["evidence"]) {
      const YAML::Node e = root["evidence"];
      RequireKnownKeys(e, "evidence", {"runs", "contest", "reviews", "hub"});
      if (e["runs"]) c.runs_dir = RelativePath(e["runs"], "evidence.runs");
      if (e["contest"]) c.contest_db = RelativePath(e["contest"], "evidence.contest");
      if (e["reviews"]) c.reviews_csv = RelativePath(e["reviews"], "evidence.reviews");
      if (e["hub"]) c.hub_snapshot = RelativePath(e["hub"], "evidence.hub");
    }
    if (root["review"]) {
      c.review = review::LoadReviewConfig(root["review"], path());
      c.has_review = true;
      for (const auto& item : c.review.items) {
        if (!names.count(item.team)) {
          throw InputError(c.review.Where(item.line, "review.items") +
                           fmt::format("item '{}' names an unknown team '{}'", item.id, item.team));
        }
      }
    }
    for (const RubricNode* leaf : Leaves(c.rubric)) {
      for (const auto& [team, value] : leaf->evidence.values) {
        if (!names.count(team)) {
          throw InputError(fmt::format("{}: rubric item '{}': evidence.value names an unknown team '{}'",
                                       path().string(), leaf->id, team));
        }
      }
      if (leaf->evidence.kind == "benchmark" && c.runs_dir.empty()) {
        Fail(root, "evidence.runs", fmt::format("rubric item '{}' needs benchmark results", leaf->id));
      }
      if (leaf->evidence.kind == "review" &&
          (!root["review"] || !root["evidence"] || !root["evidence"]["reviews"])) {
        Fail(root, "review", fmt::format("rubric item '{}' needs the review section and evidence.reviews", leaf->id));
      }
      if (leaf->evidence.kind == "derivatives" && c.hub_snapshot.empty()) {
        Fail(root, "evidence.hub", fmt::format("rubric item '{}' needs a Hub snapshot", leaf->id));
      }
      if (leaf->evidence.kind == "arena" && c.contest_db.empty()) {
        Fail(root, "evidence.contest", fmt::format("rubric item '{}' needs the contest's store", leaf->id));
      }
    }
    if (root["gates"]) ReadGates(root["gates"], c, names);
    if (root["overrides"]) ReadOverrides(root["overrides"], c, names);
    return c;
  }

  void ReadGates(const YAML::Node& g, StageConfig& c, const std::set<std::string>& names) const {
    RequireKnownKeys(g, "gates", {"originality", "safety"});
    if (g["originality"]) {
      const YAML::Node o = g["originality"];
      RequireKnownKeys(o, "gates.originality", {"required", "verdicts", "reports"});
      if (o["required"]) c.originality_required = Boolean(o["required"], "gates.originality.required");
      if (o["verdicts"]) {
        for (const auto& kv : o["verdicts"]) {
          const std::string team = kv.first.as<std::string>();
          const std::string field = "gates.originality.verdicts." + team;
          if (!names.count(team)) Fail(kv.first, field, "unknown team");
          const std::string v = String(kv.second, field);
          if (v != "pass" && v != "fail") Fail(kv.second, field, "expected pass or fail");
          c.originality_verdicts.emplace_back(team, v);
        }
      }
      if (o["reports"]) {
        for (const auto& kv : o["reports"]) {
          const std::string team = kv.first.as<std::string>();
          const std::string field = "gates.originality.reports." + team;
          if (!names.count(team)) Fail(kv.first, field, "unknown team");
          for (const auto& [t, v] : c.originality_verdicts) {
            if (t == team) Fail(kv.first, field, "the team also has a recorded verdict: keep one");
          }
          c.originality_reports.emplace_back(team, RelativePath(kv.second, field));
        }
      }
    }
    if (g["safety"]) {
      if (!g["safety"].IsSequence()) Fail(g["safety"], "gates.safety", "expected a list of {leaf, min}");
      std::set<std::string> leaves;
      for (const RubricNode* leaf : Leaves(c.rubric)) leaves.insert(leaf->id);
      for (size_t i = 0; i < g["safety"].size(); ++i) {
        const YAML::Node s = g["safety"][i];
        const std::string field = fmt::format("gates.safety[{}]", i);
        RequireKnownKeys(s, field, {"leaf", "min", "max"});
        if (!s["leaf"] || (!s["min"] && !s["max"])) Fail(s, field, "needs leaf and min or max");
        SafetyGate gate{String(s["leaf"], field + ".leaf")};
        if (s["min"]) gate.min = Number(s["min"], field + ".min", -HUGE_VAL, HUGE_VAL);
        if (s["max"]) gate.max = Number(s["max"], field + ".max", -HUGE_VAL, HUGE_VAL);
        if (!leaves.count(gate.leaf)) Fail(s["leaf"], field + ".leaf", fmt::format("no rubric leaf '{}'", gate.leaf));
        c.safety.push_back(gate);
      }
    }
  }

  void ReadOverrides(const YAML::Node& list, StageConfig& c, const std::set<std::string>& names) const {
    if (!list.IsSequence()) Fail(list, "overrides", "expected a list");
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node o = list[i];
      const std::string field = fmt::format("overrides[{}]", i);
      RequireKnownKeys(o, field, {"team", "gate", "decision", "reason"});
      GateOverride v;
      for (auto [key, out] : {std::pair{"team", &v.team}, {"gate", &v.gate}, {"decision", &v.decision},
                              {"reason", &v.reason}}) {
        if (!o[key]) Fail(o, field + "." + key, "missing (an override is recorded with its reason)");
        *out = String(o[key], field + "." + key);
      }
      if (!names.count(v.team)) Fail(o["team"], field + ".team", "unknown team");
      if (v.gate != "originality") Fail(o["gate"], field + ".gate", "only the originality gate can be overridden");
      if (v.decision != "pass" && v.decision != "fail") Fail(o["decision"], field + ".decision", "expected pass or fail");
      c.overrides.push_back(v);
    }
  }
};

}  // namespace

StageConfig LoadStageConfig(const std::filesystem::path& path) {
  StageReader reader(path);
  return reader.Config(reader.Load("stage config"));
}

int TeamIndex(const StageConfig& config, const std::string& name) {
  for (size_t i = 0; i < config.teams.size(); ++i) {
    if (config.teams[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace kaieval::stage
