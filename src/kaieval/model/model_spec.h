// ModelSpec: which model to talk to and how, parsed from the lm-evaluation-harness style
// `--model openai --model-args base_url=...,model=...` or from a YAML model file. The CLI and
// stage configs build one; ModelClient consumes it.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/model/http_transport.h"

namespace kaieval::model {

// What kind of endpoint the model is asked through by default.
enum class ApiStyle { kCompletions, kChat };

struct ModelSpec {
  std::string type = "openai";  // as given to --model
  ApiStyle style = ApiStyle::kCompletions;
  std::string model;            // the served model id, sent as "model"
  std::string revision;         // optional; part of the cache identity
  std::vector<std::string> base_urls;  // e.g. http://127.0.0.1:8000/v1
  std::string api_key_env;      // name of the environment variable holding the key
  int concurrency = 32;
  int max_retries = 5;
  std::chrono::milliseconds request_timeout{300000};
  std::chrono::milliseconds total_timeout{0};
  size_t max_response_bytes = size_t{64} << 20;
  int loglikelihood_max_tokens = 1;  // 0 or 1: what the echo request asks to generate

  // Identity of the model in cache keys: replicas of one model share it.
  std::string CacheIdentity() const;
};

// Parses `key=value,key=value`. `origin` names the source in errors ("--model-args").
// Keys: model, base_url (repeat it for replicas), api_key_env, concurrency (or num_concurrent),
// max_retries, timeout, total_timeout (seconds), max_response_mb, loglikelihood_max_tokens,
// revision. Throws InputError naming the key and what was expected.
ModelSpec ParseModelArgs(std::string_view type, std::string_view args,
                         std::string_view origin = "--model-args");

// Reads the same keys from a YAML mapping; `base_url` may be a string or a list.
ModelSpec LoadModelFile(const std::string& path);

// Transport settings for the spec; reads the API key from the environment variable it names.
TransportOptions MakeTransportOptions(const ModelSpec& spec);

}  // namespace kaieval::model
