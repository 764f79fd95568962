#include "kaieval/model/model_spec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <set>

#include "kaieval/common/error.h"

namespace kaieval::model {
namespace {

using Fields = std::map<std::string, std::vector<std::string>>;

const std::set<std::string_view> kKnownKeys = {
    "model",   "base_url",      "api_key_env",     "concurrency",
    "num_concurrent", "max_retries", "timeout",   "total_timeout",
    "max_response_mb", "loglikelihood_max_tokens", "revision", "tokenized_requests"};

ApiStyle StyleForType(std::string_view type, std::string_view origin) {
  if (type == "openai" || type == "local-completions" || type == "openai-completions") {
    return ApiStyle::kCompletions;
  }
  if (type == "local-chat-completions" || type == "openai-chat-completions" ||
      type == "openai-chat") {
    return ApiStyle::kChat;
  }
  throw InputError(fmt::format(
      "{}: unknown model type '{}' (expected openai, local-completions or local-chat-completions)",
      origin, type));
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

const std::string& Single(const Fields& f, const std::string& key, std::string_view origin) {
  const auto& values = f.at(key);
  if (values.size() > 1) throw InputError(fmt::format("{}: '{}' is given twice", origin, key));
  return values.front();
}

long ParseInt(const Fields& f, const std::string& key, long lo, long hi, std::string_view origin) {
  const std::string& v = Single(f, key, origin);
  long out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || out < lo || out > hi) {
    throw InputError(fmt::format("{}: '{}' must be a whole number from {} to {}, got '{}'", origin,
                                 key, lo, hi, v));
  }
  return out;
}

std::chrono::milliseconds ParseSeconds(const Fields& f, const std::string& key,
                                       std::string_view origin) {
  const std::string& v = Single(f, key, origin);
  char* end = nullptr;
  double secs = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !(secs >= 0) || secs > 7 * 86400) {
    throw InputError(
        fmt::format("{}: '{}' must be a number of seconds (0 to 604800), got '{}'", origin, key, v));
  }
  return std::chrono::milliseconds(static_cast<long>(secs * 1000));
}

std::string NormalizeBaseUrl(std::string url, std::string_view origin) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw InputError(
        fmt::format("{}: base_url must start with http:// or https://, got '{}'", origin, url));
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  // Accept lm-evaluation-harness style full endpoint URLs as well as OpenAI style base URLs.
  for (std::string_view suffix : {"/chat/completions", "/completions"}) {
    if (url.size() > suffix.size() && url.compare(url.size() - suffix.size(), suffix.size(),
                                                  suffix) == 0) {
      url.resize(url.size() - suffix.size());
      break;
    }
  }
  return url;
}

ModelSpec BuildSpec(std::string_view type, const Fields& f, std::string_view origin) {
  for (const auto& [key, values] : f) {
    if (!kKnownKeys.count(key)) {
      throw InputError(fmt::format(
          "{}: unknown key '{}' (expected model, base_url, api_key_env, concurrency, "
          "max_retries, timeout, total_timeout, max_response_mb, loglikelihood_max_tokens, "
          "revision)",
          origin, key));
    }
  }
  ModelSpec spec;
  spec.type = std::string(type);
  spec.style = StyleForType(type, origin);
  if (!f.count("model") || Single(f, "model", origin).empty()) {
    throw InputError(fmt::format("{}: 'model' is required (the served model id)", origin));
  }
  spec.model = Single(f, "model", origin);
  if (!f.count("base_url")) {
    throw InputError(fmt::format("{}: 'base_url' is required, e.g. http://127.0.0.1:8000/v1",
                                 origin));
  }
  for (const auto& url : f.at("base_url")) spec.base_urls.push_back(NormalizeBaseUrl(url, origin));
  if (f.count("revision")) spec.revision = Single(f, "revision", origin);
  if (f.count("api_key_env")) spec.api_key_env = Single(f, "api_key_env", origin);
  if (f.count("concurrency")) spec.concurrency = ParseInt(f, "concurrency", 1, 4096, origin);
  if (f.count("num_concurrent")) spec.concurrency = ParseInt(f, "num_concurrent", 1, 4096, origin);
  if (f.count("max_retries")) spec.max_retries = ParseInt(f, "max_retries", 0, 100, origin);
  if (f.count("timeout")) spec.request_timeout = ParseSeconds(f, "timeout", origin);
  if (f.count("total_timeout")) spec.total_timeout = ParseSeconds(f, "total_timeout", origin);
  if (f.count("max_response_mb")) {
    spec.max_response_bytes = static_cast<size_t>(ParseInt(f, "max_response_mb", 1, 4096, origin))
                              << 20;
  }
  if (f.count("loglikelihood_max_tokens")) {
    spec.loglikelihood_max_tokens =
        static_cast<int>(ParseInt(f, "loglikelihood_max_tokens", 0, 1, origin));
  }
  return spec;
}

}  // namespace

std::string ModelSpec::CacheIdentity() const {
  return revision.empty() ? model : model + "@" + revision;
}

ModelSpec ParseModelArgs(std::string_view type, std::string_view args, std::string_view origin) {
  Fields fields;
  size_t pos = 0;
  while (pos <= args.size()) {
    size_t comma = args.find(',', pos);
    if (comma == std::string_view::npos) comma = args.size();
    std::string item = Trim(args.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError(fmt::format("{}: expected key=value, got '{}'", origin, item));
    }
    fields[Trim(item.substr(0, eq))].push_back(Trim(item.substr(eq + 1)));
  }
  return BuildSpec(type, fields, origin);
}

ModelSpec LoadModelFile(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError(fmt::format("{}: cannot read model file", path));
  } catch (const YAML::Exception& e) {
    throw InputError(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) throw InputError(fmt::format("{}: expected a mapping of model settings", path));
  Fields fields;
  std::string type = "openai";
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "type") {
      type = v.as<std::string>();
      continue;
    }
    if (v.IsSequence()) {
      for (const auto& item : v) fields[key].push_back(item.as<std::string>());
    } else if (v.IsScalar()) {
      fields[key].push_back(v.as<std::string>());
    } else {
      throw InputError(fmt::format("{}:{}: '{}' must be a value or a list of values", path,
                                   v.Mark().line + 1, key));
    }
  }
  return BuildSpec(type, fields, path);
}

TransportOptions MakeTransportOptions(const ModelSpec& spec) {
  TransportOptions o;
  o.base_urls = spec.base_urls;
  if (!spec.api_key_env.empty()) {
    const char* key = std::getenv(spec.api_key_env.c_str());
    if (key == nullptr || *key == '\0') {
      throw InputError(fmt::format("model '{}': environment variable {} (api_key_env) is not set",
                                   spec.model, spec.api_key_env));
    }
    o.api_key = key;
  }
  o.max_in_flight = spec.concurrency;
  o.max_retries = spec.max_retries;
  o.request_timeout = spec.request_timeout;
  o.total_timeout = spec.total_timeout;
  o.max_response_bytes = spec.max_response_bytes;
  return o;
}

}  // namespace kaieval::model
