// HttpTransport: server-sent events, delivered as they arrive and retried only before the first.
#include "kaieval/model/http_transport_test_support.h"

namespace kaieval::model {
namespace {

using namespace kaieval::model::testing;  // NOLINT: the fixtures of these tests

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

}  // namespace
}  // namespace kaieval::model
