// The model options that every subcommand talking to a model shares, in the style of
// lm-evaluation-harness: --model TYPE --model-args k=v,... (or --model-file), and the cache.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "kaieval/model/model_client.h"

namespace kaieval::cli {

struct ModelOptions {
  std::string type = "openai";
  std::string args;
  std::string file;
  std::string cache_path;
  std::string cache_mode = "on";
};

void AddModelOptions(CLI::App& cmd, ModelOptions& opts);

// The spec from --model-file or --model/--model-args; throws InputError.
model::ModelSpec BuildModelSpec(const ModelOptions& opts);

// The cache named by --cache-path (none when empty or --cache off).
std::unique_ptr<model::ResponseCache> OpenCache(const ModelOptions& opts);

}  // namespace kaieval::cli
