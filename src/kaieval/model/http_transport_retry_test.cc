// HttpTransport: retries, backoff, Retry-After, time limits and the response size cap.
#include "kaieval/model/http_transport_test_support.h"

namespace kaieval::model {
namespace {

using namespace kaieval::model::testing;  // NOLINT: the fixtures of these tests

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
}  // namespace
}  // namespace kaieval::model
