#include "kaieval/model/refmodel/completion_engine.h"

#include <gtest/gtest.h>

#include "kaieval/common/utf8.h"
#include "kaieval/model/refmodel/test_models.h"

namespace kaieval::refmodel {
namespace {

using nlohmann::json;
using testing::TinyEngine;

const RequestContext kContext{"0123", 1700000000, 99};

json Complete(const json& body) {
  return json::parse(DumpJson(TinyEngine().Complete(body, kContext)));
}

// The RequestError a body raises, or a failure.
RequestError ErrorOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const RequestError& e) {
    return e;
  }
  ADD_FAILURE() << "no RequestError";
  return RequestError(0, "");
}

TEST(CompletionEngine, ListsEveryModel) {
  json list = json::parse(DumpJson(TinyEngine().ListModels(5)));
  EXPECT_EQ(list["object"], "list");
  ASSERT_EQ(list["data"].size(), 2u);
  EXPECT_EQ(list["data"][0]["id"], "tiny-10");
  EXPECT_EQ(list["data"][1]["id"], "tiny-2");
  EXPECT_EQ(list["data"][0]["object"], "model");
  EXPECT_EQ(list["data"][0]["owned_by"], "kaieval-refmodel");
  EXPECT_EQ(list["data"][0]["created"], 5);
}

TEST(CompletionEngine, CompletionHasTheOpenAiShape) {
  json r = Complete({{"model", "tiny-10"}, {"prompt", "대한민국의 수도는 "}, {"temperature", 0}});
  EXPECT_EQ(r["id"], "cmpl-0123");
  EXPECT_EQ(r["object"], "text_completion");
  EXPECT_EQ(r["created"], 1700000000);
  EXPECT_EQ(r["model"], "tiny-10");
  ASSERT_EQ(r["choices"].size(), 1u);
  EXPECT_EQ(r["choices"][0]["index"], 0);
  EXPECT_EQ(r["choices"][0]["text"], "서울이다.");
  EXPECT_TRUE(r["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(r["usage"]["prompt_tokens"], 10);
  EXPECT_EQ(r["usage"]["completion_tokens"], 6);  // "서울이다." and the "\n" that ended it
  EXPECT_EQ(r["usage"]["total_tokens"], 16);
}

TEST(CompletionEngine, EchoLogprobsCoverPromptThenGeneratedTokens) {
  std::string prompt = "한글날은 10월";
  json r = Complete({{"model", "tiny-10"},
                     {"prompt", prompt},
                     {"echo", true},
                     {"logprobs", 2},
                     {"max_tokens", 3},
                     {"temperature", 0}});
  const json& choice = r["choices"][0];
  std::string text = choice["text"];
  ASSERT_TRUE(text.starts_with(prompt));
  EXPECT_EQ(text, prompt + " 9일");
  const json& lp = choice["logprobs"];
  size_t n = CodePointCount(text);
  ASSERT_EQ(lp["tokens"].size(), n);
  ASSERT_EQ(lp["token_logprobs"].size(), n);
  ASSERT_EQ(lp["top_logprobs"].size(), n);
  ASSERT_EQ(lp["text_offset"].size(), n);
  // The first prompt token has nothing before it: null and null, as vLLM answers.
  EXPECT_TRUE(lp["token_logprobs"][0].is_null());
  EXPECT_TRUE(lp["top_logprobs"][0].is_null());
  std::string joined;
  for (size_t i = 0; i < n; ++i) {
    // Offsets count code points, so Hangul syllables (3 bytes each) advance them by one.
    EXPECT_EQ(lp["text_offset"][i], CodePointCount(joined)) << i;
    joined += lp["tokens"][i].get<std::string>();
    if (i == 0) continue;
    ASSERT_TRUE(lp["token_logprobs"][i].is_number());
    const json& top = lp["top_logprobs"][i];
    EXPECT_GE(top.size(), 2u);
    EXPECT_LE(top.size(), 3u);
    EXPECT_TRUE(top.contains(lp["tokens"][i].get<std::string>()));
    EXPECT_DOUBLE_EQ(top[lp["tokens"][i].get<std::string>()].get<double>(),
                     lp["token_logprobs"][i].get<double>());
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(lp["text_offset"][4], 4);  // "한글날은 " -> the space is code point 4, byte 12
}

TEST(CompletionEngine, MaxTokensZeroWithEchoReturnsOnlyThePrompt) {
  json r = Complete({{"model", "tiny-10"},
                     {"prompt", "물은 섭씨"},
                     {"echo", true},
                     {"logprobs", 1},
                     {"max_tokens", 0}});
  const json& choice = r["choices"][0];
  EXPECT_EQ(choice["text"], "물은 섭씨");
  EXPECT_EQ(choice["logprobs"]["tokens"].size(), 5u);
  EXPECT_EQ(choice["finish_reason"], "length");
  EXPECT_EQ(r["usage"]["completion_tokens"], 0);
}

TEST(CompletionEngine, LogprobsZeroListsOnlyTheActualToken) {
  json r = Complete({{"model", "tiny-10"},
                     {"prompt", "The capital"},
                     {"echo", true},
                     {"logprobs", 0},
                     {"max_tokens", 0}});
  const json& lp = r["choices"][0]["logprobs"];
  for (size_t i = 1; i < lp["tokens"].size(); ++i) {
    ASSERT_EQ(lp["top_logprobs"][i].size(), 1u);
    EXPECT_TRUE(lp["top_logprobs"][i].contains(lp["tokens"][i].get<std::string>()));
  }
}

TEST(CompletionEngine, PromptListGivesOneChoicePerPromptInOrder) {
  json r = Complete({{"model", "tiny-10"},
                     {"prompt", {"일본의 수도는 ", "프랑스의 수도는 "}},
                     {"temperature", 0}});
  ASSERT_EQ(r["choices"].size(), 2u);
  EXPECT_EQ(r["choices"][0]["index"], 0);
  EXPECT_EQ(r["choices"][0]["text"], "도쿄이다.");
  EXPECT_EQ(r["choices"][1]["index"], 1);
  EXPECT_EQ(r["choices"][1]["text"], "파리이다.");
  EXPECT_EQ(r["usage"]["prompt_tokens"], 8 + 9);
}

TEST(CompletionEngine, StopStringEndsTheChoice) {
  json r = Complete({{"model", "tiny-10"},
                     {"prompt", "The capital of Japan is"},
                     {"stop", {"ky"}},
                     {"temperature", 0}});
  EXPECT_EQ(r["choices"][0]["text"], " To");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(r["choices"][0]["stop_reason"], "ky");
}

TEST(CompletionEngine, SameSeedSameTextAcrossCalls) {
  json body = {{"model", "tiny-2"}, {"prompt", "The "}, {"seed", 7}, {"max_tokens", 30}};
  EXPECT_EQ(Complete(body)["choices"][0]["text"], Complete(body)["choices"][0]["text"]);
}

TEST(CompletionEngine, UnknownModelIs404ModelNotFound) {
  RequestError e = ErrorOf([] { Complete({{"model", "nope"}, {"prompt", "x"}}); });
  EXPECT_EQ(e.status(), 404);
  EXPECT_EQ(e.code(), "model_not_found");
  EXPECT_EQ(e.param(), "model");
  json body = json::parse(DumpJson(ErrorBody(e)));
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
  EXPECT_EQ(body["error"]["code"], "model_not_found");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("nope"), std::string::npos);
}

TEST(CompletionEngine, BadFieldIs400NamingTheField) {
  const std::pair<json, std::string> cases[] = {
      {{{"prompt", "x"}}, "model"},
      {{{"model", "tiny-10"}}, "prompt"},
      {{{"model", "tiny-10"}, {"prompt", 5}}, "prompt"},
      {{{"model", "tiny-10"}, {"prompt", json::array()}}, "prompt"},
      {{{"model", "tiny-10"}, {"prompt", {1, 2}}}, "prompt"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"max_tokens", "10"}}, "max_tokens"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"max_tokens", -1}}, "max_tokens"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"temperature", -0.5}}, "temperature"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"logprobs", 21}}, "logprobs"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"logprobs", true}}, "logprobs"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"echo", "yes"}}, "echo"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"n", 2}}, "n"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"stop", {1}}}, "stop"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"seed", "s"}}, "seed"},
      {{{"model", "tiny-10"}, {"prompt", "x"}, {"stream", true}}, "stream"},
  };
  for (const auto& [body, field] : cases) {
    RequestError e = ErrorOf([&] { Complete(body); });
    EXPECT_EQ(e.status(), 400) << body.dump();
    EXPECT_EQ(e.param(), field) << body.dump();
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(CompletionEngine, NullFieldsTakeTheirDefaults) {
  json r = Complete({{"model", "tiny-10"},
                     {"prompt", "7 plus 5 is"},
                     {"max_tokens", nullptr},
                     {"logprobs", nullptr},
                     {"stop", nullptr},
                     {"seed", 3}});
  EXPECT_TRUE(r["choices"][0]["logprobs"].is_null());
  EXPECT_LE(r["usage"]["completion_tokens"].get<int>(), 16);
}

TEST(CompletionEngine, InvalidUtf8PromptIs400) {
  json body = {{"model", "tiny-10"}, {"prompt", std::string("ab\xC3", 3)}};
  EXPECT_EQ(ErrorOf([&] { Complete(body); }).param(), "prompt");
  EXPECT_EQ(
      ErrorOf([] { ParseRequestBody("{\"model\": \"tiny-6\", \"prompt\": \"\xFF\"}"); }).status(),
      400);
  EXPECT_EQ(ErrorOf([] { ParseRequestBody("[1, 2]"); }).status(), 400);
}

TEST(CompletionEngine, ChatRendersRolesAndAnswersAsAssistant) {
  EXPECT_EQ(RenderChatPrompt({{"system", "Be brief."}, {"user", "Hello."}}),
            "system: Be brief.\nuser: Hello.\nassistant: ");
  ChatReply reply = TinyEngine().Chat({{"model", "tiny-10"},
                                       {"messages", {{{"role", "user"}, {"content", "Hello."}}}},
                                       {"temperature", 0}},
                                      kContext);
  ASSERT_FALSE(reply.stream);
  json r = json::parse(DumpJson(reply.body));
  EXPECT_EQ(r["id"], "chatcmpl-0123");
  EXPECT_EQ(r["object"], "chat.completion");
  EXPECT_EQ(r["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(r["choices"][0]["message"]["content"], "Hello.");  // then "\n" ended the line
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(r["usage"]["prompt_tokens"], CodePointCount("user: Hello.\nassistant: "));
}

TEST(CompletionEngine, ChatAnswersStartFromTheTopicOfTheLastUserMessage) {
  ChatReply reply = TinyEngine().Chat(
      {{"model", "tiny-10"},
       {"messages",
        {{{"role", "user"}, {"content", "Hello."}},
         {{"role", "assistant"}, {"content", "Hello."}},
         {{"role", "user"}, {"content", "  Water boils at what temperature?"}}}},
       {"temperature", 0}},
      kContext);
  json r = json::parse(DumpJson(reply.body));
  const std::string answer = r["choices"][0]["message"]["content"];
  EXPECT_EQ(answer.rfind("Water ", 0), 0u) << answer;
  EXPECT_GT(answer.size(), std::string("Water ").size());
}

TEST(CompletionEngine, ChatRejectsBadMessages) {
  auto chat = [](const json& body) { TinyEngine().Chat(body, kContext); };
  EXPECT_EQ(ErrorOf([&] { chat({{"model", "tiny-10"}}); }).param(), "messages");
  EXPECT_EQ(ErrorOf([&] {
              chat({{"model", "tiny-10"}, {"messages", {{{"role", "robot"}, {"content", "x"}}}}});
            }).param(),
            "messages[0].role");
  EXPECT_EQ(ErrorOf([&] {
              chat({{"model", "tiny-10"}, {"messages", {{{"role", "user"}, {"content", 3}}}}});
            }).param(),
            "messages[0].content");
  EXPECT_EQ(ErrorOf([&] {
              chat({{"model", "x"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}});
            }).status(),
            404);
}

TEST(CompletionEngine, ChatStreamDeltasAddUpToTheNonStreamContent) {
  CompletionEngine engine = TinyEngine();
  json body = {{"model", "tiny-2"},
               {"messages", {{{"role", "user"}, {"content", "Hello."}}}},
               {"seed", 11},
               {"max_tokens", 40}};
  json plain = json::parse(DumpJson(engine.Chat(body, kContext).body));
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  ChatReply streamed = engine.Chat(body, kContext);
  ASSERT_TRUE(streamed.stream);
  ASSERT_GE(streamed.events.size(), 4u);
  EXPECT_EQ(streamed.events.back(), "data: [DONE]\n\n");
  std::string content;
  json finish;
  for (size_t i = 0; i + 1 < streamed.events.size(); ++i) {
    const std::string& e = streamed.events[i];
    ASSERT_TRUE(e.starts_with("data: ") && e.ends_with("\n\n")) << e;
    json chunk = json::parse(e.substr(6));
    EXPECT_EQ(chunk["id"], "chatcmpl-0123");
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    if (chunk["choices"].empty()) {  // the usage chunk
      EXPECT_EQ(chunk["usage"], plain["usage"]);
      continue;
    }
    const json& choice = chunk["choices"][0];
    if (i == 0) {
      EXPECT_EQ(choice["delta"]["role"], "assistant");
    }
    if (choice["delta"].contains("content")) content += choice["delta"]["content"];
    if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
  }
  EXPECT_EQ(content, plain["choices"][0]["message"]["content"]);
  EXPECT_EQ(finish, plain["choices"][0]["finish_reason"]);
}

}  // namespace
}  // namespace kaieval::refmodel
