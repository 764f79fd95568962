// HttpTransport: request shape, keep-alive, concurrency limits, load balancing over replicas,
// cancellation and secrecy of the API key, against fake servers on 127.0.0.1.
#include "kaieval/model/http_transport_test_support.h"

namespace kaieval::model {
namespace {

using namespace kaieval::model::testing;  // NOLINT: the fixtures of these tests

TEST(HttpTransport, PostsJsonWithBearerAndNoExpectAndGetsWhenBodyEmpty) {
  FakeServer fake;
  std::mutex mu;
  std::vector<std::string> seen;
  fake.server().Post("/v1/completions", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen = {req.method, req.get_header_value("Content-Type"), req.get_header_value("Authorization"),
            req.has_header("Expect") ? "expect" : "", req.body};
    res.set_content("{\"ok\":true}", "application/json");
  });
  fake.server().Get("/v1/models", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen = {req.method, req.get_header_value("Authorization"), req.body};
    res.set_content("models", "text/plain");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.api_key = "sk-test-123";
  HttpTransport transport(options);
  std::string big_body = "{\"prompt\":\"" + std::string(2 << 20, 'x') + "\"}";

  HttpResult post = transport.Send({"/completions", big_body, nullptr});
  ASSERT_TRUE(post.ok()) << post.error;
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.body, "{\"ok\":true}");
  EXPECT_EQ(post.attempts, 1);
  EXPECT_EQ(post.replica, fake.url());
  EXPECT_EQ(seen, (std::vector<std::string>{"POST", "application/json", "Bearer sk-test-123", "",
                                            big_body}));

  HttpResult get = transport.Send({"/models", "", nullptr});
  ASSERT_TRUE(get.ok()) << get.error;
  EXPECT_EQ(get.body, "models");
  EXPECT_EQ(seen, (std::vector<std::string>{"GET", "Bearer sk-test-123", ""}));
}

TEST(HttpTransport, ReusesConnectionsAcrossCallsAndExecutes) {
  FakeServer fake;
  std::mutex mu;
  std::set<int> client_ports;
  fake.server().Post("/v1/echo", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    client_ports.insert(req.remote_port);
    res.set_content(req.body, "application/json");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.max_in_flight = 4;
  HttpTransport transport(options);
  for (int round = 0; round < 2; ++round) {
    auto calls = Calls(100, "/echo", "{\"n\":1}");
    auto results = RunAll(transport, calls);
    EXPECT_EQ(CountOk(results), 100u);
    EXPECT_EQ(results[42].body, "{\"n\":1}");
  }
  EXPECT_LE(client_ports.size(), 4u);
  TransportStats stats = transport.stats();
  EXPECT_EQ(stats.attempts, 200u);
  EXPECT_EQ(stats.succeeded, 200u);
  EXPECT_EQ(stats.retries, 0u);
  EXPECT_EQ(stats.failed, 0u);
}

TEST(HttpTransport, Reaches512ConcurrentRequestsWhenAllowed) {
  rlimit files{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files), 0);
  if (files.rlim_cur < 2048) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &files);
    getrlimit(RLIMIT_NOFILE, &files);
  }
  if (files.rlim_cur < 1200) GTEST_SKIP() << "RLIMIT_NOFILE too low: " << files.rlim_cur;

  FakeServer fake(600);
  ConcurrencyProbe probe;
  // ~50 ms per request, longer (up to 0.5 s) until 512 are seen at once, so that a slow build
  // (sanitizers) opening 512 connections one after another still shows them overlap.
  fake.server().Post("/v1/slow", [&fake, &probe](const auto&, auto& res) {
    probe.Enter();
    fake.SleepUnlessStopping(milliseconds(50));
    auto give_up = Clock::now() + milliseconds(450);
    while (probe.max.load() < 512 && Clock::now() < give_up)
      fake.SleepUnlessStopping(milliseconds(5));
    probe.Leave();
    res.set_content("{}", "application/json");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.max_in_flight = 512;
  HttpTransport transport(options);
  auto calls = Calls(512, "/slow");
  auto results = RunAll(transport, calls);
  EXPECT_EQ(CountOk(results), 512u);
  RecordProperty("max_concurrency", probe.max.load());
  EXPECT_GE(probe.max.load(), 256);
  EXPECT_LE(probe.max.load(), 512);
}

TEST(HttpTransport, NeverExceedsMaxInFlight) {
  FakeServer fake(64);
  ConcurrencyProbe probe;
  AddSlowHandler(fake, probe, milliseconds(10));
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  ASSERT_EQ(options.max_in_flight, 32);
  HttpTransport transport(options);
  auto calls = Calls(320, "/slow");
  auto results = RunAll(transport, calls);
  EXPECT_EQ(CountOk(results), 320u);
  EXPECT_LE(probe.max.load(), 32);
  EXPECT_GE(probe.max.load(), 16);
}

TEST(HttpTransport, SpreadsCallsEvenlyOverReplicas) {
  FakeServer a, b, c;
  ConcurrencyProbe pa, pb, pc;
  AddSlowHandler(a, pa, milliseconds(3));
  AddSlowHandler(b, pb, milliseconds(3));
  AddSlowHandler(c, pc, milliseconds(3));
  a.Start();
  b.Start();
  c.Start();
  TransportOptions options = FastOptions({a.url(), b.url(), c.url()});
  options.max_in_flight = 6;
  HttpTransport transport(options);
  auto calls = Calls(300, "/slow");
  auto results = RunAll(transport, calls);
  EXPECT_EQ(CountOk(results), 300u);
  for (ConcurrencyProbe* probe : {&pa, &pb, &pc}) {
    EXPECT_GE(probe->total.load(), 80);
    EXPECT_LE(probe->total.load(), 120);
  }
}

TEST(HttpTransport, RoutesAroundDeadReplicaWithoutHammeringIt) {
  FakeServer a, b;
  ConcurrencyProbe pa, pb;
  AddSlowHandler(a, pa, milliseconds(3));
  AddSlowHandler(b, pb, milliseconds(3));
  a.Start();
  b.Start();
  TransportOptions options = FastOptions({a.url(), DeadUrl(), b.url()});
  options.max_in_flight = 8;
  options.replica_cooldown = milliseconds(100);
  HttpTransport transport(options);
  auto start = Clock::now();
  auto calls = Calls(400, "/slow");
  auto results = RunAll(transport, calls);
  double elapsed = SecondsSince(start);
  EXPECT_EQ(CountOk(results), 400u);
  TransportStats stats = transport.stats();
  uint64_t dead_attempts = stats.attempts - 400;
  EXPECT_EQ(stats.retries, dead_attempts);
  // The first wave may send a few calls there; after that, one probe per cooldown (which
  // doubles), so a handful at most.
  RecordProperty("dead_attempts", static_cast<int>(dead_attempts));
  EXPECT_GE(dead_attempts, 1u);
  EXPECT_LE(dead_attempts, 4u + static_cast<uint64_t>(elapsed / 0.1)) << elapsed;
  EXPECT_LE(dead_attempts, 10u);
  EXPECT_EQ(pa.total.load() + pb.total.load(), 400);
}

TEST(HttpTransport, WaitsForAReplicaToComeBackWhenAllAreOut) {
  int port = DeadPort();
  TransportOptions options = FastOptions({"http://127.0.0.1:" + std::to_string(port) + "/v1"});
  options.replica_cooldown = milliseconds(300);
  FakeServer fake;  // declared first so that it outlives the transport's keep-alive connection
  HttpTransport transport(options);
  fake.server().Post("/v1/ok", [](const auto&, auto& res) { res.set_content("up", "text/plain"); });
  std::thread starter([&] {
    std::this_thread::sleep_for(milliseconds(100));
    fake.Start(port);
  });
  auto start = Clock::now();
  HttpResult result = transport.Send({"/ok", "{}", nullptr});
  double elapsed = SecondsSince(start);
  starter.join();
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.body, "up");
  EXPECT_EQ(result.attempts, 2);  // one refused, then one after the cooldown, not one per backoff
  EXPECT_GE(elapsed, 0.28);
  EXPECT_LT(elapsed, 1.0);
}

TEST(HttpTransport, ReplicaCooldownDoublesOnRepeatedFailure) {
  TransportOptions options = FastOptions({DeadUrl()});
  options.replica_cooldown = milliseconds(20);
  options.backoff_initial = milliseconds(1);
  options.backoff_max = milliseconds(1);
  options.max_retries = 4;
  HttpTransport transport(options);
  auto start = Clock::now();
  HttpResult result = transport.Send({"/completions", "{}", nullptr});
  double elapsed = SecondsSince(start);
  EXPECT_EQ(result.outcome, Outcome::kTransportError);
  EXPECT_EQ(result.attempts, 5);
  EXPECT_GE(elapsed, 0.28);  // 20 + 40 + 80 + 160 ms out of rotation, not 4 x 20 ms
  EXPECT_LT(elapsed, 0.6);
}

TEST(HttpTransport, RecoveredReplicaTakesFullLoadOnceItsProbeConnects) {
  int port = DeadPort();
  TransportOptions options = FastOptions({"http://127.0.0.1:" + std::to_string(port) + "/v1"});
  options.replica_cooldown = milliseconds(100);
  options.max_in_flight = 8;
  FakeServer fake;
  ConcurrencyProbe probe;
  AddSlowHandler(fake, probe, milliseconds(300));
  HttpTransport transport(options);
  std::thread starter([&] {
    std::this_thread::sleep_for(milliseconds(30));
    fake.Start(port);
  });
  auto calls = Calls(8, "/slow");
  auto start = Clock::now();
  auto results = RunAll(transport, calls);
  double elapsed = SecondsSince(start);
  starter.join();
  EXPECT_EQ(CountOk(results), 8u);
  EXPECT_EQ(probe.max.load(), 8);  // the 7 others joined while the probe was still running
  EXPECT_LT(elapsed, 0.6);
}

TEST(HttpTransport, OnDoneReturningFalseCancelsUnstartedCalls) {
  FakeServer fake;
  ConcurrencyProbe probe;
  AddSlowHandler(fake, probe, milliseconds(20));
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.max_in_flight = 2;
  HttpTransport transport(options);
  auto calls = Calls(10, "/slow");
  std::vector<int> reports(calls.size());
  std::vector<Outcome> outcomes(calls.size());
  transport.Execute(calls, [&](size_t index, HttpResult&& result) {
    ++reports[index];
    outcomes[index] = result.outcome;
    return false;
  });
  int ok = 0, cancelled = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(reports[i], 1);
    ok += outcomes[i] == Outcome::kOk;
    cancelled += outcomes[i] == Outcome::kCancelled;
  }
  EXPECT_EQ(ok, 2);  // the two in flight finish
  EXPECT_EQ(cancelled, 8);
  EXPECT_EQ(probe.total.load(), 2);
}

TEST(HttpTransport, CallWaitingToRetryDoesNotBlockOthers) {
  FakeServer fake;
  std::atomic<int> busy_count{0};
  fake.server().Post("/v1/busy", [&](const auto&, httplib::Response& res) {
    if (++busy_count == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
    }
  });
  fake.server().Post("/v1/fast", [&](const auto&, httplib::Response& res) {
    std::this_thread::sleep_for(milliseconds(5));
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.max_in_flight = 2;
  options.backoff_max = milliseconds(5000);
  HttpTransport transport(options);
  auto calls = Calls(41, "/fast");
  calls[0].path = "/busy";
  std::vector<double> done_at(calls.size());
  auto start = Clock::now();
  transport.Execute(calls, [&](size_t index, HttpResult&& result) {
    EXPECT_TRUE(result.ok()) << result.error;
    done_at[index] = SecondsSince(start);
    return true;
  });
  EXPECT_GE(done_at[0], 0.9);
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_LT(done_at[i], 0.7) << i;
}

TEST(HttpTransport, DoesNotFollowRedirects) {
  FakeServer fake;
  std::atomic<int> target_hits{0};
  fake.server().Post("/v1/from",
                     [](const auto&, httplib::Response& res) { res.set_redirect("/v1/to", 307); });
  fake.server().Post("/v1/to", [&](const auto&, auto&) { ++target_hits; });
  fake.Start();
  HttpTransport transport(FastOptions({fake.url()}));
  HttpResult result = transport.Send({"/from", "{}", nullptr});
  EXPECT_EQ(result.outcome, Outcome::kHttpError);
  EXPECT_EQ(result.status, 307);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(target_hits.load(), 0);
}

TEST(HttpTransport, ApiKeyNeverAppearsInErrors) {
  const std::string key = "sk-very-secret-key-42";
  FakeServer fake;
  fake.server().Post("/v1/denied", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 401;
    res.set_content("bad credentials: " + req.get_header_value("Authorization"), "text/plain");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url(), DeadUrl()});
  options.api_key = key;
  options.max_retries = 1;
  HttpTransport transport(options);
  HttpResult denied = transport.Send({"/denied", "{}", nullptr});
  EXPECT_EQ(denied.outcome, Outcome::kHttpError);
  EXPECT_NE(denied.body.find(key), std::string::npos);  // the body is the server's business
  EXPECT_EQ(denied.error.find(key), std::string::npos) << denied.error;
  EXPECT_NE(denied.error.find("HTTP 401"), std::string::npos) << denied.error;

  TransportOptions dead_options = FastOptions({DeadUrl()});
  dead_options.api_key = key;
  dead_options.max_retries = 1;
  HttpTransport dead(dead_options);
  HttpResult refused = dead.Send({"/completions", "{}", nullptr});
  EXPECT_EQ(refused.outcome, Outcome::kTransportError);
  EXPECT_EQ(refused.error.find(key), std::string::npos) << refused.error;
}

TEST(HttpTransport, RejectsOptionsWithoutReplicas) {
  EXPECT_ANY_THROW(HttpTransport(TransportOptions{}));
}

}  // namespace
}  // namespace kaieval::model
