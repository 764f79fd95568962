#include "kaieval/model/model_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::model {
namespace {

using nlohmann::json;

// A fake OpenAI-compatible server on loopback whose answers each test sets.
class FakeServer {
 public:
  FakeServer() {
    server_.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
      ++completions_;
      last_auth_ = req.get_header_value("Authorization");
      last_body_ = req.body;
      on_completions(req, res);
    });
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   ++chats_;
                   on_chat(req, res);
                 });
    server_.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"object":"list","data":[{"id":"fake-1"},{"id":"fake-2"}]})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeServer() {
    server_.stop();
    thread_.join();
  }
  std::string Args(const std::string& extra = "") const {
    return "model=fake-1,base_url=http://127.0.0.1:" + std::to_string(port_) + "/v1" + extra;
  }

  std::function<void(const httplib::Request&, httplib::Response&)> on_completions;
  std::function<void(const httplib::Request&, httplib::Response&)> on_chat;
  std::atomic<int> completions_{0};
  std::atomic<int> chats_{0};
  std::string last_auth_;
  std::string last_body_;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// An echoed answer for prompt "ab" + continuation "c": one logprob per character.
void EchoAnswer(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body);
  std::string prompt = body["prompt"];
  json lp = {{"tokens", json::array()},
             {"token_logprobs", json::array()},
             {"top_logprobs", json::array()},
             {"text_offset", json::array()}};
  for (size_t i = 0; i < prompt.size(); ++i) {
    lp["tokens"].push_back(std::string(1, prompt[i]));
    lp["text_offset"].push_back(i);
    if (i == 0) {
      lp["token_logprobs"].push_back(nullptr);
      lp["top_logprobs"].push_back(nullptr);
    } else {
      lp["token_logprobs"].push_back(-0.5 * static_cast<double>(i));
      lp["top_logprobs"].push_back({{std::string(1, prompt[i]), -0.5 * static_cast<double>(i)}});
    }
  }
  json answer = {
      {"choices",
       {{{"index", 0}, {"text", prompt}, {"logprobs", lp}, {"finish_reason", "length"}}}}};
  res.set_content(answer.dump(), "application/json");
}

std::string FreshCache(const char* name) {
  auto p = std::filesystem::temp_directory_path() / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

TEST(ModelClient, LoglikelihoodIsComputedThenServedFromCache) {
  FakeServer server;
  server.on_completions = EchoAnswer;
  ResponseCache cache(FreshCache("kaieval_client_ll.db"), CacheMode::kOn);
  ModelClient client(ParseModelArgs("openai", server.Args()), &cache);
  auto first = client.Loglikelihood({{"ab", "c"}, {"a", "bc"}});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_DOUBLE_EQ(first[0].logprob, -1.0);        // token "c" at index 2
  EXPECT_DOUBLE_EQ(first[1].logprob, -0.5 - 1.0);  // "b" and "c"
  EXPECT_TRUE(first[0].is_greedy);
  EXPECT_FALSE(first[0].from_cache);
  json sent = json::parse(server.last_body_);
  EXPECT_EQ(sent["echo"], true);
  EXPECT_EQ(sent["logprobs"], 1);
  EXPECT_EQ(sent["max_tokens"], 1);
  EXPECT_EQ(server.completions_, 2);

  auto again = client.Loglikelihood({{"ab", "c"}, {"a", "bc"}});
  EXPECT_EQ(server.completions_, 2);  // nothing sent the second time
  EXPECT_TRUE(again[0].from_cache);
  EXPECT_DOUBLE_EQ(again[1].logprob, first[1].logprob);
}

TEST(ModelClient, ApiKeyIsSentButNeverCached) {
  FakeServer server;
  server.on_completions = [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"choices":[{"text":"ok","finish_reason":"stop"}]})", "application/json");
  };
  ::setenv("KAIEVAL_CLIENT_TEST_KEY", "sk-very-secret-value", 1);
  std::string path = FreshCache("kaieval_client_key.db");
  {
    ResponseCache cache(path, CacheMode::kOn);
    ModelClient client(
        ParseModelArgs("openai", server.Args(",api_key_env=KAIEVAL_CLIENT_TEST_KEY")), &cache);
    auto out = client.Complete({{"hello", 4}});
    EXPECT_EQ(out[0].text, "ok");
    EXPECT_EQ(out[0].finish_reason, "stop");
  }
  EXPECT_EQ(server.last_auth_, "Bearer sk-very-secret-value");
  std::stringstream all;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream f(path + suffix, std::ios::binary);
    all << f.rdbuf();
  }
  EXPECT_EQ(all.str().find("sk-very-secret-value"), std::string::npos);
  EXPECT_NE(all.str().find("hello"), std::string::npos);  // the request itself is there
  ::unsetenv("KAIEVAL_CLIENT_TEST_KEY");
}

TEST(ModelClient, NonJsonAnswerIsAnInputError) {
  FakeServer server;
  server.on_completions = [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>proxy login</html>", "text/html");
  };
  ModelClient client(ParseModelArgs("openai", server.Args()), nullptr);
  EXPECT_NE(testing::InputErrorMessage([&] { client.Complete({{"x"}}); }).find("not JSON"),
            std::string::npos);
}

TEST(ModelClient, AnswerWithoutLogprobsSaysWhatIsMissing) {
  FakeServer server;
  server.on_completions = [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"choices":[{"text":"abc","logprobs":null}]})", "application/json");
  };
  ModelClient client(ParseModelArgs("openai", server.Args()), nullptr);
  std::string err = testing::InputErrorMessage([&] { client.Loglikelihood({{"ab", "c"}}); });
  EXPECT_NE(err.find("no logprobs"), std::string::npos) << err;
  EXPECT_NE(err.find("echo=true"), std::string::npos) << err;
}

TEST(ModelClient, UnknownModelIsAnInputErrorNamingTheModel) {
  FakeServer server;
  server.on_completions = [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"error":{"message":"The model `fake-1` does not exist.","code":404}})",
                    "application/json");
  };
  ModelClient client(ParseModelArgs("openai", server.Args()), nullptr);
  std::string err = testing::InputErrorMessage([&] { client.Complete({{"x"}}); });
  EXPECT_NE(err.find("model 'fake-1'"), std::string::npos) << err;
  EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
  EXPECT_EQ(server.completions_, 1);  // a 404 is not retried
}

TEST(ModelClient, OversizedAnswerIsRejected) {
  FakeServer server;
  server.on_completions = [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"choices":[{"text":")" + std::string(3 << 20, 'x') + "\"}]}",
                    "application/json");
  };
  ModelClient client(ParseModelArgs("openai", server.Args(",max_response_mb=1")), nullptr);
  EXPECT_NE(testing::InputErrorMessage([&] { client.Complete({{"x"}}); }).find("larger than"),
            std::string::npos);
}

TEST(ModelClient, UnreachableServerIsARemoteErrorAfterRetries) {
  // Port 9 (discard) has no listener on loopback here.
  ModelClient client(
      ParseModelArgs("openai", "model=m,base_url=http://127.0.0.1:9/v1,max_retries=1"), nullptr);
  try {
    client.Complete({{"x"}});
    FAIL() << "expected RemoteError";
  } catch (const RemoteError& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::kRemote);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:9"), std::string::npos) << e.what();
  }
}

TEST(ModelClient, StreamedChatDeliversDeltasAndCachesTheWholeAnswer) {
  FakeServer server;
  server.on_chat = [](const httplib::Request& req, httplib::Response& res) {
    ASSERT_TRUE(json::parse(req.body)["stream"].get<bool>());
    std::string sse;
    for (std::string piece : {"안녕", "하세", "요"}) {
      json chunk = {{"choices", {{{"index", 0}, {"delta", {{"content", piece}}}}}}};
      sse += "data: " + chunk.dump() + "\n\n";
    }
    sse += R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
           "\n\n";
    sse += "data: [DONE]\n\n";
    res.set_content(sse, "text/event-stream");
  };
  ResponseCache cache(FreshCache("kaieval_client_sse.db"), CacheMode::kOn);
  ModelClient client(ParseModelArgs("local-chat-completions", server.Args()), &cache);
  ChatRequest req;
  req.messages = {{"user", "인사해 줘"}};
  std::vector<std::string> deltas;
  auto out =
      client.Chat({req}, nullptr, [&](size_t, std::string_view d) { deltas.emplace_back(d); });
  EXPECT_EQ(deltas, (std::vector<std::string>{"안녕", "하세", "요"}));
  EXPECT_EQ(out[0].text, "안녕하세요");
  EXPECT_EQ(out[0].finish_reason, "stop");

  deltas.clear();
  auto again =
      client.Chat({req}, nullptr, [&](size_t, std::string_view d) { deltas.emplace_back(d); });
  EXPECT_EQ(server.chats_, 1);
  EXPECT_TRUE(again[0].from_cache);
  EXPECT_EQ(deltas, (std::vector<std::string>{"안녕하세요"}));
  auto plain = client.Chat({req});  // the non-streamed request shares the cached answer
  EXPECT_EQ(plain[0].text, "안녕하세요");
  EXPECT_EQ(server.chats_, 1);
}

TEST(ModelClient, ListsServedModels) {
  FakeServer server;
  ModelClient client(ParseModelArgs("openai", server.Args()), nullptr);
  EXPECT_EQ(client.ListModels(), (std::vector<std::string>{"fake-1", "fake-2"}));
}

}  // namespace
}  // namespace kaieval::model
