#include "cli/model_options.h"

#include "kaieval/common/error.h"

namespace kaieval::cli {

void AddModelOptions(CLI::App& cmd, ModelOptions& opts) {
  cmd.add_option("--model", opts.type,
                 "Model type: openai, local-completions or local-chat-completions")
      ->capture_default_str();
  cmd.add_option("--model-args", opts.args,
                 "Comma-separated key=value: model, base_url (repeat for replicas), "
                 "api_key_env, concurrency, max_retries, timeout, total_timeout");
  cmd.add_option("--model-file", opts.file, "YAML model file (instead of --model-args)");
  cmd.add_option("--cache-path", opts.cache_path, "SQLite response cache file");
  cmd.add_option("--cache", opts.cache_mode, "Cache mode: on, off, read, write or refresh")
      ->capture_default_str();
}

model::ModelSpec BuildModelSpec(const ModelOptions& opts) {
  if (!opts.file.empty()) {
    if (!opts.args.empty()) throw InputError("give --model-file or --model-args, not both");
    return model::LoadModelFile(opts.file);
  }
  if (opts.args.empty()) throw InputError("--model-args: required (or give --model-file)");
  return model::ParseModelArgs(opts.type, opts.args);
}

std::unique_ptr<model::ResponseCache> OpenCache(const ModelOptions& opts) {
  model::CacheMode mode = model::ParseCacheMode(opts.cache_mode);
  if (opts.cache_path.empty() || mode == model::CacheMode::kOff) return nullptr;
  return std::make_unique<model::ResponseCache>(opts.cache_path, mode);
}

}  // namespace kaieval::cli
