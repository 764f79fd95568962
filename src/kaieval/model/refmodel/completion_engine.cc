#include "kaieval/model/refmodel/completion_engine.h"

#include <fmt/format.h>

#include "kaieval/model/refmodel/code_points.h"
#include "kaieval/model/refmodel/generation.h"
#include "kaieval/model/refmodel/judge_reply.h"

namespace kaieval::refmodel {
namespace {

using nlohmann::ordered_json;

// Code points per content delta in a streamed chat reply.
constexpr size_t kStreamChunkCodePoints = 4;

std::string TokenText(char32_t token) {
  std::string text;
  AppendUtf8(token, text);
  return text;
}

// vLLM's legacy logprobs object. Every token is one code point, so a token's text_offset (in
// code points, as vLLM counts Python str characters) is its index.
ordered_json LogprobsJson(const std::vector<TokenScore>& scores) {
  ordered_json offsets = ordered_json::array();
  ordered_json token_logprobs = ordered_json::array();
  ordered_json tokens = ordered_json::array();
  ordered_json top_logprobs = ordered_json::array();
  for (size_t i = 0; i < scores.size(); ++i) {
    const TokenScore& score = scores[i];
    offsets.push_back(i);
    tokens.push_back(TokenText(score.token));
    if (!score.logprob) {
      token_logprobs.push_back(nullptr);
      top_logprobs.push_back(nullptr);
      continue;
    }
    token_logprobs.push_back(*score.logprob);
    ordered_json alternatives = ordered_json::object();
    for (const auto& [token, logprob] : score.top) alternatives[TokenText(token)] = logprob;
    top_logprobs.push_back(std::move(alternatives));
  }
  ordered_json out;
  out["text_offset"] = std::move(offsets);
  out["token_logprobs"] = std::move(token_logprobs);
  out["tokens"] = std::move(tokens);
  out["top_logprobs"] = std::move(top_logprobs);
  return out;
}

ordered_json UsageJson(size_t prompt_tokens, size_t completion_tokens) {
  ordered_json usage;
  usage["prompt_tokens"] = prompt_tokens;
  usage["completion_tokens"] = completion_tokens;
  usage["total_tokens"] = prompt_tokens + completion_tokens;
  return usage;
}

ordered_json Header(const std::string& id, const char* object, int64_t created,
                    const std::string& model) {
  ordered_json out;
  out["id"] = id;
  out["object"] = object;
  out["created"] = created;
  out["model"] = model;
  return out;
}

const char* FinishReason(const Generation& g) { return g.stopped ? "stop" : "length"; }

ordered_json StopReason(const Generation& g) {
  return g.stop_string.empty() ? ordered_json() : ordered_json(g.stop_string);
}

// The SSE events of a streamed chat reply whose content is already generated: the role, the
// content a few code points at a time, the finish reason, the usage if asked, then [DONE].
std::vector<std::string> ChatStreamEvents(const ordered_json& header, const Generation& g,
                                          const ordered_json& usage, bool include_usage) {
  auto event = [&](ordered_json delta, ordered_json finish_reason) {
    ordered_json chunk = header;
    ordered_json choice;
    choice["index"] = 0;
    choice["delta"] = std::move(delta);
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = std::move(finish_reason);
    chunk["choices"] = ordered_json::array({std::move(choice)});
    return "data: " + DumpJson(chunk) + "\n\n";
  };
  std::vector<std::string> events;
  events.push_back(event({{"role", "assistant"}, {"content", ""}}, nullptr));
  for (size_t i = 0; i < g.text.size(); i += kStreamChunkCodePoints) {
    std::u32string_view piece = std::u32string_view(g.text).substr(i, kStreamChunkCodePoints);
    events.push_back(event({{"content", EncodeUtf8(piece)}}, nullptr));
  }
  events.push_back(event(ordered_json::object(), FinishReason(g)));
  if (include_usage) {
    ordered_json chunk = header;
    chunk["choices"] = ordered_json::array();
    chunk["usage"] = usage;
    events.push_back("data: " + DumpJson(chunk) + "\n\n");
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

// The first word of the last user message and the space after it ("" if there is none).
std::u32string AnswerLead(const std::vector<ChatMessage>& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role != "user") continue;
    std::u32string text = DecodeUtf8(it->content);
    size_t start = text.find_first_not_of(U" \t\n");
    if (start == std::u32string::npos) return U"";
    size_t end = text.find_first_of(U" \t\n", start);
    if (end == std::u32string::npos) return U"";  // one word only: nothing to continue from
    return text.substr(start, end - start) + U" ";
  }
  return U"";
}

}  // namespace

std::string RenderChatPrompt(const std::vector<ChatMessage>& messages) {
  std::string prompt;
  for (const auto& m : messages) prompt += m.role + ": " + m.content + "\n";
  return prompt + "assistant: ";
}

const CharNgramModel& CompletionEngine::FindModel(const std::string& name) const {
  const CharNgramModel* model = models_.Find(name);
  if (model == nullptr) {
    throw RequestError(404, fmt::format("The model `{}` does not exist.", name), "model",
                       "model_not_found");
  }
  return *model;
}

ordered_json CompletionEngine::ListModels(int64_t created) const {
  ordered_json data = ordered_json::array();
  std::vector<const NamedModel*> all;
  for (const auto& m : models_.models()) all.push_back(&m);
  for (const auto& m : models_.judges()) all.push_back(&m);
  for (const NamedModel* mp : all) {
    const NamedModel& m = *mp;
    ordered_json entry;
    entry["id"] = m.name;
    entry["object"] = "model";
    entry["created"] = created;
    entry["owned_by"] = "kaieval-refmodel";
    data.push_back(std::move(entry));
  }
  ordered_json out;
  out["object"] = "list";
  out["data"] = std::move(data);
  return out;
}

ordered_json CompletionEngine::Complete(const nlohmann::json& body,
                                        const RequestContext& context) const {
  CompletionRequest request = ParseCompletionRequest(body);
  const CharNgramModel& model = FindModel(request.model);
  ordered_json choices = ordered_json::array();
  size_t prompt_tokens = 0, completion_tokens = 0;
  for (size_t i = 0; i < request.prompts.size(); ++i) {
    std::u32string prompt = DecodeUtf8(request.prompts[i]);
    GenerateOptions options;
    options.max_tokens = request.sampling.max_tokens;
    options.temperature = request.sampling.temperature;
    options.seed = request.sampling.seed.value_or(context.default_seed + i);
    options.stop = request.sampling.stop;
    options.top_logprobs = request.logprobs.value_or(-1);
    Generation g = Generate(model, prompt, options);

    ordered_json choice;
    choice["index"] = i;
    std::string text = EncodeUtf8(g.text);
    choice["text"] = request.echo ? request.prompts[i] + text : text;
    if (request.logprobs) {
      std::vector<TokenScore> scores;
      if (request.echo) scores = ScoreText(model, prompt, *request.logprobs);
      scores.insert(scores.end(), g.scores.begin(), g.scores.end());
      choice["logprobs"] = LogprobsJson(scores);
    } else {
      choice["logprobs"] = nullptr;
    }
    choice["finish_reason"] = FinishReason(g);
    choice["stop_reason"] = StopReason(g);
    choices.push_back(std::move(choice));
    prompt_tokens += prompt.size();
    completion_tokens += g.generated_tokens;
  }
  ordered_json out =
      Header("cmpl-" + context.id, "text_completion", context.created, request.model);
  out["choices"] = std::move(choices);
  out["usage"] = UsageJson(prompt_tokens, completion_tokens);
  return out;
}

ChatReply CompletionEngine::Chat(const nlohmann::json& body, const RequestContext& context) const {
  ChatRequest request = ParseChatRequest(body);
  const CharNgramModel& model = FindModel(request.model);
  std::u32string prompt = DecodeUtf8(RenderChatPrompt(request.messages));
  // An order-12 model sees only "assistant: " of the prompt, so every answer would be the same
  // generic line: the answer starts from the topic (the first word) of the user's last message
  // instead, which keeps it in the question's language and on its subject.
  std::u32string lead = AnswerLead(request.messages);
  GenerateOptions options;
  options.max_tokens = request.sampling.max_tokens;
  options.temperature = request.sampling.temperature;
  options.seed = request.sampling.seed.value_or(context.default_seed);
  options.stop = request.sampling.stop;
  // Judges answer judge prompts with a verdict; candidates refuse some flagged requests.
  const NamedModel& named = *models_.FindNamed(request.model);
  std::optional<std::string> fixed = named.behaviour.judge
                                         ? JudgeReply(named, request.messages, options.seed)
                                         : RefusalReply(named, models_.refusal_words(), request.messages);
  Generation g;
  if (fixed) {
    g.text = DecodeUtf8(*fixed);
    g.stopped = true;
    g.generated_tokens = g.text.size();
  } else {
    g = Generate(model, prompt + lead, options);
    g.text = lead + g.text;
  }

  ChatReply reply;
  reply.stream = request.stream;
  ordered_json header =
      Header("chatcmpl-" + context.id, request.stream ? "chat.completion.chunk" : "chat.completion",
             context.created, request.model);
  ordered_json usage = UsageJson(prompt.size(), g.generated_tokens);
  if (request.stream) {
    reply.events = ChatStreamEvents(header, g, usage, request.include_usage);
    return reply;
  }
  ordered_json choice;
  choice["index"] = 0;
  choice["message"] = {{"role", "assistant"}, {"content", EncodeUtf8(g.text)}};
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = FinishReason(g);
  choice["stop_reason"] = StopReason(g);
  reply.body = std::move(header);
  reply.body["choices"] = ordered_json::array({std::move(choice)});
  reply.body["usage"] = std::move(usage);
  return reply;
}

}  // namespace kaieval::refmodel
