#include "kaieval/server/review_routes.h"

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "kaieval/common/http_listener.h"
#include "kaieval/common/testing.h"
#include "kaieval/review/assignment.h"

namespace kaieval::server {
namespace {

using nlohmann::json;

// Two teams, one panel of two criteria, three reviewers (one affiliated with team a), k = 2.
const char* kStage = R"(
name: review test
teams:
  - {name: a, organisation: Org A}
  - {name: b, organisation: Org B}
evidence: {reviews: reviews.csv}
rubric:
  id: total
  points: 100
  items:
    - {id: expert, points: 100, evidence: {review: {panel: tech}}, rule: {linear: {floor: 1, ceiling: 10}}}
review:
  panels:
    - name: tech
      reviews_per_item: 2
      criteria:
        - {id: depth, name: 깊이, anchors: {1: 얕음, 10: 깊음}}
        - {id: clarity, name: 명료함, anchors: {1: 불명확, 10: 명확}}
  reviewers:
    - {id: r1, name: 심사위원 1, affiliations: [Org A]}
    - {id: r2, name: 심사위원 2, affiliations: []}
    - {id: r3, name: 심사위원 3, affiliations: []}
  items:
    - {id: a-report, team: a, panel: tech, kind: report, title: 보고서 1, content: a.md}
    - {id: b-report, team: b, panel: tech, kind: report, title: 보고서 2, content: "https://example.org/b"}
)";

class ReviewRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "stage.yaml") << kStage;
    std::ofstream(dir_.path() / "a.md") << "# 보고서\n<script>alert(1)</script>";
    config_ = stage::LoadStageConfig(dir_.path() / "stage.yaml");
    store_ = std::make_unique<store::EvidenceStore>((dir_.path() / "campaign.db").string());
    routes_ = std::make_unique<ReviewRoutes>(config_, *store_, "", [] { return int64_t{1000}; });
    listener_ = std::make_unique<HttpListener>(ListenerOptions{.port = 0, .threads = 4});
    routes_->Register(listener_->http());
    port_ = listener_->Start();
  }

  httplib::Result Get(const std::string& path, const std::string& token) {
    httplib::Client c("127.0.0.1", port_);
    return c.Get(path, {{"Authorization", "Bearer " + token}});
  }
  httplib::Result Post(const json& body, const std::string& token) {
    httplib::Client c("127.0.0.1", port_);
    return c.Post("/api/review/scores", {{"Authorization", "Bearer " + token}}, body.dump(),
                  "application/json");
  }
  std::string CodeOf(const std::string& item) {
    std::vector<review::Team> teams = {{"a", "Org A"}, {"b", "Org B"}};
    return review::AssignReviewers(config_.review, teams, config_.seed).blind_codes.at(item);
  }

  testing::ScratchDir dir_{"review_routes"};
  stage::StageConfig config_;
  std::unique_ptr<store::EvidenceStore> store_;
  std::unique_ptr<ReviewRoutes> routes_;
  std::unique_ptr<HttpListener> listener_;
  int port_ = 0;
};

TEST_F(ReviewRoutesTest, AReviewerSeesOnlyTheirBlindQueue) {
  // r1 is affiliated with team a, so r1's queue is item b only; r2 and r3 get both.
  auto res = Get("/api/review/queue", store_->ReviewerToken("r1"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json q = json::parse(res->body);
  EXPECT_EQ(q["reviewer"]["id"], "r1");
  ASSERT_EQ(q["items"].size(), 1u);
  EXPECT_EQ(q["items"][0]["code"], CodeOf("b-report"));
  EXPECT_EQ(q["items"][0]["url"], "https://example.org/b");
  EXPECT_EQ(res->body.find("b-report"), std::string::npos) << "the item id leaks";
  EXPECT_EQ(res->body.find("Org B"), std::string::npos) << "the team leaks";
  EXPECT_EQ(q["panels"][0]["criteria"][0]["anchors"][0]["text"], "얕음");
  EXPECT_EQ(q["progress"], json({{"scored", 0}, {"total", 2}}));
}

TEST_F(ReviewRoutesTest, ScoresAreSavedAtOnceAndCorrectionsWin) {
  const std::string token = store_->ReviewerToken("r2");
  const std::string code = CodeOf("a-report");
  auto res = Post({{"item", code}, {"criterion", "depth"}, {"score", 4}}, token);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["progress"], json({{"scored", 1}, {"total", 4}}));
  ASSERT_EQ(Post({{"item", code}, {"criterion", "depth"}, {"score", 6}}, token)->status, 200);
  const auto stored = store_->ReviewScores();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].item, "a-report");
  EXPECT_EQ(stored[1].reviewer, "r2");
  EXPECT_EQ(stored[1].source, "page");
  const json q = json::parse(Get("/api/review/queue", token)->body);
  for (const auto& item : q["items"]) {
    if (item["code"] == code) EXPECT_EQ(item["scores"]["depth"], 6);
  }
}

TEST_F(ReviewRoutesTest, RefusesBadScoresForeignItemsAndUnknownTokens) {
  const std::string r1 = store_->ReviewerToken("r1");
  const std::string b = CodeOf("b-report");
  EXPECT_EQ(Post({{"item", b}, {"criterion", "depth"}, {"score", 11}}, r1)->status, 400);
  EXPECT_EQ(Post({{"item", b}, {"criterion", "depth"}, {"score", 2.5}}, r1)->status, 400);
  EXPECT_EQ(Post({{"item", b}, {"criterion", "nope"}, {"score", 5}}, r1)->status, 400);
  EXPECT_EQ(Post({{"item", b}, {"score", 5}}, r1)->status, 400);
  // r1 has a conflict with team a: its item is "not in your queue", the same as no item.
  auto foreign = Post({{"item", CodeOf("a-report")}, {"criterion", "depth"}, {"score", 5}}, r1);
  EXPECT_EQ(foreign->status, 404);
  EXPECT_EQ(Post({{"item", "0000dead"}, {"criterion", "depth"}, {"score", 5}}, r1)->status, 404);
  EXPECT_EQ(Post({{"item", b}, {"criterion", "depth"}, {"score", 5}}, "not-a-token")->status, 401);
  EXPECT_EQ(Get("/api/review/queue", "")->status, 401);
  EXPECT_TRUE(store_->ReviewScores().empty());
}

TEST_F(ReviewRoutesTest, AnItemsTextIsReturnedAsTextOnlyToItsReviewers) {
  const std::string code = CodeOf("a-report");
  auto res = Get("/api/review/items/" + code + "/text", store_->ReviewerToken("r2"));
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["text"], "# 보고서\n<script>alert(1)</script>");
  EXPECT_EQ(Get("/api/review/items/" + code + "/text", store_->ReviewerToken("r1"))->status, 404);
  EXPECT_EQ(Get("/api/review/items/" + CodeOf("b-report") + "/text", store_->ReviewerToken("r2"))->status, 404);
}

}  // namespace
}  // namespace kaieval::server
