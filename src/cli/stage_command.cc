// `kaieval stage run stage.yaml [--out DIR] [--store DB]`: scores every team on the rubric from the recorded
// evidence, with bootstrap intervals, applies the gates and the selection rule, estimates
// P(advance), lists the perturbations that change the decision, prints a summary and writes
// DIR/report.json (and records the decision in the store). `kaieval stage verify` recomputes a report; `kaieval stage report` turns one
// into report.html and report.pdf.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "stage_summary.h"
#include "kaieval/common/file.h"
#include "kaieval/common/hash.h"
#include "kaieval/common/error.h"
#include "kaieval/stage/report_html.h"
#include "kaieval/stage/stage_run.h"
#include "kaieval/store/evidence_store.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct StageOptions {
  std::string config;
  std::string out = "out/stage";
  std::string store;  // the campaign's evidence store, where the decision is recorded
};

struct VerifyOptions {
  std::string report;
  std::string store;  // also check the store's latest decision of this stage
};

struct ReportOptions {
  std::string report;
  std::string out;
  std::string template_path = "web/dist-report/report.html";
  std::string chromium = "/usr/bin/chromium";
};

}  // namespace

void PrintStageSummary(const stage::StageRun& run) {
  const stage::StageConfig& config = run.config;
  const size_t n = config.teams.size();
  const stage::StageDecision& d = run.decision;
  const auto& gates = run.gates;
  const auto& sensitivity = run.sensitivity;

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
  for (const auto& g : run.gate_notes) std::printf("gate: %s\n", g.c_str());
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
  for (const auto& note : run.evidence.notes) std::printf("note: %s\n", note.c_str());
}

std::string WriteStageReport(const stage::StageRun& run, const std::string& out_dir,
                             const std::string& store) {
  fs::create_directories(out_dir);
  const fs::path path = fs::path(out_dir) / "report.json";
  const ordered_json report = stage::StageReportJson(run);
  std::ofstream(path) << report.dump(2) << "\n";
  if (!store.empty()) {
    store::EvidenceStore(store).RecordDecision(run.config.name, report["config"]["hash"].get<std::string>(),
                                               report);
  }
  return path.string();
}

namespace {

void Run(const StageOptions& o) {
  const stage::StageRun run = stage::RunStage(o.config);
  PrintStageSummary(run);
  std::printf("report: %s\n", WriteStageReport(run, o.out, o.store).c_str());
  if (!o.store.empty()) std::printf("decision recorded in %s\n", o.store.c_str());
}

// The store's latest decision of the report's stage must be the report itself.
void VerifyRecorded(const std::string& store_path, const std::string& report_path,
                    const ordered_json& report) {
  if (!fs::exists(store_path)) throw InputError(fmt::format("{}: no such evidence store", store_path));
  store::EvidenceStore store(store_path);
  const std::string stage = report.value("stage", "");
  const store::StoredDecision* latest = nullptr;
  const auto decisions = store.Decisions();
  for (const auto& d : decisions) {
    if (d.stage == stage) latest = &d;
  }
  if (latest == nullptr) {
    throw InputError(fmt::format("{}: no decision of stage '{}' is recorded", store_path, stage));
  }
  if (latest->report != report) {
    throw InputError(fmt::format("{}: decision {} of stage '{}' differs from {}", store_path,
                                 latest->id, stage, report_path));
  }
  std::printf("verified: %s decision %lld (report hash %s) is this report\n", store_path.c_str(),
              static_cast<long long>(latest->id), latest->report_hash.c_str());
}

// Recomputes the report from the config and evidence it names and compares it byte for byte.
void Verify(const VerifyOptions& o) {
  const std::string& report_path = o.report;
  const ordered_json recorded = ordered_json::parse(ReadFileBytes(report_path), nullptr, false);
  if (recorded.is_discarded() || !recorded.contains("config") || !recorded["config"].contains("path")) {
    throw InputError(fmt::format("{}: not a stage report (no config.path)", report_path));
  }
  const std::string config_path = recorded["config"]["path"].get<std::string>();
  const ordered_json again = stage::StageReportJson(stage::RunStage(config_path));
  if (again.dump(2) != recorded.dump(2)) {
    for (const char* key : {"config", "evidence", "teams", "rubric", "sensitivity", "gates"}) {
      if (again[key] != recorded[key]) {
        throw InputError(fmt::format("{}: '{}' differs when recomputed from the evidence", report_path, key));
      }
    }
    throw InputError(fmt::format("{}: differs when recomputed from the evidence", report_path));
  }
  std::printf("verified: %s reproduces bit for bit from %s and %zu evidence files\n",
              report_path.c_str(), config_path.c_str(), recorded["evidence"].size());
  if (!o.store.empty()) VerifyRecorded(o.store, report_path, recorded);
}

// The report as a page that opens from file:// and as a PDF of it.
void Report(const ReportOptions& o) {
  const stage::StaticReport out =
      stage::WriteStaticReport(o.report, o.out, o.template_path, {.chromium = o.chromium});
  std::printf("report: %s\njson: %s\n", out.html.c_str(), out.json.c_str());
  if (out.pdf_written) {
    std::printf("pdf: %s\n", out.pdf.c_str());
  } else {
    spdlog::warn("{} not found: wrote report.html and report.json, no report.pdf", o.chromium);
  }
}

}  // namespace

void RegisterStageCommand(CLI::App& app) {
  CLI::App* stage = app.add_subcommand("stage", "Stage evaluation: points, gates, who advances");
  stage->require_subcommand(1);
  auto opts = std::make_shared<StageOptions>();
  CLI::App* run = stage->add_subcommand("run", "Score the teams from the recorded evidence");
  run->add_option("config", opts->config, "Stage config (stage.yaml)")->required();
  run->add_option("--out", opts->out, "Folder for report.json")->capture_default_str();
  run->add_option("--store", opts->store, "Evidence store (campaign.db) to record the decision in");
  run->callback([opts] { Run(*opts); });
  auto verify_opts = std::make_shared<VerifyOptions>();
  CLI::App* verify = stage->add_subcommand("verify", "Recompute a report.json from its evidence and compare");
  verify->add_option("report", verify_opts->report, "report.json written by stage run")->required();
  verify->add_option("--store", verify_opts->store, "Also check the decision recorded in this store");
  verify->callback([verify_opts] { Verify(*verify_opts); });
  auto report_opts = std::make_shared<ReportOptions>();
  CLI::App* html =
      stage->add_subcommand("report", "Write report.html and report.pdf from a report.json");
  html->add_option("report", report_opts->report, "report.json written by stage run")->required();
  html->add_option("--out", report_opts->out, "Folder for report.html, report.json and report.pdf")
      ->required();
  html->add_option("--template", report_opts->template_path, "The built report page (make web)")
      ->capture_default_str();
  html->add_option("--chromium", report_opts->chromium, "Headless Chromium for the PDF")
      ->capture_default_str();
  html->callback([report_opts] { Report(*report_opts); });
}

}  // namespace kaieval::cli
