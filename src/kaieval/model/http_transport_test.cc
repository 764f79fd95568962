// Tests for HttpTransport against httplib fake servers on 127.0.0.1: request shape, keep-alive,
// concurrency limits, load balancing, retries and backoff, time limits, SSE parsing,
// cancellation and secrecy of the API key.
#include "kaieval/model/http_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kaieval::model {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using Outcome = HttpResult::Outcome;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// An httplib server on 127.0.0.1 running on its own thread; handlers are added before Start().
class FakeServer {
 public:
  explicit FakeServer(size_t threads = 16) {
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_keep_alive_max_count(1000000);
    server_.set_tcp_nodelay(true);
    server_.set_socket_options([this](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_fd_ = sock;
    });
  }
  ~FakeServer() {
    stopping_ = true;
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  httplib::Server& server() { return server_; }

  // Binds (port 0: any free port) and serves. httplib listens with a backlog of 5, too few for
  // hundreds of simultaneous connects, so the socket is put back into listen with a larger one.
  void Start(int port = 0) {
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else {
      ASSERT_TRUE(server_.bind_to_port("127.0.0.1", port));
      port_ = port;
    }
    ASSERT_GT(port_, 0);
    ::listen(listen_fd_, 4096);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(1));
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int port() const { return port_; }

  // For slow handlers: returns early when the server is shutting down.
  void SleepUnlessStopping(milliseconds duration) {
    auto until = Clock::now() + duration;
    while (!stopping_ && Clock::now() < until) std::this_thread::sleep_for(milliseconds(2));
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

// A localhost port with nothing listening on it.
int DeadPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string DeadUrl() { return "http://127.0.0.1:" + std::to_string(DeadPort()) + "/v1"; }

// Short timings so that the whole binary runs in seconds.
TransportOptions FastOptions(std::vector<std::string> urls) {
  TransportOptions options;
  options.base_urls = std::move(urls);
  options.backoff_initial = milliseconds(10);
  options.backoff_max = milliseconds(50);
  options.replica_cooldown = milliseconds(50);
  options.connect_timeout = milliseconds(2000);
  options.request_timeout = milliseconds(10000);
  return options;
}

std::vector<HttpCall> Calls(size_t count, const std::string& path, const std::string& body = "{}") {
  std::vector<HttpCall> calls(count);
  for (HttpCall& call : calls) {
    call.path = path;
    call.body = body;
  }
  return calls;
}

// Runs the calls and checks that on_done saw each index exactly once.
std::vector<HttpResult> RunAll(HttpTransport& transport, std::vector<HttpCall>& calls) {
  std::vector<HttpResult> results(calls.size());
  std::vector<int> reports(calls.size());
  transport.Execute(calls, [&](size_t index, HttpResult&& result) {
    ++reports[index];
    results[index] = std::move(result);
    return true;
  });
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(reports[i], 1) << "call " << i;
  return results;
}

size_t CountOk(const std::vector<HttpResult>& results) {
  size_t ok = 0;
  for (const HttpResult& result : results) ok += result.ok();
  return ok;
}

// Records how many requests a handler has in progress at once.
struct ConcurrencyProbe {
  std::atomic<int> now{0};
  std::atomic<int> max{0};
  std::atomic<int> total{0};
  void Enter() {
    ++total;
    int current = ++now;
    int seen = max.load();
    while (current > seen && !max.compare_exchange_weak(seen, current)) {
    }
  }
  void Leave() { --now; }
};

void AddSlowHandler(FakeServer& fake, ConcurrencyProbe& probe, milliseconds delay) {
  fake.server().Post("/v1/slow", [&fake, &probe, delay](const auto&, auto& res) {
    probe.Enter();
    fake.SleepUnlessStopping(delay);
    probe.Leave();
    res.set_content("{}", "application/json");
  });
}

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

TEST(HttpTransport, RetriesOn408And429And5xxThenSucceeds) {
  for (int status : {408, 429, 500, 503}) {
    FakeServer fake;
    std::atomic<int> count{0};
    fake.server().Post("/v1/flaky", [&](const auto&, httplib::Response& res) {
      if (++count <= 2) {
        res.status = status;
        res.set_content("busy", "text/plain");
      } else {
        res.set_content("fine", "text/plain");
      }
    });
    fake.Start();
    HttpTransport transport(FastOptions({fake.url()}));
    HttpResult result = transport.Send({"/flaky", "{}", nullptr});
    ASSERT_TRUE(result.ok()) << status << ": " << result.error;
    EXPECT_EQ(result.body, "fine");
    EXPECT_EQ(result.attempts, 3);
    EXPECT_EQ(count.load(), 3);
    EXPECT_EQ(transport.stats().retries, 2u);
  }
}

TEST(HttpTransport, RetriesOn503AndHonoursRetryAfter) {
  FakeServer fake;
  std::atomic<int> count{0};
  fake.server().Post("/v1/busy", [&](const auto&, httplib::Response& res) {
    if (++count == 1) {
      res.status = 503;
      res.set_header("Retry-After", "1");
    } else {
      res.set_content("ok", "text/plain");
    }
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.backoff_max = milliseconds(5000);
  HttpTransport transport(options);
  auto start = Clock::now();
  HttpResult result = transport.Send({"/busy", "{}", nullptr});
  double elapsed = SecondsSince(start);
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.attempts, 2);
  EXPECT_GE(result.seconds, 0.9);
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 2.0);
}

TEST(HttpTransport, HonoursRetryAfterHttpDateCappedAtBackoffMax) {
  FakeServer fake;
  std::atomic<int> count{0};
  fake.server().Post("/v1/busy", [&](const auto&, httplib::Response& res) {
    if (++count == 1) {
      std::time_t later = std::time(nullptr) + 30;
      std::tm tm{};
      gmtime_r(&later, &tm);
      char date[64];
      std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
      res.status = 429;
      res.set_header("Retry-After", date);
    } else {
      res.set_content("ok", "text/plain");
    }
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.backoff_max = milliseconds(600);
  HttpTransport transport(options);
  auto start = Clock::now();
  HttpResult result = transport.Send({"/busy", "{}", nullptr});
  double elapsed = SecondsSince(start);
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_GE(elapsed, 0.55);  // the date was honoured...
  EXPECT_LT(elapsed, 1.5);   // ...but only up to backoff_max
}

TEST(HttpTransport, BackoffIsCappedAtBackoffMax) {
  FakeServer fake;
  fake.server().Post("/v1/fail", [](const auto&, httplib::Response& res) { res.status = 500; });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.backoff_initial = milliseconds(2000);
  options.backoff_max = milliseconds(30);
  options.max_retries = 5;
  HttpTransport transport(options);
  auto start = Clock::now();
  HttpResult result = transport.Send({"/fail", "{}", nullptr});
  EXPECT_EQ(result.attempts, 6);
  EXPECT_LT(SecondsSince(start), 0.6);
}

TEST(HttpTransport, DoesNotRetryOn400Or404) {
  for (int status : {400, 404}) {
    FakeServer fake;
    std::atomic<int> count{0};
    fake.server().Post("/v1/bad", [&](const auto&, httplib::Response& res) {
      ++count;
      res.status = status;
      res.set_content("{\"error\":\"bad request\"}", "application/json");
    });
    fake.Start();
    HttpTransport transport(FastOptions({fake.url()}));
    HttpResult result = transport.Send({"/bad", "{}", nullptr});
    EXPECT_EQ(result.outcome, Outcome::kHttpError);
    EXPECT_EQ(result.status, status);
    EXPECT_EQ(result.body, "{\"error\":\"bad request\"}");
    EXPECT_EQ(result.attempts, 1);
    EXPECT_EQ(count.load(), 1);
  }
}

TEST(HttpTransport, GivesUpAfterMaxRetriesWithHttpError) {
  FakeServer fake;
  std::atomic<int> count{0};
  std::string body(300, 'e');
  fake.server().Post("/v1/completions", [&](const auto&, httplib::Response& res) {
    ++count;
    res.status = 500;
    res.set_content(body, "text/plain");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.max_retries = 3;
  HttpTransport transport(options);
  HttpResult result = transport.Send({"/completions", "{}", nullptr});
  EXPECT_EQ(result.outcome, Outcome::kHttpError);
  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(result.attempts, 4);
  EXPECT_EQ(count.load(), 4);
  EXPECT_EQ(result.body, body);
  EXPECT_EQ(result.error, "POST " + fake.url() +
                              "/completions: HTTP 500 after 4 attempts: " + std::string(200, 'e'));
  TransportStats stats = transport.stats();
  EXPECT_EQ(stats.attempts, 4u);
  EXPECT_EQ(stats.retries, 3u);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.succeeded, 0u);
}

TEST(HttpTransport, ConnectionRefusedEndsAsTransportErrorAfterRetries) {
  std::string url = DeadUrl();
  TransportOptions options = FastOptions({url});
  options.replica_cooldown = milliseconds(10);
  HttpTransport transport(options);
  HttpResult result = transport.Send({"/completions", "{}", nullptr});
  EXPECT_EQ(result.outcome, Outcome::kTransportError);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.attempts, 6);
  EXPECT_EQ(result.error, "POST " + url + "/completions: connection refused after 6 attempts");
}

TEST(HttpTransport, SlowAttemptTimesOutAndIsRetried) {
  FakeServer fake;
  std::atomic<int> count{0};
  fake.server().Post("/v1/sleepy", [&](const auto&, httplib::Response& res) {
    ++count;
    fake.SleepUnlessStopping(milliseconds(1500));
    res.set_content("late", "text/plain");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.request_timeout = milliseconds(100);
  options.max_retries = 1;
  HttpTransport transport(options);
  auto start = Clock::now();
  HttpResult result = transport.Send({"/sleepy", "{}", nullptr});
  EXPECT_EQ(result.outcome, Outcome::kTimedOut);
  EXPECT_EQ(result.attempts, 2);
  EXPECT_LT(SecondsSince(start), 0.8);
  EXPECT_NE(result.error.find("timed out"), std::string::npos) << result.error;
}

TEST(HttpTransport, TotalTimeoutEndsInFlightWaitingAndUnstartedCalls) {
  FakeServer fake;
  fake.server().Post("/v1/sleepy", [&](const auto&, httplib::Response& res) {
    fake.SleepUnlessStopping(milliseconds(3000));
    res.set_content("late", "text/plain");
  });
  fake.server().Post("/v1/busy", [](const auto&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "10");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.max_in_flight = 4;
  options.backoff_max = milliseconds(10000);
  options.total_timeout = milliseconds(300);
  HttpTransport transport(options);
  auto calls = Calls(20, "/sleepy");
  calls[0].path = "/busy";  // ends up waiting for its retry
  auto start = Clock::now();
  auto results = RunAll(transport, calls);
  double elapsed = SecondsSince(start);
  EXPECT_GE(elapsed, 0.29);
  EXPECT_LT(elapsed, 0.8);
  for (const HttpResult& result : results) {
    EXPECT_EQ(result.outcome, Outcome::kTimedOut) << result.error;
    EXPECT_NE(result.error.find("total timeout of 300 ms"), std::string::npos) << result.error;
  }
  EXPECT_EQ(results[0].status, 503);
}

TEST(HttpTransport, TooLargeResponseIsAbortedAndNotRetried) {
  FakeServer fake;
  std::atomic<int> count{0};
  fake.server().Post("/v1/big", [&](const auto&, httplib::Response& res) {
    ++count;
    res.set_content(std::string(100000, 'b'), "text/plain");
  });
  fake.Start();
  TransportOptions options = FastOptions({fake.url()});
  options.max_response_bytes = 1000;
  HttpTransport transport(options);
  HttpResult result = transport.Send({"/big", "{}", nullptr});
  EXPECT_EQ(result.outcome, Outcome::kTooLarge);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(count.load(), 1);
  EXPECT_NE(result.error.find("1000 bytes"), std::string::npos) << result.error;
  // The connection was dropped mid-body; the next call still works.
  options.max_response_bytes = 1 << 20;
  HttpTransport roomy(options);
  EXPECT_TRUE(roomy.Send({"/big", "{}", nullptr}).ok());
}

// Serves `stream` one byte per chunk with pauses, so payloads arrive split at every offset.
void AddByteByByteStream(FakeServer& fake, const std::string& path, std::string stream) {
  fake.server().Post(path, [stream](const auto&, httplib::Response& res) {
    res.set_chunked_content_provider(
        "text/event-stream", [stream](size_t, httplib::DataSink& sink) {
          for (char c : stream) {
            sink.write(&c, 1);
            std::this_thread::sleep_for(std::chrono::microseconds(100));
          }
          sink.done();
          return true;
        });
  });
}

TEST(HttpTransport, ParsesSseSplitAtEveryByte) {
  FakeServer fake;
  AddByteByByteStream(fake, "/v1/stream",
                      ": keep-alive\n\n"
                      "data: hello\n\n"
                      "event: message\r\nid: 7\r\ndata: crlf\r\n\r\n"
                      "data: line1\ndata:line2\ndata:  two spaces\n\n"
                      "retry: 10\ndata: {\"k\": \"v: w\"}\n\n"
                      "event: no-data\n\n"
                      "data\n\n"
                      "data: [DONE]\n\n");
  fake.Start();
  HttpTransport transport(FastOptions({fake.url()}));
  std::vector<std::string> payloads;
  HttpResult result = transport.Send({"/stream", "{\"stream\":true}",
                                      [&](std::string_view data) { payloads.emplace_back(data); }});
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(payloads, (std::vector<std::string>{"hello", "crlf", "line1\nline2\n two spaces",
                                                "{\"k\": \"v: w\"}", ""}));
}

TEST(HttpTransport, RetriesStreamingCallBeforeFirstPayload) {
  FakeServer fake;
  std::atomic<int> count{0};
  fake.server().Post("/v1/stream", [&](const auto&, httplib::Response& res) {
    if (++count == 1) {
      res.status = 503;
      res.set_content("data: not-a-payload\n\n", "text/event-stream");
      return;
    }
    res.set_content("data: a\n\ndata: b\n\ndata: [DONE]\n\n", "text/event-stream");
  });
  fake.Start();
  HttpTransport transport(FastOptions({fake.url()}));
  std::vector<std::string> payloads;
  HttpResult result = transport.Send(
      {"/stream", "{}", [&](std::string_view data) { payloads.emplace_back(data); }});
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.attempts, 2);
  EXPECT_EQ(payloads, (std::vector<std::string>{"a", "b"}));
}

TEST(HttpTransport, DoesNotRetryStreamingCallAfterAPayload) {
  FakeServer fake;
  std::atomic<int> count{0};
  fake.server().Post("/v1/stream", [&](const auto&, httplib::Response& res) {
    ++count;
    res.set_chunked_content_provider("text/event-stream", [](size_t, httplib::DataSink& sink) {
      sink.write("data: a\n\n", 9);
      std::this_thread::sleep_for(milliseconds(20));
      return false;  // the server dies mid-stream
    });
  });
  fake.Start();
  HttpTransport transport(FastOptions({fake.url()}));
  std::vector<std::string> payloads;
  HttpResult result = transport.Send(
      {"/stream", "{}", [&](std::string_view data) { payloads.emplace_back(data); }});
  EXPECT_EQ(result.outcome, Outcome::kTransportError) << result.error;
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(count.load(), 1);
  EXPECT_EQ(payloads, std::vector<std::string>{"a"});
}

TEST(HttpTransport, StreamingCallCollectsNon2xxBodyAsHttpError) {
  FakeServer fake;
  fake.server().Post("/v1/stream", [](const auto&, httplib::Response& res) {
    res.status = 422;
    res.set_content("data: {\"error\":\"bad\"}\n\n", "text/event-stream");
  });
  fake.Start();
  HttpTransport transport(FastOptions({fake.url()}));
  int payloads = 0;
  HttpResult result = transport.Send({"/stream", "{}", [&](std::string_view) { ++payloads; }});
  EXPECT_EQ(result.outcome, Outcome::kHttpError);
  EXPECT_EQ(result.status, 422);
  EXPECT_EQ(result.body, "data: {\"error\":\"bad\"}\n\n");
  EXPECT_EQ(payloads, 0);
}

TEST(HttpTransport, ExceptionFromSseCallbackPropagatesAndTransportStaysUsable) {
  FakeServer fake;
  fake.server().Post("/v1/stream", [](const auto&, httplib::Response& res) {
    res.set_content("data: a\n\n", "text/event-stream");
  });
  fake.Start();
  HttpTransport transport(FastOptions({fake.url()}));
  EXPECT_THROW(transport.Send({"/stream", "{}",
                               [](std::string_view) { throw std::runtime_error("consumer"); }}),
               std::runtime_error);
  std::string got;
  HttpResult result = transport.Send({"/stream", "{}", [&](std::string_view d) { got = d; }});
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(got, "a");
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
