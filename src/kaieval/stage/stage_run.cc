#include "kaieval/stage/stage_run.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "kaieval/common/file.h"
#include "kaieval/common/hash.h"
#include "kaieval/stats/bootstrap.h"

namespace kaieval::stage {
namespace {

using nlohmann::ordered_json;

ordered_json Number(double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr); }

ordered_json NodeJson(const RubricNode& node, const StageDecision& d, size_t n_teams) {
  ordered_json teams = ordered_json::array();
  for (size_t t = 0; t < n_teams; ++t) {
    teams.push_back({{"points", Number(d.points.points.at(node.id)[t])},
                     {"lower", Number(d.points.lower.at(node.id)[t])},
                     {"upper", Number(d.points.upper.at(node.id)[t])}});
  }
  ordered_json out = {{"id", node.id}, {"name", node.name}, {"max_points", node.points}, {"teams", teams}};
  if (!node.is_leaf()) {
    out["items"] = ordered_json::array();
    for (const auto& child : node.children) out["items"].push_back(NodeJson(child, d, n_teams));
  } else {
    out["evidence"] = node.evidence.kind;
  }
  return out;
}

const char* RuleName(Rule rule) {
  switch (rule) {
    case Rule::kRelativeToReference: return "relative_to_reference";
    case Rule::kLinear: return "linear";
    case Rule::kRankBased: return "rank_based";
    case Rule::kMeanOfChildren: return "mean_of_children";
    case Rule::kSum: break;
  }
  return "sum";
}

// Every leaf's own score per team (a benchmark metric, a rating, a panel mean) with the 2.5%
// and 97.5% percentiles of its bootstrap replicates, its scoring rule, its safety minimum if a
// gate names it, and what the evidence reader recorded beside it.
ordered_json LeavesJson(const StageRun& run) {
  const StageConfig& config = run.config;
  ordered_json leaves = ordered_json::array();
  for (const RubricNode* leaf : Leaves(config.rubric)) {
    const auto& scores = run.evidence.scores.at(leaf->id);
    ordered_json teams = ordered_json::array();
    for (size_t t = 0; t < scores.size(); ++t) {
      std::vector<double> values;
      for (const auto& rep : run.evidence.replicates) {
        const double v = rep.at(leaf->id)[t];
        if (std::isfinite(v)) values.push_back(v);
      }
      std::sort(values.begin(), values.end());
      const bool has = std::isfinite(scores[t]) && !values.empty();
      teams.push_back({{"score", Number(scores[t])},
                       {"lower", has ? Number(stats::Percentile(values, 0.025)) : ordered_json(nullptr)},
                       {"upper", has ? Number(stats::Percentile(values, 0.975)) : ordered_json(nullptr)}});
    }
    ordered_json out = {{"id", leaf->id}, {"name", leaf->name}, {"kind", leaf->evidence.kind},
                        {"rule", RuleName(leaf->rule)}, {"max_points", leaf->points}};
    if (leaf->rule == Rule::kRelativeToReference) out["reference"] = leaf->reference;
    if (leaf->rule == Rule::kLinear) {
      out["floor"] = leaf->floor;
      out["ceiling"] = leaf->ceiling;
    }
    for (const auto& gate : config.safety) {
      if (gate.leaf != leaf->id) continue;
      if (std::isfinite(gate.min)) out["gate_min"] = gate.min;
      if (std::isfinite(gate.max)) out["gate_max"] = gate.max;
    }
    out["teams"] = teams;
    auto it = run.evidence.details.find(leaf->id);
    out["details"] = it == run.evidence.details.end() ? ordered_json::object() : it->second;
    leaves.push_back(out);
  }
  return leaves;
}

}  // namespace

StageRun RunStage(const std::string& config_path) {
  StageRun run;
  run.config_path = config_path;
  run.config = LoadStageConfig(config_path);
  const size_t n = run.config.teams.size();
  run.evidence = GatherEvidence(run.config);
  // The origin reports' verdicts decide the gate as recorded verdicts would.
  run.originality = ReadOriginality(run.config);
  for (const auto& v : run.originality.verdicts) run.config.originality_verdicts.push_back(v);
  for (const auto& s : run.originality.sources) run.evidence.sources.push_back(s);
  for (const auto& n : run.originality.notes) run.evidence.notes.push_back(n);
  run.gates = EvaluateGates(run.config, run.evidence.scores, &run.gate_notes);
  std::vector<std::vector<bool>> replicate_gates;
  for (const auto& rep : run.evidence.replicates) replicate_gates.push_back(EvaluateGates(run.config, rep));
  run.decision = Decide(run.config.rubric, run.evidence.scores, run.evidence.replicates, run.gates,
                        replicate_gates, run.config.selection, n);
  run.sensitivity = Sensitivity(run.config.rubric, run.evidence.scores, run.gates, run.config.selection, n);
  return run;
}

ordered_json StageReportJson(const StageRun& run) {
  const StageConfig& config = run.config;
  const StageDecision& d = run.decision;
  const size_t n = config.teams.size();
  const auto& total = d.points.points.at(config.rubric.id);
  ordered_json teams = ordered_json::array();
  for (size_t t = 0; t < n; ++t) {
    teams.push_back({{"name", config.teams[t].name},
                     {"organisation", config.teams[t].organisation},
                     {"total", Number(total[t])},
                     {"lower", Number(d.points.lower.at(config.rubric.id)[t])},
                     {"upper", Number(d.points.upper.at(config.rubric.id)[t])},
                     {"p_advance", d.p_advance[t]},
                     {"passes_gates", static_cast<bool>(run.gates[t])},
                     {"rank", d.selection.rank[t]},
                     {"advances", static_cast<bool>(d.selection.advances[t])}});
  }
  ordered_json sources = ordered_json::array();
  std::set<std::string> seen;
  for (const auto& s : run.evidence.sources) {
    if (seen.insert(s).second) sources.push_back({{"path", s}, {"hash", ContentHash(ReadFileBytes(s))}});
  }
  ordered_json changes = ordered_json::array();
  for (const auto& p : run.sensitivity) {
    ordered_json who = ordered_json::array();
    for (size_t t = 0; t < n; ++t) {
      if (p.advances[t]) who.push_back(config.teams[t].name);
    }
    changes.push_back({{"change", p.change}, {"advancing", who}});
  }
  return {{"stage", config.name},
          {"config", {{"path", run.config_path}, {"hash", ContentHash(ReadFileBytes(run.config_path))}}},
          {"bootstrap", {{"replicates", d.replicates}, {"seed", config.seed}}},
          {"teams", teams},
          {"rubric", NodeJson(config.rubric, d, n)},
          {"leaves", LeavesJson(run)},
          {"gates", run.gate_notes},
          {"originality", run.originality.report},
          {"sensitivity", changes},
          {"evidence", sources},
          {"notes", run.evidence.notes}};
}

}  // namespace kaieval::stage
