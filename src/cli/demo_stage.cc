#include "demo_stage.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"
#include "kaieval/review/assignment.h"
#include "kaieval/review/scores.h"
#include "kaieval/stage/report_html.h"
#include "kaieval/stage/stage_config.h"
#include "demo_evidence.h"
#include "stage_summary.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;

// The simulated experts' view of each team's work (1..10) and of each reviewer's severity
// (added to every score they give). Hidden from the scoring; printed beside its result.
const std::map<std::string, double> kSimulatedQuality = {
    {"hanul-7b", 8.0}, {"dalbit-5b", 7.0}, {"sanmaru-3b", 6.0}, {"narae-2b", 6.5}, {"byeol-1b", 4.5}};

double Uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// A standard normal draw from two uniforms (Box-Muller), the same on every standard library.
double Normal(std::mt19937_64& rng) {
  const double u = std::max(Uniform(rng), 1e-300), v = Uniform(rng);
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

void SimulateReviews(const stage::StageConfig& config, const std::string& csv_path) {
  std::vector<review::Team> teams;
  for (const auto& t : config.teams) teams.push_back({t.name, t.organisation});
  const review::AssignmentPlan plan = review::AssignReviewers(config.review, teams, config.seed);
  std::mt19937_64 rng(config.seed);
  std::map<std::string, double> severity;
  const size_t n = config.review.reviewers.size();
  for (size_t i = 0; i < n; ++i) {
    // Evenly from -1.5 (strict) to +1.5 (lenient).
    severity[config.review.reviewers[i].id] = n > 1 ? -1.5 + 3.0 * static_cast<double>(i) / static_cast<double>(n - 1) : 0;
  }
  std::vector<review::ReviewScore> scores;
  for (const auto& a : plan.assignments) {
    const review::ReviewItem* item = config.review.FindItem(a.item);
    const review::ReviewPanel* panel = config.review.FindPanel(item->panel);
    for (const auto& criterion : panel->criteria) {
      const double raw = kSimulatedQuality.at(item->team) + severity[a.reviewer] + 0.7 * Normal(rng);
      const int score = static_cast<int>(std::clamp(std::lround(raw), 1L, 10L));
      scores.push_back({a.item, a.reviewer, criterion.id, score, 0});
    }
  }
  std::ofstream out(csv_path);
  review::WriteScoresCsv(out, scores);
  std::printf("\nExpert evaluation (SIMULATED experts): %zu scores by %zu reviewers, %s\n",
              scores.size(), n, csv_path.c_str());
  std::printf("simulated severities:");
  for (const auto& r : config.review.reviewers) std::printf(" %s %+.2f", r.id.c_str(), severity[r.id]);
  std::printf("\nsimulated quality:");
  for (const auto& [team, q] : kSimulatedQuality) std::printf(" %s %.1f", team.c_str(), q);
  std::printf("\n");
}

}  // namespace

void RunDemoStage(const std::string& stage_example, const std::string& out_dir) {
  const fs::path out = fs::absolute(out_dir);
  std::string text = ReadFileBytes(stage_example);
  // Every evidence path of the example points under ../../out/demo/: here, under `out`.
  const std::string prefix = "../../out/demo/";
  if (text.find(prefix) == std::string::npos) {
    throw InputError(fmt::format("{}: expected evidence paths under {}", stage_example, prefix));
  }
  for (size_t at; (at = text.find(prefix)) != std::string::npos;) text.replace(at, prefix.size(), out.string() + "/");
  const fs::path stage_yaml = out / "stage.yaml";
  std::ofstream(stage_yaml) << text;
  const stage::StageConfig config = stage::LoadStageConfig(stage_yaml);
  SimulateReviews(config, (out / "reviews.csv").string());
  MakeDemoEvidence(out.string());
  const stage::StageRun run = stage::RunStage(stage_yaml.string());
  PrintStageSummary(run);
  const std::string json =
      WriteStageReport(run, (out / "stage").string(), (out / "campaign.db").string());
  // The committee's report: HTML and PDF from the built page (make web builds it).
  const std::string template_path = "web/dist-report/report.html";
  if (fs::exists(template_path)) {
    const stage::StaticReport r =
        stage::WriteStaticReport(json, (out / "report").string(), template_path, {});
    std::printf("report: %s%s\n", r.html.string().c_str(),
                r.pdf_written ? (" and " + r.pdf.string()).c_str() : " (no Chromium: no PDF)");
  } else {
    std::printf("report: no %s (make web builds it); the data is in %s\n", template_path.c_str(),
                json.c_str());
  }
  std::printf("decision data: %s, recorded in %s (check it: kaieval stage verify %s --store %s)\n",
              json.c_str(), (out / "campaign.db").string().c_str(), json.c_str(),
              (out / "campaign.db").string().c_str());
}

}  // namespace kaieval::cli
