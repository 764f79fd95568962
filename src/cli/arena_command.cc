// `kaieval arena rate BATTLES`: the arena leaderboard from a battle file (FastChat's
// clean_battle JSON or kaieval's battle JSONL): Bradley-Terry ratings with bootstrap intervals
// and ranks, optionally style-controlled, as a table or as the leaderboard JSON (docs/api.md).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "kaieval/arena/battle_file.h"
#include "kaieval/arena/leaderboard.h"
#include "kaieval/common/error.h"
#include "kaieval/stats/style_control.h"

namespace kaieval::cli {
namespace {

struct RateArgs {
  std::string battles;
  std::string format;  // empty: from the extension
  int bootstrap = 1000;
  uint64_t seed = 1234;
  int threads = 0;
  std::string anchor;  // MODEL=RATING
  bool style_control = false;
  bool drop_ties = false;
  bool anony_only = false;
  bool json = false;
};

struct Anchor {
  int model = -1;
  double rating = 1000;
};

Anchor ParseAnchor(const std::string& text, const std::vector<std::string>& models,
                   const std::string& file) {
  if (text.empty()) return {};
  const size_t eq = text.rfind('=');
  double rating = 0;
  const char* end = text.data() + text.size();
  if (eq == std::string::npos || eq == 0 ||
      std::from_chars(text.data() + eq + 1, end, rating).ptr != end || !std::isfinite(rating)) {
    throw InputError(
        fmt::format("--anchor: '{}'; expected MODEL=RATING, e.g. hanul-7b=1000", text));
  }
  const std::string name = text.substr(0, eq);
  const auto it = std::lower_bound(models.begin(), models.end(), name);
  if (it == models.end() || *it != name) {
    throw InputError(fmt::format("--anchor: model '{}' has no counted battle in {}", name, file));
  }
  return {static_cast<int>(it - models.begin()), rating};
}

void PrintTable(const arena::Leaderboard& board) {
  size_t width = 5;
  for (const auto& e : board.models) width = std::max(width, e.name.size());
  std::printf("%4s  %-*s  %8s  %-20s  %8s\n", "rank", static_cast<int>(width), "model", "rating",
              "95% CI", "votes");
  for (const auto& e : board.models) {
    const std::string ci = fmt::format("[{:.1f}, {:.1f}]", e.lower, e.upper);
    std::printf("%4d  %-*s  %8.1f  %-20s  %8s\n", e.rank, static_cast<int>(width), e.name.c_str(),
                e.rating, ci.c_str(), fmt::format("{:g}", e.votes).c_str());
  }
}

void PrintCoefficients(const stats::StyleControlIntervals& style) {
  std::printf("\nstyle coefficients (log-odds per standard deviation of (a - b) / (a + b + 1))\n");
  for (size_t k = 0; k < stats::kStyleFeatures; ++k) {
    std::printf("  %-8s %+8.4f  [%+.4f, %+.4f]\n", stats::kStyleFeatureNames[k],
                style.point.coefficients[k], style.coefficient_lower[k],
                style.coefficient_upper[k]);
  }
}

nlohmann::json StyleJson(const stats::StyleControlIntervals& style) {
  nlohmann::json features = nlohmann::json::array(), coefficients = nlohmann::json::array(),
                 lower = nlohmann::json::array(), upper = nlohmann::json::array();
  for (size_t k = 0; k < stats::kStyleFeatures; ++k) {
    features.push_back(stats::kStyleFeatureNames[k]);
    coefficients.push_back(style.point.coefficients[k]);
    lower.push_back(style.coefficient_lower[k]);
    upper.push_back(style.coefficient_upper[k]);
  }
  return {
      {"features", features}, {"coefficients", coefficients}, {"lower", lower}, {"upper", upper}};
}

void Rate(const RateArgs& args) {
  if (args.bootstrap < 2) {
    throw InputError(fmt::format("--bootstrap: {}; expected at least 2 resamples", args.bootstrap));
  }
  if (args.threads < 0) throw InputError("--threads: expected 0 (all cores) or more");
  arena::BattleFileOptions read{
      .drop_ties = args.drop_ties, .anony_only = args.anony_only, .style = args.style_control};
  if (!args.format.empty()) read.format = arena::ParseBattleFormat(args.format, "--format");
  const arena::BattleFile file = arena::ReadBattleFile(args.battles, read);
  if (file.models.size() < 2) {
    throw InputError(fmt::format("{}: {} model(s) with counted battles; expected at least 2",
                                 args.battles, file.models.size()));
  }
  const Anchor anchor = ParseAnchor(args.anchor, file.models, args.battles);

  arena::Leaderboard board;
  std::unique_ptr<stats::StyleControlIntervals> style;
  if (args.style_control) {
    const stats::StyleControlOptions options{.anchor = anchor.model,
                                             .anchor_rating = anchor.rating};
    style = std::make_unique<stats::StyleControlIntervals>(
        stats::BootstrapStyleControl(file.models.size(), file.battles, file.styles, options,
                                     args.bootstrap, args.seed, args.threads));
    board = arena::MakeLeaderboard(file.models, file.cells, style->ratings);
  } else {
    arena::LeaderboardOptions options{
        .resamples = args.bootstrap, .seed = args.seed, .threads = args.threads};
    options.rating.anchor = anchor.model;
    options.rating.anchor_rating = anchor.rating;
    board = arena::BuildLeaderboard(file.models, file.cells, options);
  }
  if (!board.ratings.point.converged) {
    spdlog::warn("the rating fit stopped after {} iterations without converging",
                 board.ratings.point.iterations);
  }

  if (args.json) {
    nlohmann::json out = arena::LeaderboardJson(board);
    if (style) out["style_control"] = StyleJson(*style);
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::vector<std::string> dropped;
  if (file.dropped_ties) dropped.push_back(fmt::format("{} ties", file.dropped_ties));
  if (file.dropped_not_anony) {
    dropped.push_back(fmt::format("{} not anonymous", file.dropped_not_anony));
  }
  if (file.dropped_excluded) dropped.push_back(fmt::format("{} excluded", file.dropped_excluded));
  const std::string summary =
      fmt::format("{} battles among {} models ({} read{}{}); {}bootstrap {} resamples, seed {}",
                  file.counted, file.models.size(), file.records,
                  dropped.empty() ? "" : "; left out: ", fmt::join(dropped, ", "),
                  style ? "style control; " : "", args.bootstrap, args.seed);
  std::printf("%s\n\n", summary.c_str());
  PrintTable(board);
  if (style) PrintCoefficients(*style);
}

}  // namespace

void RegisterArenaCommand(CLI::App& app) {
  CLI::App* arena = app.add_subcommand("arena", "Arena battles: ratings and leaderboards");
  arena->require_subcommand(1);
  auto args = std::make_shared<RateArgs>();
  CLI::App* rate = arena->add_subcommand(
      "rate", "Bradley-Terry leaderboard with bootstrap intervals from a battle file");
  rate->add_option("battles", args->battles,
                   "Battle file: FastChat clean_battle JSON (.json) or kaieval JSONL (.jsonl)")
      ->required();
  rate->add_option("--format", args->format,
                   "kaieval or fastchat (default: by extension, .json = fastchat)");
  rate->add_option("--bootstrap", args->bootstrap, "Bootstrap resamples")->capture_default_str();
  rate->add_option("--seed", args->seed, "Bootstrap seed")->capture_default_str();
  rate->add_option("--threads", args->threads, "Worker threads (0 = all cores)")
      ->capture_default_str();
  rate->add_flag("--style-control", args->style_control,
                 "Fit with length/header/list/bold covariates (needs conv_metadata)");
  rate->add_option("--anchor", args->anchor,
                   "Shift ratings so that MODEL has RATING (MODEL=RATING)");
  rate->add_flag("--drop-ties", args->drop_ties, "Leave out tie and tie (bothbad) battles");
  rate->add_flag("--anony-only", args->anony_only, "Only battles with \"anony\": true");
  rate->add_flag("--json", args->json, "Print the leaderboard JSON (docs/api.md)");
  rate->callback([args] { Rate(*args); });
}

}  // namespace kaieval::cli
