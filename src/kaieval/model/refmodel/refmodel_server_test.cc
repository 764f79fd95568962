#include "kaieval/model/refmodel/refmodel_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/model/refmodel/test_models.h"

namespace kaieval::refmodel {
namespace {

using nlohmann::json;

// A server on a free loopback port for one test.
class RefmodelServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(ServerOptions options) {
    server_.reset();
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<RefmodelServer>(testing::TinyEngine(), options);
    port_ = server_->Start();
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(5, 0);
    client.set_tcp_nodelay(true);  // else Nagle holds the body back for a delayed ACK (40 ms)
    return client;
  }

  httplib::Result Post(const std::string& path, const json& body) {
    return Client().Post(path.c_str(), body.dump(), "application/json");
  }

  std::unique_ptr<RefmodelServer> server_;
  int port_ = 0;
};

// Sends raw bytes on a fresh connection and returns whatever comes back before the server
// closes it (or a short timeout passes). With half_close the server sees end-of-input at once,
// but httplib then takes the client for gone and may not answer.
std::string RawExchange(int port, const std::string& bytes, bool half_close = true) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return "";
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  return reply;
}

TEST_F(RefmodelServerTest, ServesModelsHealthAndCompletions) {
  auto health = Client().Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body), json({{"status", "ok"}}));

  auto models = Client().Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200);
  EXPECT_EQ(json::parse(models->body)["data"][0]["id"], "tiny-10");

  auto r = Post("/v1/completions", {{"model", "tiny-10"},
                                    {"prompt", "일본의 수도는 "},
                                    {"temperature", 0},
                                    {"echo", true},
                                    {"logprobs", 1}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  json body = json::parse(r->body);
  EXPECT_EQ(body["choices"][0]["text"], "일본의 수도는 도쿄이다.");
  EXPECT_TRUE(body["id"].get<std::string>().starts_with("cmpl-"));
  EXPECT_TRUE(body["choices"][0]["logprobs"]["token_logprobs"][0].is_null());
}

TEST_F(RefmodelServerTest, RequestIdsAreUnique) {
  json body = {{"model", "tiny-10"}, {"prompt", "x"}, {"max_tokens", 1}};
  auto a = Post("/v1/completions", body);
  auto b = Post("/v1/completions", body);
  ASSERT_TRUE(a && b);
  EXPECT_NE(json::parse(a->body)["id"], json::parse(b->body)["id"]);
}

TEST_F(RefmodelServerTest, ErrorsAreOpenAiShaped) {
  auto unknown = Post("/v1/completions", {{"model", "nope"}, {"prompt", "x"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["error"]["code"], "model_not_found");

  auto bad_field = Post("/v1/completions", {{"model", "tiny-10"}, {"prompt", "x"}, {"n", 3}});
  ASSERT_TRUE(bad_field);
  EXPECT_EQ(bad_field->status, 400);
  EXPECT_EQ(json::parse(bad_field->body)["error"]["param"], "n");

  auto bad_json = Client().Post("/v1/chat/completions", "{\"model\": ", "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_EQ(json::parse(bad_json->body)["error"]["type"], "invalid_request_error");

  auto wrong_method = Client().Get("/v1/completions");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_TRUE(json::parse(wrong_method->body).contains("error"));

  auto no_route = Client().Get("/v2/everything");
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->status, 404);
  EXPECT_EQ(json::parse(no_route->body)["error"]["code"], "not_found");
}

TEST_F(RefmodelServerTest, OversizedBodyIs413) {
  Start({.max_body_bytes = 1000});
  json body = {{"model", "tiny-10"}, {"prompt", std::string(2000, 'a')}};
  auto r = Post("/v1/completions", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "request_too_large");

  // The same limit holds for a chunked body, which carries no Content-Length.
  std::string chunk = body.dump();
  std::string request =
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n" +
      fmt::format("{:x}\r\n", chunk.size()) + chunk + "\r\n0\r\n\r\n";
  std::string reply = RawExchange(port_, request, /*half_close=*/false);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply;

  auto fits = Post("/v1/completions", {{"model", "tiny-10"}, {"prompt", "a"}, {"max_tokens", 1}});
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
}

TEST_F(RefmodelServerTest, StreamedChatIsServerSentEventsEndingInDone) {
  json body = {{"model", "tiny-2"},
               {"messages", {{{"role", "user"}, {"content", "Hello."}}}},
               {"seed", 5},
               {"max_tokens", 30}};
  auto plain = Post("/v1/chat/completions", body);
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200);
  body["stream"] = true;
  auto streamed = Post("/v1/chat/completions", body);
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200);
  EXPECT_EQ(streamed->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_TRUE(streamed->body.ends_with("data: [DONE]\n\n"));
  std::string content;
  size_t events = 0;
  for (size_t at = 0; at < streamed->body.size();) {
    size_t end = streamed->body.find("\n\n", at);
    ASSERT_NE(end, std::string::npos);
    std::string event = streamed->body.substr(at, end - at);
    at = end + 2;
    ASSERT_TRUE(event.starts_with("data: ")) << event;
    ++events;
    if (event == "data: [DONE]") continue;
    json chunk = json::parse(event.substr(6));
    content += chunk["choices"][0]["delta"].value("content", "");
  }
  EXPECT_GE(events, 4u);
  EXPECT_EQ(content, json::parse(plain->body)["choices"][0]["message"]["content"]);
}

TEST_F(RefmodelServerTest, SurvivesMalformedHttpAndJson) {
  const std::string garbage[] = {
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS hello
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\r\nHost",  // cut off in the headers
      "POST /v1/completions HTTP/1.1\r\nContent-Length: 999999999999999999999\r\n\r\n{}",
      "POST /v1/completions HTTP/1.1\r\nContent-Length: 40\r\n\r\n{\"model\": \"tiny-6\"",
      "POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n",
      "POST /v1/completions HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[[",
      std::string(10000, '\0'),
  };
  for (const auto& bytes : garbage) RawExchange(port_, bytes);
  // Deeply nested JSON must not overflow the stack.
  auto nested = Client().Post("/v1/completions", std::string(200000, '['), "application/json");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->status, 400);
  auto wrong_types =
      Client().Post("/v1/completions", "{\"model\": [], \"prompt\": {}}", "application/json");
  ASSERT_TRUE(wrong_types);
  EXPECT_EQ(wrong_types->status, 400);

  auto r = Post("/v1/completions",
                {{"model", "tiny-10"}, {"prompt", "7 plus 5 is"}, {"temperature", 0}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["choices"][0]["text"], " 12.");
}

TEST_F(RefmodelServerTest, StatsCountRequestsThatReachedEachEndpoint) {
  Client().Get("/v1/models");
  Post("/v1/completions", {{"model", "tiny-10"}, {"prompt", "a"}, {"max_tokens", 1}});
  Post("/v1/completions", {{"model", "nope"}, {"prompt", "a"}});
  Post("/v1/chat/completions", {{"model", "tiny-10"}, {"messages", json::array()}});
  Client().Get("/health");
  auto stats = Client().Get("/stats");
  ASSERT_TRUE(stats);
  json requests = json::parse(stats->body)["requests"];
  EXPECT_EQ(requests["/v1/completions"], 2);
  EXPECT_EQ(requests["/v1/chat/completions"], 1);
  EXPECT_EQ(requests["/v1/models"], 1);
  EndpointCounts counts = server_->counts();
  EXPECT_EQ(counts.completions, 2u);
  EXPECT_EQ(counts.chat_completions, 1u);
  EXPECT_EQ(counts.models, 1u);
}

TEST_F(RefmodelServerTest, ServesMoreKeepAliveConnectionsThanThreads) {
  Start({.threads = 4, .keep_alive_seconds = 1});
  constexpr int kClients = 32, kRequestsEach = 3;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port_);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(10, 0);
      for (int i = 0; i < kRequestsEach; ++i) {
        json body = {{"model", "tiny-10"}, {"prompt", "The capital"}, {"seed", c * 10 + i}};
        auto r = client.Post("/v1/completions", body.dump(), "application/json");
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequestsEach);
}

TEST(RefmodelServer, BusyPortIsAnInputError) {
  RefmodelServer first(testing::TinyEngine(), {.port = 0});
  int port = first.Start();
  RefmodelServer second(testing::TinyEngine(), {.port = port});
  EXPECT_THROW(second.Start(), InputError);
  first.Stop();
  first.Stop();  // twice is fine
}

}  // namespace
}  // namespace kaieval::refmodel
