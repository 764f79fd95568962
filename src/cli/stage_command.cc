// `kaieval stage run stage.yaml [--out DIR]`: scores every team on the rubric from the recorded
// evidence, with bootstrap intervals, applies the gates and the selection rule, estimates
// P(advance), lists the perturbations that change the decision, prints a summary and writes
// DIR/report.json.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "kaieval/common/file.h"
#include "kaieval/common/hash.h"
#include "kaieval/stage/evidence.h"
#include "kaieval/stage/selection.h"
#include "kaieval/stage/stage_config.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct StageOptions {
  std::string config;
  std::string out = "out/stage";
};

ordered_json Number(double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr); }

ordered_json NodeJson(const stage::RubricNode& node, const stage::StageDecision& d, size_t n_teams) {
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

void Run(const StageOptions& o) {
  const stage::StageConfig config = stage::LoadStageConfig(o.config);
  const size_t n = config.teams.size();
  std::fprintf(stderr, "kaieval stage: %s: reading the evidence (%d bootstrap replicates)\n",
               config.name.c_str(), config.bootstrap);
  stage::EvidenceSet evidence = stage::GatherEvidence(config);
  std::vector<std::string> gate_notes;
  const std::vector<bool> gates = stage::EvaluateGates(config, evidence.scores, &gate_notes);
  std::vector<std::vector<bool>> replicate_gates;
  for (const auto& rep : evidence.replicates) replicate_gates.push_back(stage::EvaluateGates(config, rep));
  stage::StageDecision d = stage::Decide(config.rubric, evidence.scores, evidence.replicates, gates,
                                         replicate_gates, config.selection, n);
  auto sensitivity = stage::Sensitivity(config.rubric, evidence.scores, gates, config.selection, n);

  // The terminal summary: the decision first.
  const auto& total = d.points.points.at(config.rubric.id);
  std::vector<size_t> order(n);
  for (size_t t = 0; t < n; ++t) order[t] = t;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return total[a] > total[b]; });
  std::printf("\n%s — decision (advance %d)\n", config.name.c_str(), config.selection.advance);
  std::printf("%-20s", "team");
  for (const auto& item : config.rubric.children) std::printf(" %14s", item.id.substr(0, 14).c_str());
  std::printf(" %22s %10s %6s %s\n", "total [95% CI]", "P(advance)", "gates", "decision");
  for (size_t t : order) {
    std::printf("%-20s", config.teams[t].name.substr(0, 20).c_str());
    for (const auto& item : config.rubric.children) std::printf(" %14.2f", d.points.points.at(item.id)[t]);
    std::printf(" %22s %10.3f %6s %s\n",
                fmt::format("{:.2f} [{:.2f}, {:.2f}]", total[t], d.points.lower.at(config.rubric.id)[t],
                            d.points.upper.at(config.rubric.id)[t]).c_str(),
                d.p_advance[t], gates[t] ? "pass" : "FAIL",
                d.selection.advances[t] ? "advances" : "eliminated");
  }
  for (const auto& g : gate_notes) std::printf("gate: %s\n", g.c_str());
  if (sensitivity.empty()) {
    std::printf("sensitivity: no ±5-point weight shift and no left-out benchmark changes who advances\n");
  }
  for (const auto& p : sensitivity) {
    std::string who;
    for (size_t t = 0; t < n; ++t) {
      if (p.advances[t]) who += (who.empty() ? "" : ", ") + config.teams[t].name;
    }
    std::printf("sensitivity: %s changes who advances: %s\n", p.change.c_str(), who.c_str());
  }
  for (const auto& note : evidence.notes) std::printf("note: %s\n", note.c_str());

  // report.json: the same data, with the hashes of the config and every evidence file.
  ordered_json teams = ordered_json::array();
  for (size_t t = 0; t < n; ++t) {
    teams.push_back({{"name", config.teams[t].name},
                     {"organisation", config.teams[t].organisation},
                     {"total", Number(total[t])},
                     {"lower", Number(d.points.lower.at(config.rubric.id)[t])},
                     {"upper", Number(d.points.upper.at(config.rubric.id)[t])},
                     {"p_advance", d.p_advance[t]},
                     {"passes_gates", static_cast<bool>(gates[t])},
                     {"rank", d.selection.rank[t]},
                     {"advances", static_cast<bool>(d.selection.advances[t])}});
  }
  ordered_json sources = ordered_json::array();
  for (const auto& s : evidence.sources) sources.push_back({{"path", s}, {"hash", ContentHash(ReadFileBytes(s))}});
  ordered_json changes = ordered_json::array();
  for (const auto& p : sensitivity) {
    ordered_json who = ordered_json::array();
    for (size_t t = 0; t < n; ++t) {
      if (p.advances[t]) who.push_back(config.teams[t].name);
    }
    changes.push_back({{"change", p.change}, {"advancing", who}});
  }
  ordered_json report = {{"stage", config.name},
                         {"config", {{"path", o.config}, {"hash", ContentHash(ReadFileBytes(o.config))}}},
                         {"bootstrap", {{"replicates", d.replicates}, {"seed", config.seed}}},
                         {"teams", teams},
                         {"rubric", NodeJson(config.rubric, d, n)},
                         {"gates", gate_notes},
                         {"sensitivity", changes},
                         {"evidence", sources},
                         {"notes", evidence.notes}};
  fs::create_directories(o.out);
  const fs::path path = fs::path(o.out) / "report.json";
  std::ofstream(path) << report.dump(2) << "\n";
  std::printf("report: %s\n", path.string().c_str());
}

}  // namespace

void RegisterStageCommand(CLI::App& app) {
  CLI::App* stage = app.add_subcommand("stage", "Stage evaluation: points, gates, who advances");
  stage->require_subcommand(1);
  auto opts = std::make_shared<StageOptions>();
  CLI::App* run = stage->add_subcommand("run", "Score the teams from the recorded evidence");
  run->add_option("config", opts->config, "Stage config (stage.yaml)")->required();
  run->add_option("--out", opts->out, "Folder for report.json")->capture_default_str();
  run->callback([opts] { Run(*opts); });
}

}  // namespace kaieval::cli
