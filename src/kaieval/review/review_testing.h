// Simulated review campaigns for the tests of src/kaieval/review: configs with random
// affiliations, and scores from reviewers with known severities. Included only by *_test.cc.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kaieval/review/assignment.h"
#include "kaieval/review/panel.h"
#include "kaieval/review/ratings.h"

namespace kaieval::review::testing {

inline std::vector<Team> SimulatedTeams(int n) {
  std::vector<Team> teams;
  for (int t = 0; t < n; ++t) {
    teams.push_back({fmt::format("team-{}", t), fmt::format("Organisation {}", t)});
  }
  return teams;
}

struct CampaignShape {
  int reviewers = 12;
  int items = 40;
  int k = 3;
  int teams = 5;
  // Each reviewer is affiliated with each team with this probability, by organisation or by
  // team name at random.
  double affiliation_probability = 0;
};

// One panel "technical" with one criterion, items spread over the teams in turn.
inline ReviewConfig SimulatedConfig(const CampaignShape& shape, std::mt19937_64& rng) {
  ReviewConfig c;
  c.origin = "stage.yaml";
  c.panels.push_back(
      {"technical", {{"quality", "Quality", 1, {{1, "poor"}, {10, "superb"}}}}, shape.k, 2});
  std::bernoulli_distribution affiliated(shape.affiliation_probability);
  std::bernoulli_distribution by_name(0.5);
  for (int r = 0; r < shape.reviewers; ++r) {
    Reviewer reviewer{fmt::format("r{:02}", r), fmt::format("Reviewer {}", r), {}, {}, 10 + r};
    for (int t = 0; t < shape.teams; ++t) {
      if (!affiliated(rng)) continue;
      reviewer.affiliations.push_back(by_name(rng) ? fmt::format("TEAM-{}", t)
                                                   : fmt::format("organisation  {}", t));
    }
    c.reviewers.push_back(reviewer);
  }
  for (int i = 0; i < shape.items; ++i) {
    c.items.push_back({fmt::format("item-{:03}", i), fmt::format("team-{}", i % shape.teams),
                       "technical", ItemKind::kReport, fmt::format("Report {}", i), "", 100 + i});
  }
  return c;
}

struct SimulatedRatings {
  Ratings ratings;
  std::vector<double> truth;     // per unit
  std::vector<double> severity;  // per rater, what the rater adds
};

// Ratings on the plan's pairs: truth[item] + severity[rater] + N(0, noise_sd), not rounded.
// A rater in `random_raters` ignores the item and draws uniformly from 1..10 instead.
inline SimulatedRatings SimulateRatings(const ReviewConfig& config, const AssignmentPlan& plan,
                                        const std::vector<double>& truth,
                                        const std::vector<double>& severity, double noise_sd,
                                        std::mt19937_64& rng,
                                        const std::vector<int>& random_raters = {}) {
  SimulatedRatings s;
  s.truth = truth;
  s.severity = severity;
  for (const auto& item : config.items) s.ratings.units.push_back(item.id);
  for (const auto& reviewer : config.reviewers) s.ratings.raters.push_back(reviewer.id);
  std::normal_distribution<double> noise(0, noise_sd);
  std::uniform_int_distribution<int> uniform(kMinScore, kMaxScore);
  for (const auto& a : plan.assignments) {
    uint32_t u = 0, r = 0;
    while (config.items[u].id != a.item) ++u;
    while (config.reviewers[r].id != a.reviewer) ++r;
    bool random = std::find(random_raters.begin(), random_raters.end(), static_cast<int>(r)) !=
                  random_raters.end();
    double value = random ? uniform(rng) : truth[u] + severity[r] + noise(rng);
    s.ratings.values.push_back({u, r, value});
  }
  return s;
}

inline double Correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= x.size();
  my /= y.size();
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace kaieval::review::testing
