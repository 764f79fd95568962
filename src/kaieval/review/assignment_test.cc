#include "kaieval/review/assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "kaieval/common/testing.h"
#include "kaieval/review/review_testing.h"

namespace kaieval::review {
namespace {

using kaieval::testing::InputErrorMessage;
using testing::CampaignShape;
using testing::SimulatedConfig;
using testing::SimulatedTeams;

const Team& TeamOf(const std::vector<Team>& teams, const ReviewItem& item) {
  return *std::find_if(teams.begin(), teams.end(),
                       [&](const Team& t) { return t.name == item.team; });
}

// Every property the plan promises, for any config: k distinct eligible reviewers per item.
void ExpectValidPlan(const ReviewConfig& config, const std::vector<Team>& teams,
                     const AssignmentPlan& plan) {
  for (const ReviewItem& item : config.items) {
    std::set<std::string> reviewers;
    for (const Assignment& a : plan.assignments) {
      if (a.item != item.id) continue;
      const Reviewer& r = *config.FindReviewer(a.reviewer);
      EXPECT_FALSE(HasConflict(r, TeamOf(teams, item))) << r.id << " got " << item.id;
      EXPECT_TRUE(r.ServesOn(item.panel));
      EXPECT_TRUE(reviewers.insert(a.reviewer).second) << "twice: " << a.reviewer;
    }
    EXPECT_EQ(static_cast<int>(reviewers.size()), config.FindPanel(item.panel)->reviews_per_item)
        << item.id;
  }
}

int LoadSpread(const ReviewConfig& config, const AssignmentPlan& plan) {
  std::vector<int> loads = plan.Loads(config);
  return *std::max_element(loads.begin(), loads.end()) -
         *std::min_element(loads.begin(), loads.end());
}

TEST(Assignment, ConflictsOfInterestNeverAssignedOverRandomCampaigns) {
  std::mt19937_64 rng(20250101);
  int feasible = 0;
  for (int trial = 0; trial < 300; ++trial) {
    CampaignShape shape;
    shape.reviewers = std::uniform_int_distribution<int>(3, 20)(rng);
    shape.items = std::uniform_int_distribution<int>(1, 60)(rng);
    shape.k = std::uniform_int_distribution<int>(1, std::min(5, shape.reviewers))(rng);
    shape.affiliation_probability = std::uniform_real_distribution<double>(0, 0.5)(rng);
    ReviewConfig config = SimulatedConfig(shape, rng);
    std::vector<Team> teams = SimulatedTeams(shape.teams);
    // Feasible exactly when every team has k reviewers without a conflict.
    bool possible = true;
    for (const Team& team : teams) {
      int free = 0;
      for (const Reviewer& r : config.reviewers) free += HasConflict(r, team) ? 0 : 1;
      bool has_items = false;
      for (const ReviewItem& item : config.items) has_items = has_items || item.team == team.name;
      possible = possible && (!has_items || free >= shape.k);
    }
    if (!possible) {
      EXPECT_NE(InputErrorMessage([&] {
                  AssignReviewers(config, teams, trial);
                }).find("eligible reviewers"),
                std::string::npos);
      continue;
    }
    ++feasible;
    ExpectValidPlan(config, teams, AssignReviewers(config, teams, trial));
  }
  EXPECT_GT(feasible, 150);  // the property was exercised, not skipped
}

TEST(Assignment, EachItemGetsKReviewersAndLoadsDifferByAtMostOne) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    CampaignShape shape;
    shape.reviewers = std::uniform_int_distribution<int>(6, 20)(rng);
    shape.items = std::uniform_int_distribution<int>(5, 60)(rng);
    shape.k = std::uniform_int_distribution<int>(1, 4)(rng);
    // Some conflicts, but every team keeps most reviewers.
    shape.affiliation_probability = trial % 2 == 0 ? 0 : 0.1;
    ReviewConfig config = SimulatedConfig(shape, rng);
    std::vector<Team> teams = SimulatedTeams(shape.teams);
    AssignmentPlan plan;
    try {
      plan = AssignReviewers(config, teams, trial);
    } catch (const InputError&) {
      continue;  // a team with too few free reviewers; covered above
    }
    ExpectValidPlan(config, teams, plan);
    EXPECT_LE(LoadSpread(config, plan), 1) << "trial " << trial;
  }
}

TEST(Assignment, TwelveReviewersFortyItemsKThreeIsBalanced) {
  std::mt19937_64 rng(1);
  ReviewConfig config = SimulatedConfig({12, 40, 3, 5, 0.15}, rng);
  AssignmentPlan plan = AssignReviewers(config, SimulatedTeams(5), 99);
  EXPECT_EQ(plan.assignments.size(), 120u);
  for (int load : plan.Loads(config)) EXPECT_EQ(load, 10);  // 120 / 12
}

TEST(Assignment, SameSeedSamePlanOtherSeedOtherPlan) {
  std::mt19937_64 rng(3);
  ReviewConfig config = SimulatedConfig({10, 30, 3, 5, 0.2}, rng);
  std::vector<Team> teams = SimulatedTeams(5);
  auto pairs = [](const AssignmentPlan& p) {
    std::vector<std::pair<std::string, std::string>> v;
    for (const auto& a : p.assignments) v.emplace_back(a.item, a.reviewer);
    return v;
  };
  AssignmentPlan a = AssignReviewers(config, teams, 42);
  AssignmentPlan b = AssignReviewers(config, teams, 42);
  AssignmentPlan c = AssignReviewers(config, teams, 43);
  EXPECT_EQ(pairs(a), pairs(b));
  EXPECT_EQ(a.blind_codes, b.blind_codes);
  EXPECT_NE(pairs(a), pairs(c));
  EXPECT_NE(a.blind_codes, c.blind_codes);
}

TEST(Assignment, TooFewEligibleReviewersNamesTheItem) {
  std::mt19937_64 rng(5);
  ReviewConfig config = SimulatedConfig({4, 6, 3, 5, 0}, rng);
  // Two of the four reviewers work for team-2's organisation: 2 remain, 3 are needed.
  config.reviewers[0].affiliations = {"Organisation 2"};
  config.reviewers[3].affiliations = {"team-2"};
  std::string message = InputErrorMessage([&] { AssignReviewers(config, SimulatedTeams(5), 1); });
  EXPECT_EQ(message,
            "stage.yaml:102: review.items[2]: item 'item-002' of team 'team-2' has 2 eligible "
            "reviewers (4 serve on panel 'technical', 2 of them affiliated with the team), but "
            "needs 3 (reviews_per_item)");
}

TEST(Assignment, UnknownTeamNamesTheItem) {
  std::mt19937_64 rng(5);
  ReviewConfig config = SimulatedConfig({4, 6, 2, 5, 0}, rng);
  config.items[4].team = "team-9";
  std::string message = InputErrorMessage([&] { AssignReviewers(config, SimulatedTeams(5), 1); });
  EXPECT_NE(message.find("stage.yaml:104: review.items[4].team: unknown team 'team-9' (expected "
                         "one of team-0, team-1"),
            std::string::npos)
      << message;
}

TEST(Assignment, TitleThatNamesTheTeamIsRefused) {
  std::mt19937_64 rng(5);
  ReviewConfig config = SimulatedConfig({4, 6, 2, 5, 0}, rng);
  config.items[1].title = "Technical report of ORGANISATION 1";
  EXPECT_EQ(InputErrorMessage([&] { AssignReviewers(config, SimulatedTeams(5), 1); }),
            "stage.yaml:101: review.items[1].title: 'Technical report of ORGANISATION 1' names "
            "the team ('Organisation 1'); reviewers must not see it");
}

TEST(Assignment, ConflictMatchesTeamNameOrOrganisationIgnoringCaseAndSpacing) {
  Team team{"EXAONE", "LG AI Research"};
  Reviewer r{"r", "R", {"lg  ai research "}, {}, 0};
  EXPECT_TRUE(HasConflict(r, team));
  r.affiliations = {"Exaone"};
  EXPECT_TRUE(HasConflict(r, team));
  r.affiliations = {"LG", "AI Research", ""};  // parts of a name are not the name
  EXPECT_FALSE(HasConflict(r, team));
  r.affiliations = {"네이버클라우드"};
  EXPECT_TRUE(HasConflict(r, {"HyperCLOVA X", "네이버클라우드"}));
}

TEST(Assignment, ReviewersOnlyGetItemsOfTheirPanels) {
  std::mt19937_64 rng(11);
  ReviewConfig config = SimulatedConfig({8, 20, 2, 5, 0}, rng);
  config.panels.push_back(config.panels[0]);
  config.panels[1].name = "outputs";
  for (int i = 0; i < 20; i += 2) config.items[i].panel = "outputs";
  for (int r = 0; r < 8; ++r) config.reviewers[r].panels = {r < 4 ? "technical" : "outputs"};
  std::vector<Team> teams = SimulatedTeams(5);
  AssignmentPlan plan = AssignReviewers(config, teams, 5);
  ExpectValidPlan(config, teams, plan);
  EXPECT_LE(LoadSpread(config, plan), 1);
}

TEST(Assignment, BlindViewHidesTeamAndItemId) {
  std::mt19937_64 rng(13);
  ReviewConfig config = SimulatedConfig({6, 12, 2, 3, 0}, rng);
  AssignmentPlan plan = AssignReviewers(config, SimulatedTeams(3), 77);
  std::set<std::string> codes;
  for (const auto& [item, code] : plan.blind_codes) {
    EXPECT_EQ(code, BlindCode(77, item));
    EXPECT_EQ(code.size(), 8u);
    EXPECT_EQ(code.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(plan.ItemForBlindCode(code), item);
    codes.insert(code);
  }
  EXPECT_EQ(codes.size(), config.items.size());
  size_t seen = 0;
  for (const Reviewer& r : config.reviewers) {
    std::vector<AssignedItem> items = ItemsForReviewer(config, plan, r.id);
    seen += items.size();
    for (const AssignedItem& item : items) {
      EXPECT_TRUE(codes.count(item.blind_code));
      EXPECT_EQ(item.title.find("team"), std::string::npos);
      EXPECT_EQ(item.blind_code.find("item"), std::string::npos);
    }
    EXPECT_TRUE(std::is_sorted(
        items.begin(), items.end(),
        [](const AssignedItem& a, const AssignedItem& b) { return a.blind_code < b.blind_code; }));
  }
  EXPECT_EQ(seen, plan.assignments.size());
  EXPECT_NE(InputErrorMessage([&] { ItemsForReviewer(config, plan, "ghost"); }), "");
  EXPECT_NE(BlindCode(1, "item-000"), BlindCode(2, "item-000"));
}

}  // namespace
}  // namespace kaieval::review
