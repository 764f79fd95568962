#include "kaieval/stage/evidence.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "kaieval/arena/battle_store.h"
#include "kaieval/arena/vote_filters.h"
#include "kaieval/common/error.h"
#include "kaieval/review/assignment.h"
#include "kaieval/review/panel_summary.h"
#include "kaieval/review/rater_adjustment.h"
#include "kaieval/review/scores.h"
#include "kaieval/common/file.h"
#include "kaieval/common/hash.h"
#include "kaieval/stats/bootstrap.h"
#include "kaieval/stats/bradley_terry.h"
#include "kaieval/stage/derivatives.h"

namespace kaieval::stage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const double kMissing = std::nan("");

// A generator for (stage seed, source, replicate): the same draws on every run.
std::mt19937_64 SourceGenerator(uint64_t seed, const std::string& source, size_t replicate) {
  const std::string h = ContentHash(source);
  const uint64_t source_bits = std::stoull(h.substr(0, 16), nullptr, 16);
  return std::mt19937_64(stats::BlockSeed(seed ^ source_bits, replicate));
}

// The newest results_*.json of a run folder ("" if none); names carry a sortable timestamp.
fs::path NewestResults(const fs::path& dir) {
  fs::path best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("results_", 0) == 0 && entry.path().extension() == ".json" &&
        (best.empty() || name > best.filename().string())) {
      best = entry.path();
    }
  }
  return best;
}

json ReadJson(const fs::path& path) {
  json j = json::parse(ReadFileBytes(path), nullptr, false);
  if (j.is_discarded()) throw InputError(fmt::format("{}: not JSON", path.string()));
  return j;
}

// Per team: the leaf's score and, where the run logged samples, the per-item values by doc id.
struct BenchmarkTeam {
  double score = kMissing;
  std::map<int64_t, double> items;
};

BenchmarkTeam ReadBenchmark(const StageConfig& config, const Team& team, const RubricNode& leaf,
                            EvidenceSet& out) {
  const std::string& task = leaf.evidence.params.at("task");
  const std::string& metric = leaf.evidence.params.at("metric");
  const std::string filter =
      leaf.evidence.params.count("filter") ? leaf.evidence.params.at("filter") : "none";
  const fs::path dir = fs::path(config.runs_dir) / team.run_name;
  const fs::path results_path = NewestResults(dir);
  BenchmarkTeam t;
  if (results_path.empty()) {
    if (team.model_type.empty()) {
      throw InputError(fmt::format(
          "{}: teams: '{}' has no model endpoint (model: {{type, model_args}}) and no benchmark "
          "results in {}, but rubric item '{}' needs them",
          config.path.string(), team.name, dir.string(), leaf.id));
    }
    out.notes.push_back(fmt::format("{}: no results for team {} in {} (run its tasks: kaieval run --model {} "
                                    "--model-args '{}' --tasks {} --output-path {})",
                                    leaf.id, team.name, dir.string(), team.model_type, team.model_args,
                                    task, config.runs_dir));
    return t;
  }
  const json results = ReadJson(results_path);
  const std::string key = metric + "," + filter;
  const json* value = nullptr;
  if (results.contains("results") && results["results"].contains(task) &&
      results["results"][task].contains(key)) {
    value = &results["results"][task][key];
  }
  if (value == nullptr || !value->is_number()) {
    out.notes.push_back(fmt::format("{}: {} has no {} for task {}", leaf.id, results_path.string(), key, task));
    return t;
  }
  t.score = value->get<double>();
  out.sources.push_back(results_path.string());
  const json& files = results.value("samples_files", json::object());
  if (!files.contains(task) || !files[task].is_string()) return t;
  const fs::path samples_path = dir / files[task].get<std::string>();
  std::ifstream in(samples_path);
  std::string line;
  while (std::getline(in, line)) {
    json s = json::parse(line, nullptr, false);
    if (s.is_discarded() || s.value("filter", "none") != filter || !s.contains(metric) ||
        !s[metric].is_number() || !s.contains("doc_id")) {
      continue;
    }
    t.items[s["doc_id"].get<int64_t>()] = s[metric].get<double>();
  }
  out.sources.push_back(samples_path.string());
  return t;
}

void GatherBenchmark(const StageConfig& config, const RubricNode& leaf, EvidenceSet& out) {
  const size_t n = config.teams.size();
  std::vector<BenchmarkTeam> teams;
  for (const auto& team : config.teams) teams.push_back(ReadBenchmark(config, team, leaf, out));
  std::vector<double>& scores = out.scores[leaf.id];
  for (const auto& t : teams) scores.push_back(t.score);
  // Items every scored team answered; the replicate is the mean over resampled items, the same
  // items for every team (paired). Where that mean is not the metric (perplexity, a metric with
  // no per-item values), the replicate is the point score.
  std::vector<int64_t> common;
  bool resample = true;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(teams[i].score)) continue;
    if (teams[i].items.empty()) resample = false;
    if (common.empty()) {
      for (const auto& [doc, v] : teams[i].items) common.push_back(doc);
    } else {
      std::erase_if(common, [&](int64_t doc) { return !teams[i].items.count(doc); });
    }
    double mean = 0;
    for (const auto& [doc, v] : teams[i].items) mean += v;
    if (!teams[i].items.empty() && std::abs(mean / static_cast<double>(teams[i].items.size()) - teams[i].score) > 1e-9) {
      resample = false;
    }
  }
  if (common.empty()) resample = false;
  if (!resample) out.notes.push_back(fmt::format("{}: items not resampled (no per-item mean); its interval is the point", leaf.id));
  out.details[leaf.id] = {{"task", leaf.evidence.params.at("task")},
                          {"metric", leaf.evidence.params.at("metric")},
                          {"items", resample ? common.size() : 0},
                          {"resampled", resample}};
  for (size_t b = 0; b < out.replicates.size(); ++b) {
    std::vector<double>& rep = out.replicates[b][leaf.id];
    rep = scores;
    if (!resample) continue;
    std::mt19937_64 rng = SourceGenerator(config.seed, "benchmark:" + leaf.id, b);
    std::vector<double> sum(n, 0.0);
    for (size_t k = 0; k < common.size(); ++k) {
      const int64_t doc = common[rng() % common.size()];
      for (size_t i = 0; i < n; ++i) {
        if (!std::isnan(scores[i])) sum[i] += teams[i].items.at(doc);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (!std::isnan(scores[i])) rep[i] = sum[i] / static_cast<double>(common.size());
    }
  }
}

void GatherArena(const StageConfig& config, const RubricNode& leaf, EvidenceSet& out) {
  if (!fs::exists(config.contest_db)) {
    throw InputError(fmt::format("{}: rubric item '{}': no contest store {}", config.path.string(),
                                 leaf.id, config.contest_db));
  }
  arena::BattleStore store(config.contest_db);
  std::vector<std::string> names;
  for (const auto& t : config.teams) names.push_back(t.arena_name);
  arena::FilterSettings settings{arena::DefaultIdentityLexicon(), {}, {}};
  for (const auto& name : names) settings.identity_words.owners.push_back({name, {arena::IdentityWord{name}}});
  arena::FilteredVotes f = arena::FilterVotes(store.ReadVotes(), store.ReadOverrides(), names, settings);
  std::vector<stats::Battle> battles;
  for (size_t i = 0; i < f.votes.size(); ++i) {
    if (!f.why[i]) battles.push_back({f.votes[i].model_a, f.votes[i].model_b, f.votes[i].outcome});
  }
  out.sources.push_back(config.contest_db);
  std::vector<double>& scores = out.scores[leaf.id];
  scores.assign(config.teams.size(), kMissing);
  if (battles.empty()) {
    out.notes.push_back(fmt::format("{}: the contest has no counted votes", leaf.id));
    for (auto& rep : out.replicates) rep[leaf.id] = scores;
    return;
  }
  const size_t n_models = f.model_names.size();
  const int resamples = std::max(2, static_cast<int>(out.replicates.size()));
  stats::RatingIntervals r = stats::BootstrapRatings(n_models, battles, {}, resamples,
                                                     stats::BlockSeed(config.seed, 0xA7E4A), 0);
  nlohmann::ordered_json excluded = nlohmann::ordered_json::object();
  for (const auto& [reason, count] : f.counts) excluded[arena::ExclusionReasonName(reason)] = count;
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (size_t t = 0; t < config.teams.size(); ++t) {
    if (r.point.battles[t] > 0) scores[t] = r.point.rating[t];
    models.push_back({{"model", names[t]}, {"battles", r.point.battles[t]}});
  }
  out.details[leaf.id] = {{"votes", f.votes.size()}, {"counted", battles.size()},
                          {"excluded", excluded}, {"models", models}};
  for (size_t b = 0; b < out.replicates.size(); ++b) {
    std::vector<double>& rep = out.replicates[b][leaf.id];
    rep = scores;
    for (size_t t = 0; t < config.teams.size(); ++t) {
      if (!std::isnan(scores[t])) rep[t] = r.replicates[b * n_models + t];
    }
  }
}

// Per team: the mean over its rated items in the panel of `per_unit` (NaN without items).
std::vector<double> TeamMeans(const StageConfig& config, const review::Ratings& ratings,
                              const review::RaterAdjustment& adj, const std::vector<double>& per_unit) {
  const size_t n = config.teams.size();
  std::vector<double> sum(n, 0.0), count(n, 0.0);
  for (size_t u = 0; u < ratings.units.size(); ++u) {
    if (adj.ratings_per_unit[u] == 0) continue;
    const review::ReviewItem* item = config.review.FindItem(ratings.units[u]);
    const int t = item ? TeamIndex(config, item->team) : -1;
    if (t < 0) continue;
    sum[t] += per_unit[u];
    count[t] += 1;
  }
  std::vector<double> out(n, kMissing);
  for (size_t t = 0; t < n; ++t) {
    if (count[t] > 0) out[t] = sum[t] / count[t];
  }
  return out;
}

// Per team: the mean severity-adjusted score of its items in the panel (NaN without items).
std::vector<double> TeamReviewScores(const StageConfig& config, const review::Ratings& ratings) {
  if (ratings.values.empty()) return std::vector<double>(config.teams.size(), kMissing);
  const review::RaterAdjustment adj = review::FitAdditiveRaterEffects(ratings);
  return TeamMeans(config, ratings, adj, adj.adjusted);
}

nlohmann::ordered_json Finite(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

// The panel as the report shows it: agreement, each reviewer's effect and flag, and per team
// the raw and the severity-adjusted mean.
nlohmann::ordered_json PanelDetails(const StageConfig& config, const review::PanelSummary& summary) {
  using nlohmann::ordered_json;
  ordered_json raters = ordered_json::array();
  const auto& adj = summary.additive;
  for (size_t r = 0; r < summary.ratings.raters.size(); ++r) {
    ordered_json row = {{"reviewer", summary.ratings.raters[r]},
                        {"reviews", adj.ratings_per_rater.empty() ? 0 : adj.ratings_per_rater[r]},
                        {"effect", adj.rater_effect.empty() ? ordered_json(nullptr) : Finite(adj.rater_effect[r])}};
    for (const auto& a : summary.raters) {
      if (a.rater != summary.ratings.raters[r]) continue;
      row["disagreement_ratio"] = Finite(a.disagreement_ratio);
      row["z"] = Finite(a.z);
      row["flagged"] = a.flagged;
    }
    raters.push_back(row);
  }
  ordered_json teams = ordered_json::array();
  if (!summary.ratings.values.empty()) {
    const auto raw = TeamMeans(config, summary.ratings, adj, adj.raw);
    const auto adjusted = TeamMeans(config, summary.ratings, adj, adj.adjusted);
    for (size_t t = 0; t < config.teams.size(); ++t) {
      teams.push_back({{"raw", Finite(raw[t])}, {"adjusted", Finite(adjusted[t])}});
    }
  }
  return {{"panel", summary.panel},
          {"reviews", summary.ratings.values.size()},
          {"incomplete", summary.incomplete.size()},
          {"alpha", Finite(summary.alpha.alpha)},
          {"icc_single", Finite(summary.icc.single)},
          {"icc_average", Finite(summary.icc.average)},
          {"reviewers", raters},
          {"teams", teams}};
}

void GatherReview(const StageConfig& config, const RubricNode& leaf, EvidenceSet& out) {
  const std::string& panel = leaf.evidence.params.at("panel");
  if (config.review.FindPanel(panel) == nullptr) {
    throw InputError(fmt::format("{}: rubric item '{}': no review panel '{}'", config.path.string(),
                                 leaf.id, panel));
  }
  std::vector<review::Team> teams;
  for (const auto& t : config.teams) teams.push_back({t.name, t.organisation});
  const review::AssignmentPlan plan = review::AssignReviewers(config.review, teams, config.seed);
  const auto scores = review::ReadScoresCsvFile(config.reviews_csv, config.review, plan);
  const review::ReviewTotals totals = review::CombineCriteria(config.review, scores);
  const review::Ratings ratings = review::PanelRatings(config.review, totals.complete, panel);
  out.sources.push_back(config.reviews_csv);
  out.scores[leaf.id] = TeamReviewScores(config, ratings);

  const review::PanelSummary summary = review::SummarisePanel(config.review, totals, panel);
  std::string flagged;
  for (const auto& r : summary.raters) {
    if (r.flagged) flagged += (flagged.empty() ? "" : ", ") + r.rater;
  }
  out.notes.push_back(fmt::format(
      "{}: panel {}: {} reviews, Krippendorff's alpha (interval) {:.3f}, ICC(1,1) {:.3f}; "
      "flagged reviewers: {}; incomplete reviews: {}",
      leaf.id, panel, ratings.values.size(), summary.alpha.alpha, summary.icc.single,
      flagged.empty() ? "none" : flagged, summary.incomplete.size()));
  out.details[leaf.id] = PanelDetails(config, summary);

  // Replicates resample each item's reviews with replacement and refit the rater effects.
  std::vector<std::vector<review::Rating>> by_unit(ratings.units.size());
  for (const auto& r : ratings.values) by_unit[r.unit].push_back(r);
  for (size_t b = 0; b < out.replicates.size(); ++b) {
    std::mt19937_64 rng = SourceGenerator(config.seed, "review:" + leaf.id, b);
    review::Ratings resampled{ratings.units, ratings.raters, {}};
    for (const auto& unit : by_unit) {
      for (size_t k = 0; k < unit.size(); ++k) resampled.values.push_back(unit[rng() % unit.size()]);
    }
    out.replicates[b][leaf.id] = TeamReviewScores(config, resampled);
  }
}

void GatherValue(const StageConfig& config, const RubricNode& leaf, EvidenceSet& out) {
  std::vector<double>& scores = out.scores[leaf.id];
  for (const auto& team : config.teams) {
    auto it = leaf.evidence.values.find(team.name);
    scores.push_back(it == leaf.evidence.values.end() ? kMissing : it->second);
    if (it == leaf.evidence.values.end()) {
      out.notes.push_back(fmt::format("{}: no value for team {}", leaf.id, team.name));
    }
  }
  for (auto& rep : out.replicates) rep[leaf.id] = scores;
}

}  // namespace

EvidenceSet GatherEvidence(const StageConfig& config) {
  EvidenceSet out;
  out.replicates.resize(static_cast<size_t>(config.bootstrap));
  for (const RubricNode* leaf : Leaves(config.rubric)) {
    const std::string& kind = leaf->evidence.kind;
    if (kind == "benchmark") {
      GatherBenchmark(config, *leaf, out);
    } else if (kind == "arena") {
      GatherArena(config, *leaf, out);
    } else if (kind == "value") {
      GatherValue(config, *leaf, out);
    } else if (kind == "review") {
      GatherReview(config, *leaf, out);
    } else if (kind == "derivatives") {
      GatherDerivatives(config, *leaf, out);
    } else {
      throw InputError(fmt::format("{}: rubric item '{}': {} evidence is not read by this version yet "
                                   "(record it with evidence: {{value: ...}})",
                                   config.path.string(), leaf->id, kind));
    }
  }
  return out;
}

std::vector<bool> EvaluateGates(const StageConfig& config, const LeafScores& scores,
                                std::vector<std::string>* why) {
  std::vector<bool> pass(config.teams.size(), true);
  for (size_t t = 0; t < config.teams.size(); ++t) {
    const std::string& team = config.teams[t].name;
    if (config.originality_required) {
      std::string verdict;
      for (const auto& [name, v] : config.originality_verdicts) {
        if (name == team) verdict = v;
      }
      for (const auto& o : config.overrides) {
        if (o.team == team && o.gate == "originality") verdict = o.decision;
      }
      if (verdict == "fail") {
        pass[t] = false;
        if (why) why->push_back(fmt::format("{}: originality check failed", team));
      }
    }
    for (const auto& gate : config.safety) {
      const double s = scores.at(gate.leaf)[t];
      if (!(s >= gate.min)) {
        pass[t] = false;
        if (why) why->push_back(fmt::format("{}: {} = {:.4g} below the minimum {}", team, gate.leaf, s, gate.min));
      } else if (!(s <= gate.max)) {
        pass[t] = false;
        if (why) why->push_back(fmt::format("{}: {} = {:.4g} above the maximum {}", team, gate.leaf, s, gate.max));
      }
    }
  }
  return pass;
}

}  // namespace kaieval::stage
