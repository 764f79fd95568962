#include "kaieval/arena/leaderboard_service.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "kaieval/arena/leaderboard.h"

namespace kaieval::arena {
namespace {

using nlohmann::json;

std::string IsoTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(seconds));
}

const char* WinnerName(stats::Battle::Outcome o) {
  using O = stats::Battle::Outcome;
  switch (o) {
    case O::kWinA: return "model_a";
    case O::kWinB: return "model_b";
    case O::kTie: return "tie";
    case O::kBothBad: return "tie (bothbad)";
  }
  return "tie";
}

}  // namespace

LeaderboardService::LeaderboardService(Contest& contest)
    : contest_(contest), settings_(LoadFilterSettings(contest.config())) {}

FilteredVotes LeaderboardService::Filter(const std::set<ExclusionReason>& disabled) {
  std::vector<std::string> names;
  for (const auto& m : contest_.config().models) names.push_back(m.name);
  return FilterVotes(contest_.store().ReadVotes(), contest_.store().ReadOverrides(), names,
                     settings_, disabled);
}

json LeaderboardService::Compute(const FilteredVotes& filtered) {
  const ContestConfig& config = contest_.config();
  json excluded = json::object();
  for (const auto& [reason, count] : filtered.counts) excluded[ExclusionReasonName(reason)] = count;
  const int64_t total = static_cast<int64_t>(filtered.votes.size());
  int64_t counted = 0;
  std::vector<stats::Battle> battles;
  for (size_t i = 0; i < filtered.votes.size(); ++i) {
    if (filtered.why[i]) continue;
    ++counted;
    const VoteRecord& v = filtered.votes[i];
    battles.push_back({v.model_a, v.model_b, v.outcome});
  }

  json out = {{"updated_at", IsoTime(contest_.Now())},
              {"simulated", config.simulated},
              {"votes", {{"total", total}, {"counted", counted}, {"excluded", excluded}}}};
  const std::vector<std::string>& names = filtered.model_names;
  std::vector<double> lower(names.size(), std::nan("")), upper(names.size(), std::nan(""));
  if (!battles.empty()) {
    LeaderboardOptions options;
    options.resamples = config.leaderboard.bootstrap;
    options.seed = config.leaderboard.seed;
    options.threads = 1;  // the server's other threads are answering people
    for (uint32_t i = 0; i < names.size(); ++i) {
      if (names[i] == config.leaderboard.anchor) {
        options.rating.anchor = static_cast<int>(i);
        options.rating.anchor_rating = config.leaderboard.anchor_rating;
      }
    }
    Leaderboard board = BuildLeaderboard(names, battles, options);
    out.update(LeaderboardJson(board));
    lower = board.ratings.lower;
    upper = board.ratings.upper;
  } else {
    out["models"] = json::array();
    out["matrix"] = {{"models", json::array()}, {"win_rate", json::array()}, {"battles", json::array()}};
  }
  // Adaptive sampling follows the intervals of the models in the config.
  lower.resize(config.models.size());
  upper.resize(config.models.size());
  contest_.UpdateIntervals(lower, upper);
  json pairs = json::array();
  for (const auto& w : contest_.SamplingWeights()) {
    pairs.push_back({{"a", w.a}, {"b", w.b}, {"weight", w.weight}});
  }
  out["sampling"] = {
      {"mode", config.sampling.mode == SamplingMode::kAdaptive ? "adaptive" : "uniform"},
      {"pairs", pairs}};
  return out;
}

json LeaderboardService::Public() {
  std::lock_guard lock(mutex_);
  const int64_t now = contest_.Now();
  const int64_t refresh_ms = int64_t{contest_.config().leaderboard.refresh_seconds} * 1000;
  if (cached_.is_null() || (dirty_ && now - computed_at_ms_ >= refresh_ms)) {
    dirty_ = false;  // votes arriving during the computation set it again
    cached_ = Compute(Filter({}));
    computed_at_ms_ = now;
  }
  return cached_;
}

json LeaderboardService::Audit(const std::set<ExclusionReason>& disabled) {
  std::lock_guard lock(mutex_);
  json out = Compute(Filter(disabled));
  json off = json::array();
  for (ExclusionReason r : disabled) off.push_back(ExclusionReasonName(r));
  out["disabled_filters"] = off;
  return out;
}

std::string LeaderboardService::ExportVotesJsonl() {
  FilteredVotes filtered = Filter({});
  std::string out;
  for (size_t i = 0; i < filtered.votes.size(); ++i) {
    const VoteRecord& v = filtered.votes[i];
    json line = {{"vote_id", v.vote_id},
                 {"model_a", filtered.model_names[v.model_a]},
                 {"model_b", filtered.model_names[v.model_b]},
                 {"winner", WinnerName(v.outcome)},
                 {"tstamp", static_cast<double>(v.tstamp_ms) / 1000.0},
                 {"anony", true},
                 {"excluded", filtered.why[i].has_value()},
                 {"reason", filtered.why[i] ? ExclusionReasonName(filtered.why[i]->reason) : ""}};
    out += line.dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

json LeaderboardService::ExclusionsJson() {
  FilteredVotes filtered = Filter({});
  json exclusions = json::array();
  for (const auto& w : filtered.why) {
    if (!w) continue;
    exclusions.push_back(
        {{"vote_id", w->vote_id}, {"reason", ExclusionReasonName(w->reason)}, {"detail", w->detail}});
  }
  json voters = json::array();
  for (const auto& t : filtered.voter_tests) {
    voters.push_back({{"voter", t.voter},
                      {"votes", t.votes},
                      {"statistic", t.max_statistic},
                      {"flagged", t.flagged},
                      {"alternative", t.alternative}});
  }
  return {{"exclusions", exclusions}, {"voter_tests", voters}};
}

}  // namespace kaieval::arena
