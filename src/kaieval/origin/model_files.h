// OpenModel: a model's weights from a path — a .safetensors or .gguf file, a sharded checkpoint
// (model.safetensors.index.json and its weight_map), or a folder holding either. Used by the
// comparison, the baseline and the CLI. The files stay mapped while the Model lives.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kaieval/origin/mapped_file.h"
#include "kaieval/origin/tensor.h"

namespace kaieval::origin {

struct Model {
  std::string path;
  std::string format;  // "safetensors" or "gguf"
  std::vector<std::unique_ptr<MappedFile>> files;
  std::vector<Tensor> tensors;  // every tensor of every file, readable or skipped
  // safetensors __metadata__ and GGUF scalar metadata (long arrays left out).
  nlohmann::json metadata = nlohmann::json::object();
  // GGUF general.base_model.* and general.source.* keys: what the file says it came from.
  nlohmann::json provenance = nlohmann::json::object();
  // GGUF tokenizer.ggml.tokens, kept for the vocabulary comparison.
  std::vector<std::string> gguf_tokens;

  uint64_t TotalBytes() const;
};

// Throws InputError naming the path (and shard, tensor or field) when it cannot be read.
Model OpenModel(const std::string& path);

}  // namespace kaieval::origin
