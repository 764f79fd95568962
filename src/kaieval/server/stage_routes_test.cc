#include "kaieval/server/stage_routes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "kaieval/common/http_api.h"
#include "kaieval/common/http_listener.h"
#include "kaieval/common/testing.h"

namespace kaieval::server {
namespace {

using nlohmann::json;

void WriteStage(const std::filesystem::path& path, double a_value) {
  std::ofstream(path) << "name: live test\nbootstrap: 10\nselection: {advance: 1}\n"
                         "teams: [{name: a, organisation: A}, {name: b, organisation: B}]\n"
                         "rubric:\n  id: total\n  points: 100\n  items:\n"
                         "    - {id: v, points: 100, evidence: {value: {a: " << a_value
                      << ", b: 0.5}}, rule: {linear: {floor: 0, ceiling: 1}}}\n";
}

TEST(StageRoutes, ServesTheReportToTheCommitteeAndRecomputesAfterTheRefresh) {
  testing::ScratchDir dir("stage_routes");
  const auto yaml = dir.path() / "stage.yaml";
  WriteStage(yaml, 0.9);
  std::atomic<int64_t> now{0};
  StageRoutes routes({yaml.string(), "", "secret", 30}, [&] { return now.load(); });
  HttpListener listener(ListenerOptions{.port = 0, .threads = 4});
  routes.Register(listener.http());
  httplib::Client c("127.0.0.1", listener.Start());

  EXPECT_EQ(c.Get("/api/stage")->status, 401);
  EXPECT_EQ(c.Get("/api/stage", {{"Authorization", "Bearer wrong"}})->status, 401);
  const httplib::Headers auth = {{"Authorization", "Bearer secret"}};
  auto res = c.Get("/api/stage", auth);
  ASSERT_EQ(res->status, 200) << res->body;
  json report = json::parse(res->body);
  EXPECT_EQ(report["stage"], "live test");
  EXPECT_EQ(report["teams"][0]["advances"], true);

  // The evidence changes: within the refresh the same report, after it the new one.
  WriteStage(yaml, 0.1);
  now = 29'000;
  EXPECT_EQ(json::parse(c.Get("/api/stage", auth)->body)["teams"][0]["advances"], true);
  now = 30'000;
  report = json::parse(c.Get("/api/stage", auth)->body);
  EXPECT_EQ(report["teams"][0]["advances"], false);
  EXPECT_EQ(report["computed_ms"], 30'000);

  // Evidence that cannot be read is a 503 naming the problem, not a crash.
  std::ofstream(yaml) << "name: [broken";
  now = 90'000;
  res = c.Get("/api/stage", auth);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "stage_evidence");
}

TEST(StageRoutes, ACommitteeTokenThatIsNotSetRefusesEveryone) {
  testing::ScratchDir dir("stage_routes_none");
  WriteStage(dir.path() / "stage.yaml", 0.9);
  StageRoutes routes({(dir.path() / "stage.yaml").string(), "", "", 30}, [] { return int64_t{0}; });
  HttpListener listener(ListenerOptions{.port = 0, .threads = 4});
  routes.Register(listener.http());
  httplib::Client c("127.0.0.1", listener.Start());
  EXPECT_EQ(c.Get("/api/stage", {{"Authorization", "Bearer "}})->status, 401);
}

}  // namespace
}  // namespace kaieval::server
