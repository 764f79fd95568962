#include "kaieval/arena/suspicious_voters.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "kaieval/common/error.h"
#include "kaieval/common/yaml_reader.h"

namespace kaieval::arena {
namespace {

using Outcome = stats::Battle::Outcome;

// The first option out of range: {its key, "expected ..., got ..."}; {"", ""} when all are fine.
std::pair<std::string, std::string> Problem(const SuspiciousVoterOptions& o) {
  auto in = [](double x, double lo, double hi) { return x >= lo && x <= hi; };  // false for NaN
  if (o.min_votes < 1)
    return {"min_votes", fmt::format("expected an integer >= 1, got {}", o.min_votes)};
  if (!in(o.alpha, 0, 1) || o.alpha == 0 || o.alpha == 1) {
    return {"alpha", fmt::format("expected a number in (0, 1), got {}", o.alpha)};
  }
  if (!in(o.beta, 0, 1) || o.beta >= 1 - o.alpha) {
    return {"beta", fmt::format("expected a number in [0, 1 - alpha), got {}", o.beta)};
  }
  if (!in(o.prior_votes, 0, 1e12)) {
    return {"prior_votes", fmt::format("expected a number >= 0, got {}", o.prior_votes)};
  }
  if (!in(o.max_probability, 0.5, 1) || o.max_probability == 0.5 || o.max_probability == 1) {
    return {"max_probability",
            fmt::format("expected a number in (0.5, 1), got {}", o.max_probability)};
  }
  if (!in(o.favouritism_odds, 1, 1e12) || o.favouritism_odds == 1) {
    return {"favouritism_odds", fmt::format("expected a number > 1, got {}", o.favouritism_odds)};
  }
  if (o.passes < 1 || o.passes > 100) {
    return {"passes", fmt::format("expected an integer in [1, 100], got {}", o.passes)};
  }
  return {"", ""};
}

bool Decisive(const VoteRecord& v) {
  return v.model_a != v.model_b && (v.outcome == Outcome::kWinA || v.outcome == Outcome::kWinB);
}

uint64_t PairKey(uint32_t a, uint32_t b) {
  return (static_cast<uint64_t>(std::min(a, b)) << 32) | std::max(a, b);
}

// Decisive votes on one pair, by which of the two won.
struct PairRecord {
  double lo_wins = 0;  // the model with the smaller index
  double hi_wins = 0;
  void Add(const VoteRecord& v) {
    uint32_t winner = v.outcome == Outcome::kWinA ? v.model_a : v.model_b;
    (winner == std::min(v.model_a, v.model_b) ? lo_wins : hi_wins) += 1;
  }
};

double LogSumExp(const std::vector<double>& x) {
  double m = *std::max_element(x.begin(), x.end());
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  return m + std::log(s);
}

// The sequential test of one voter; `dense` maps model index -> 0..K-1.
class VoterSequence {
 public:
  VoterSequence(const SuspiciousVoterOptions& o, const std::unordered_map<uint32_t, size_t>& dense,
                double threshold)
      : o_(o),
        dense_(dense),
        threshold_(threshold),
        log_weight_(1 + 2 * dense.size()),
        llr_(1 + 2 * dense.size(), 0.0) {
    double k = static_cast<double>(dense.size());
    log_weight_[0] = std::log(0.5);
    for (size_t i = 1; i < log_weight_.size(); ++i) log_weight_[i] = -std::log(4 * k);
  }

  // One decisive vote: the voter chose `winner` over `loser`, whom others' votes (without the
  // voter's) give `winner_wins` and `loser_wins` decisive wins against each other.
  void Add(uint32_t winner, uint32_t loser, double winner_wins, double loser_wins) {
    double n = winner_wins + loser_wins + o_.prior_votes;
    double p = n > 0 ? (winner_wins + o_.prior_votes / 2) / n : 0.5;
    p = std::clamp(p, 1 - o_.max_probability, o_.max_probability);
    const double lambda = o_.favouritism_odds, log_lambda = std::log(lambda);
    llr_[0] += std::log((1 - p) / p);
    // q = P0(m is picked). "For m": P1 = λq/(1-q+λq); "against m": P1 = q/(q+λ(1-q)).
    size_t w = dense_.at(winner), l = dense_.at(loser);
    llr_[For(w)] += log_lambda - std::log(1 - p + lambda * p);
    llr_[Against(w)] += -std::log(p + lambda * (1 - p));
    double q = 1 - p;  // the loser's probability
    llr_[For(l)] += -std::log(1 - q + lambda * q);
    llr_[Against(l)] += log_lambda - std::log(q + lambda * (1 - q));
    ++decisive_;

    std::vector<double> weighted(llr_.size());
    for (size_t i = 0; i < llr_.size(); ++i) weighted[i] = log_weight_[i] + llr_[i];
    double s = LogSumExp(weighted);
    if (s > max_) {
      max_ = s;
      strongest_ = static_cast<size_t>(std::max_element(weighted.begin(), weighted.end()) -
                                       weighted.begin());
    }
    if (crossed_at_ == 0 && s >= threshold_) crossed_at_ = decisive_;
  }

  int64_t decisive() const { return decisive_; }
  double max_statistic() const { return max_; }
  int64_t crossed_at() const { return crossed_at_; }
  // 0: against history; 1 + 2i: for model i; 2 + 2i: against model i (dense indices).
  size_t strongest() const { return strongest_; }

  static size_t For(size_t m) { return 1 + 2 * m; }
  static size_t Against(size_t m) { return 2 + 2 * m; }

 private:
  const SuspiciousVoterOptions& o_;
  const std::unordered_map<uint32_t, size_t>& dense_;
  double threshold_;
  std::vector<double> log_weight_;
  std::vector<double> llr_;
  int64_t decisive_ = 0;
  double max_ = 0;  // S = log 1 = 0 before any vote
  size_t strongest_ = 0;
  int64_t crossed_at_ = 0;
};

using History = std::unordered_map<uint64_t, PairRecord>;

// One voter's sequential test: their votes (`positions`, in time order) against `history`,
// which holds those votes unless `left_out` (then there is nothing to subtract). `name` names a
// dense model index in the alternative.
VoterTest TestVoter(std::span<const VoteRecord> votes, const std::string& voter,
                    const std::vector<size_t>& positions, const History& history, bool left_out,
                    VoterSequence seq, const std::function<std::string(size_t)>& name) {
  History own;
  if (!left_out) {
    for (size_t i : positions) {
      if (Decisive(votes[i])) own[PairKey(votes[i].model_a, votes[i].model_b)].Add(votes[i]);
    }
  }
  for (size_t i : positions) {
    const VoteRecord& v = votes[i];
    if (!Decisive(v)) continue;
    uint64_t key = PairKey(v.model_a, v.model_b);
    PairRecord all = history.count(key) ? history.at(key) : PairRecord{};
    PairRecord mine = own.count(key) ? own.at(key) : PairRecord{};
    double lo = all.lo_wins - mine.lo_wins, hi = all.hi_wins - mine.hi_wins;
    uint32_t winner = v.outcome == Outcome::kWinA ? v.model_a : v.model_b;
    uint32_t loser = winner == v.model_a ? v.model_b : v.model_a;
    bool lo_won = winner < loser;
    seq.Add(winner, loser, lo_won ? lo : hi, lo_won ? hi : lo);
  }
  VoterTest test;
  test.voter = voter;
  test.votes = static_cast<int64_t>(positions.size());
  test.decisive_votes = seq.decisive();
  test.max_statistic = seq.max_statistic();
  test.crossed_at = seq.crossed_at();
  test.flagged = test.crossed_at > 0;
  size_t k = seq.strongest();
  test.alternative =
      k == 0 ? "against history" : (k % 2 == 1 ? "for " : "against ") + name((k - 1) / 2);
  return test;
}

}  // namespace

SuspiciousVoterOptions LoadSuspiciousVoterOptions(const YAML::Node& filters,
                                                  std::string_view origin) {
  SuspiciousVoterOptions o;
  if (!filters || filters.IsNull()) return o;
  const YAML::Node& all = filters;  // const: looking a key up must not add it
  const YAML::Node n = all["suspicious_voters"];
  if (!n || n.IsNull()) return o;
  YamlReader reader{std::filesystem::path(origin)};
  const std::string section = "filters.suspicious_voters";
  reader.RequireKnownKeys(n, section, {"min_votes", "alpha", "beta", "prior_votes",
                                       "max_probability", "favouritism_odds", "passes"});
  constexpr double kHuge = HUGE_VAL;  // ranges are checked below, with their reasons
  if (n["min_votes"]) o.min_votes = reader.Integer(n["min_votes"], section + ".min_votes", INT64_MIN, INT64_MAX);
  if (n["alpha"]) o.alpha = reader.Number(n["alpha"], section + ".alpha", -kHuge, kHuge);
  if (n["beta"]) o.beta = reader.Number(n["beta"], section + ".beta", -kHuge, kHuge);
  if (n["prior_votes"]) o.prior_votes = reader.Number(n["prior_votes"], section + ".prior_votes", -kHuge, kHuge);
  if (n["max_probability"]) {
    o.max_probability = reader.Number(n["max_probability"], section + ".max_probability", -kHuge, kHuge);
  }
  if (n["favouritism_odds"]) {
    o.favouritism_odds = reader.Number(n["favouritism_odds"], section + ".favouritism_odds", -kHuge, kHuge);
  }
  if (n["passes"]) o.passes = static_cast<int>(reader.Integer(n["passes"], section + ".passes", -1000, 1000));
  // Ranges, open ends and joint conditions (alpha in (0, 1), beta < 1 - alpha, ...).
  if (auto [key, problem] = Problem(o); !key.empty()) reader.Fail(n[key], section + "." + key, problem);
  return o;
}

SuspiciousVoterResult FindSuspiciousVoters(std::span<const VoteRecord> votes,
                                           const SuspiciousVoterOptions& options,
                                           std::span<const std::string> model_names) {
  if (auto [key, problem] = Problem(options); !key.empty()) {
    throw InputError(fmt::format("filters.suspicious_voters.{}: {}", key, problem));
  }
  SuspiciousVoterResult result;
  result.threshold = std::log((1 - options.beta) / options.alpha);

  std::unordered_map<uint32_t, size_t> dense;  // model index -> 0..K-1, in first-seen order
  std::vector<uint32_t> model_of;
  std::map<std::string, std::vector<size_t>> by_voter;  // the voters to test, votes in time order
  for (size_t i = 0; i < votes.size(); ++i) {
    const VoteRecord& v = votes[i];
    for (uint32_t m : {v.model_a, v.model_b}) {
      if (dense.emplace(m, dense.size()).second) model_of.push_back(m);
    }
    if (!v.voter.empty()) by_voter[v.voter].push_back(i);
  }
  result.models = dense.size();
  std::erase_if(by_voter, [&](const auto& entry) {
    return static_cast<int64_t>(entry.second.size()) < options.min_votes;
  });
  for (auto& [voter, positions] : by_voter) {
    std::stable_sort(positions.begin(), positions.end(), [&](size_t x, size_t y) {
      const VoteRecord &a = votes[x], &b = votes[y];
      return a.tstamp_ms != b.tstamp_ms ? a.tstamp_ms < b.tstamp_ms : a.vote_id < b.vote_id;
    });
  }
  auto name = [&](size_t dense_index) {
    uint32_t m = model_of[dense_index];
    return m < model_names.size() ? model_names[m] : fmt::format("model {}", m);
  };  // a dense model index as the details name it

  std::map<std::string, VoterTest> tests;
  std::set<std::string> flagged;  // by the previous pass
  for (int pass = 1; pass <= options.passes; ++pass) {
    // The history: every decisive vote except those of the voters the previous pass flagged.
    History history;
    for (const VoteRecord& v : votes) {
      if (Decisive(v) && !flagged.count(v.voter)) history[PairKey(v.model_a, v.model_b)].Add(v);
    }
    std::set<std::string> now;
    for (const auto& [voter, positions] : by_voter) {
      VoterTest test = TestVoter(votes, voter, positions, history, flagged.count(voter),
                                 VoterSequence(options, dense, result.threshold), name);
      if (test.flagged) now.insert(voter);
      tests[voter] = std::move(test);
    }
    result.passes = pass;
    if (now == flagged) break;  // a fixed point: another pass would give the same result
    flagged = std::move(now);
  }

  std::unordered_map<std::string, std::string> detail;  // flagged voter -> exclusion detail
  for (auto& [voter, test] : tests) {
    if (test.flagged) {
      detail[voter] = fmt::format(
          "log likelihood ratio up to {:.2f} >= threshold {:.2f} (alpha {}, beta {}), first at "
          "decisive vote {} of {} ({} votes); strongest alternative: {}",
          test.max_statistic, result.threshold, options.alpha, options.beta, test.crossed_at,
          test.decisive_votes, test.votes, test.alternative);
    }
    result.voters.push_back(std::move(test));
  }
  for (const VoteRecord& v : votes) {
    if (auto it = detail.find(v.voter); it != detail.end()) {
      result.exclusions.push_back({v.vote_id, ExclusionReason::kSuspiciousVoter, it->second});
    }
  }
  return result;
}

}  // namespace kaieval::arena
