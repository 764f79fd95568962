// `kaieval request`: sends a JSONL file of raw requests (completions, chat or loglikelihood)
// to one model through ModelClient and its cache, and writes one JSON result per line. Staff
// use it to probe an endpoint; the end-to-end tests use it to drive the client.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "kaieval/common/error.h"
#include "kaieval/common/progress.h"

namespace kaieval::cli {
namespace {

using nlohmann::json;

struct RequestOptions {
  ModelOptions model;
  std::string kind = "complete";
  std::string input;
  std::string output = "-";
  bool stream = false;
  bool quiet = false;
};

// One parsed input line, with where it came from for error messages.
struct Line {
  json doc;
  std::string where;
};

// Reads a JSONL file a chunk of lines at a time, so memory stays flat however long it is.
class JsonlReader {
 public:
  explicit JsonlReader(const std::string& path)
      : name_(path == "-" ? "<stdin>" : path) {
    if (path != "-") {
      file_.open(path);
      if (!file_) throw InputError(fmt::format("{}: cannot read", path));
      in_ = &file_;
    }
  }

  // Up to `max` more non-blank lines; empty at the end.
  std::vector<Line> Next(size_t max) {
    std::vector<Line> lines;
    std::string text;
    while (lines.size() < max && std::getline(*in_, text)) {
      ++line_no_;
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::string where = fmt::format("{}:{}", name_, line_no_);
      json doc = json::parse(text, nullptr, false);
      if (!doc.is_object()) throw InputError(where + ": expected a JSON object");
      lines.push_back({std::move(doc), std::move(where)});
    }
    return lines;
  }

 private:
  std::string name_;
  std::ifstream file_;
  std::istream* in_ = &std::cin;
  size_t line_no_ = 0;
};

// Lines in a regular file, for the progress bar's total; 0 (unknown) for pipes.
uint64_t CountLines(const std::string& path) {
  std::error_code ec;
  if (path == "-" || !std::filesystem::is_regular_file(path, ec)) return 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  uint64_t n = 0;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    n += static_cast<uint64_t>(std::count(buf, buf + in.gcount(), '\n'));
  }
  return n;
}

std::string Text(const Line& l, const char* field, bool required = true) {
  auto it = l.doc.find(field);
  if (it == l.doc.end()) {
    if (!required) return "";
    throw InputError(fmt::format("{}: field '{}' is missing", l.where, field));
  }
  if (!it->is_string()) throw InputError(fmt::format("{}: '{}' must be a string", l.where, field));
  return it->get<std::string>();
}

template <typename Req>
void ReadSampling(const Line& l, Req& r) {
  const json& d = l.doc;
  if (d.contains("max_tokens")) {
    if (!d["max_tokens"].is_number_integer() || d["max_tokens"].get<int64_t>() < 0) {
      throw InputError(l.where + ": 'max_tokens' must be a non-negative integer");
    }
    r.max_tokens = d["max_tokens"].get<int>();
  }
  if (d.contains("temperature")) {
    if (!d["temperature"].is_number()) throw InputError(l.where + ": 'temperature' must be a number");
    r.temperature = d["temperature"].get<double>();
  }
  if (d.contains("seed")) {
    if (!d["seed"].is_number_integer()) throw InputError(l.where + ": 'seed' must be an integer");
    r.seed = d["seed"].get<int64_t>();
  }
  if (d.contains("stop")) {
    const json& s = d["stop"];
    if (s.is_string()) {
      r.stop.push_back(s.get<std::string>());
    } else if (s.is_array()) {
      for (const auto& x : s) {
        if (!x.is_string()) throw InputError(l.where + ": 'stop' must hold strings");
        r.stop.push_back(x.get<std::string>());
      }
    } else {
      throw InputError(l.where + ": 'stop' must be a string or a list of strings");
    }
  }
}

std::vector<model::ChatMessage> ReadMessages(const Line& l) {
  auto it = l.doc.find("messages");
  if (it == l.doc.end() || !it->is_array() || it->empty()) {
    throw InputError(l.where + ": 'messages' must be a non-empty list");
  }
  std::vector<model::ChatMessage> out;
  for (const auto& m : *it) {
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() ||
        !m.contains("content") || !m["content"].is_string()) {
      throw InputError(l.where + ": each message needs string 'role' and 'content'");
    }
    out.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
  }
  return out;
}

std::vector<json> RunRequests(const RequestOptions& o, const std::vector<Line>& lines,
                              model::ModelClient& client, ProgressBar& bar) {
  std::vector<json> out;
  auto generation = [&](const std::vector<model::GenerationResult>& results) {
    for (const auto& r : results) {
      out.push_back({{"text", r.text}, {"finish_reason", r.finish_reason},
                     {"from_cache", r.from_cache}});
    }
  };
  if (o.kind == "complete") {
    std::vector<model::CompletionRequest> reqs;
    for (const auto& l : lines) {
      model::CompletionRequest r;
      r.prompt = Text(l, "prompt");
      ReadSampling(l, r);
      reqs.push_back(std::move(r));
    }
    generation(client.Complete(reqs, &bar));
  } else if (o.kind == "chat") {
    std::vector<model::ChatRequest> reqs;
    for (const auto& l : lines) {
      model::ChatRequest r;
      r.messages = ReadMessages(l);
      ReadSampling(l, r);
      reqs.push_back(std::move(r));
    }
    model::ModelClient::DeltaCallback on_delta;
    if (o.stream) {
      on_delta = [](size_t i, std::string_view d) {
        std::fprintf(stderr, "[%zu] %.*s\n", i, static_cast<int>(d.size()), d.data());
      };
    }
    generation(client.Chat(reqs, &bar, on_delta));
  } else if (o.kind == "loglikelihood") {
    std::vector<model::LoglikelihoodRequest> reqs;
    for (const auto& l : lines) reqs.push_back({Text(l, "context"), Text(l, "continuation")});
    for (const auto& r : client.Loglikelihood(reqs, &bar)) {
      out.push_back({{"logprob", r.logprob}, {"is_greedy", r.is_greedy},
                     {"num_tokens", r.num_tokens}, {"straddles_boundary", r.straddles_boundary},
                     {"from_cache", r.from_cache}});
    }
  } else {
    throw InputError(fmt::format(
        "--kind: expected complete, chat or loglikelihood, got '{}'", o.kind));
  }
  return out;
}

// Requests are sent a chunk at a time: large enough to keep every slot of the in-flight window
// busy, small enough that memory does not grow with the file.
constexpr size_t kChunkLines = 8192;

void Run(const RequestOptions& o) {
  if (o.quiet) spdlog::set_level(spdlog::level::err);
  model::ModelSpec spec = BuildModelSpec(o.model);
  auto cache = OpenCache(o.model);
  model::ModelClient client(spec, cache.get());
  JsonlReader reader(o.input);

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (o.output != "-") {
    file.open(o.output);
    if (!file) throw InputError(fmt::format("{}: cannot write", o.output));
    out = &file;
  }
  ProgressBar bar(fmt::format("{} {}", spec.model, o.kind), CountLines(o.input), stderr, !o.quiet);
  uint64_t total = 0;
  for (auto lines = reader.Next(kChunkLines); !lines.empty(); lines = reader.Next(kChunkLines)) {
    for (const auto& r : RunRequests(o, lines, client, bar)) {
      *out << r.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    }
    out->flush();
    total += lines.size();
  }
  bar.Finish();
  if (!o.quiet) {
    auto stats = client.stats();
    std::fprintf(stderr, "kaieval: %llu requests: %llu sent, %llu from cache\n",
                 static_cast<unsigned long long>(total),
                 static_cast<unsigned long long>(stats.requests_sent),
                 static_cast<unsigned long long>(stats.cache_hits));
  }
}

}  // namespace

void RegisterRequestCommand(CLI::App& app) {
  auto opts = std::make_shared<RequestOptions>();
  CLI::App* cmd = app.add_subcommand(
      "request", "Send a JSONL file of requests to one model and print one result per line");
  AddModelOptions(*cmd, opts->model);
  cmd->add_option("--kind", opts->kind, "complete, chat or loglikelihood")->capture_default_str();
  cmd->add_option("--input", opts->input,
                  "JSONL: {prompt,...} | {messages,...} | {context,continuation}; - for stdin")
      ->required();
  cmd->add_option("--output", opts->output, "Where to write results (- for stdout)")
      ->capture_default_str();
  cmd->add_flag("--stream", opts->stream, "Stream chat answers (deltas to stderr)");
  cmd->add_flag("--quiet", opts->quiet, "No progress bar, summary or warnings: only errors");
  cmd->callback([opts] { Run(*opts); });
}

}  // namespace kaieval::cli
