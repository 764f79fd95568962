// `kaieval review tokens|import|export|sheet`: the expert evaluation's paperwork. `tokens`
// prints each reviewer's private link to the review page (made once, kept in the campaign
// store); `import` checks a filled-in CSV sheet and adds its scores to the store; `export`
// writes the store's scores (the latest per item, reviewer and criterion) as the reviews CSV
// that `kaieval stage run` reads; `sheet` prints a reviewer's blank CSV sheet.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "kaieval/common/error.h"
#include "kaieval/review/assignment.h"
#include "kaieval/review/scores.h"
#include "kaieval/stage/stage_config.h"
#include "kaieval/store/evidence_store.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;

struct ReviewOptions {
  std::string stage;
  std::string campaign;
  std::string url = "http://127.0.0.1:8080";
  std::string file;      // import: the CSV; export: the output
  std::string reviewer;  // sheet
};

struct Loaded {
  stage::StageConfig config;
  review::AssignmentPlan plan;
};

Loaded Load(const std::string& stage_path) {
  Loaded l{stage::LoadStageConfig(stage_path), {}};
  if (!l.config.has_review) {
    throw InputError(fmt::format("{}: no review section (panels, reviewers, items)", stage_path));
  }
  std::vector<review::Team> teams;
  for (const auto& t : l.config.teams) teams.push_back({t.name, t.organisation});
  l.plan = review::AssignReviewers(l.config.review, teams, l.config.seed);
  return l;
}

// A CSV field in quotes, with quotes inside doubled (RFC 4180).
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void Tokens(const ReviewOptions& o) {
  const Loaded l = Load(o.stage);
  store::EvidenceStore store(o.campaign);
  std::printf("reviewer,name,items,link\n");
  const std::vector<int> loads = l.plan.Loads(l.config.review);
  for (size_t r = 0; r < l.config.review.reviewers.size(); ++r) {
    const auto& reviewer = l.config.review.reviewers[r];
    std::printf("%s,%s,%d,%s/review?token=%s\n", Quoted(reviewer.id).c_str(), Quoted(reviewer.name).c_str(),
                loads[r], o.url.c_str(), store.ReviewerToken(reviewer.id).c_str());
  }
  std::fprintf(stderr, "kaieval review: each link is a reviewer's password: send it to that reviewer only\n");
}

void Import(const ReviewOptions& o) {
  const Loaded l = Load(o.stage);
  const auto scores = review::ReadScoresCsvFile(o.file, l.config.review, l.plan);
  std::vector<store::StoredReviewScore> rows;
  const std::string source = fs::path(o.file).filename().string();
  for (const auto& s : scores) {
    rows.push_back({s.item, s.reviewer, s.criterion, s.score, static_cast<int64_t>(s.tstamp * 1000), source});
  }
  store::EvidenceStore(o.campaign).AddReviewScores(rows);
  std::printf("imported %zu scores from %s into %s\n", rows.size(), o.file.c_str(), o.campaign.c_str());
}

void Export(const ReviewOptions& o) {
  const Loaded l = Load(o.stage);
  if (!fs::exists(o.campaign)) throw InputError(fmt::format("{}: no such evidence store", o.campaign));
  std::vector<review::ReviewScore> scores;
  for (const auto& s : store::EvidenceStore(o.campaign).ReviewScores()) {
    scores.push_back({s.item, s.reviewer, s.criterion, s.score, static_cast<double>(s.tstamp_ms) / 1000});
  }
  const auto last = review::KeepLastScores(scores);
  std::ofstream out(o.file);
  if (!out) throw InputError(fmt::format("{}: cannot write", o.file));
  review::WriteScoresCsv(out, last);
  const review::ReviewTotals totals = review::CombineCriteria(l.config.review, last);
  std::printf("exported %zu scores (%zu complete reviews, %zu incomplete) to %s\n", last.size(),
              totals.complete.size(), totals.incomplete.size(), o.file.c_str());
}

void Sheet(const ReviewOptions& o) {
  const Loaded l = Load(o.stage);
  if (l.config.review.FindReviewer(o.reviewer) == nullptr) {
    throw InputError(fmt::format("{}: review.reviewers: no reviewer '{}'", o.stage, o.reviewer));
  }
  review::WriteReviewerSheetCsv(std::cout, l.config.review, l.plan, o.reviewer);
}

}  // namespace

void RegisterReviewCommand(CLI::App& app) {
  CLI::App* review = app.add_subcommand("review", "Expert evaluation: review links, score sheets, import and export");
  review->require_subcommand(1);
  auto o = std::make_shared<ReviewOptions>();
  auto stage_option = [o](CLI::App* cmd) {
    cmd->add_option("--stage", o->stage, "Stage config with the review section")->required();
  };
  CLI::App* tokens = review->add_subcommand("tokens", "Print each reviewer's private link to the review page");
  stage_option(tokens);
  tokens->add_option("--campaign", o->campaign, "Campaign evidence store (keeps the tokens)")->required();
  tokens->add_option("--url", o->url, "The review server's address as reviewers reach it")->capture_default_str();
  tokens->callback([o] { Tokens(*o); });

  CLI::App* import = review->add_subcommand("import", "Check a filled-in CSV sheet and add its scores to the store");
  import->add_option("csv", o->file, "CSV with item, reviewer, criterion, score")->required();
  stage_option(import);
  import->add_option("--campaign", o->campaign, "Campaign evidence store")->required();
  import->callback([o] { Import(*o); });

  CLI::App* out = review->add_subcommand("export", "Write the store's scores as the reviews CSV of the stage");
  stage_option(out);
  out->add_option("--campaign", o->campaign, "Campaign evidence store")->required();
  out->add_option("--out", o->file, "reviews.csv to write")->required();
  out->callback([o] { Export(*o); });

  CLI::App* sheet = review->add_subcommand("sheet", "Print a reviewer's blank CSV score sheet");
  stage_option(sheet);
  sheet->add_option("--reviewer", o->reviewer, "Reviewer id")->required();
  sheet->callback([o] { Sheet(*o); });
}

}  // namespace kaieval::cli
