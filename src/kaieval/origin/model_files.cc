#include "kaieval/origin/model_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"
#include "kaieval/origin/gguf_reader.h"
#include "kaieval/origin/safetensors_reader.h"

namespace kaieval::origin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool IsGguf(const MappedFile& f) {
  return f.bytes().size() >= 4 && std::memcmp(f.bytes().data(), "GGUF", 4) == 0;
}

void AddFile(Model& model, const std::string& path, const std::set<std::string>* only = nullptr) {
  auto file = std::make_unique<MappedFile>(path);
  std::vector<Tensor> tensors;
  if (IsGguf(*file)) {
    GgufFile g = ParseGguf(file->bytes(), path, file.get());
    model.format = "gguf";
    for (const auto& [key, value] : g.metadata.items()) {
      if (key == "tokenizer.ggml.tokens" && value.is_array()) {
        for (const json& t : value) {
          if (t.is_string()) model.gguf_tokens.push_back(t.get<std::string>());
        }
      }
      if (value.is_array() && value.size() > 16) continue;
      model.metadata[key] = value;
      if (key.starts_with("general.base_model.") || key.starts_with("general.source.")) {
        model.provenance[key] = value;
      }
    }
    tensors = std::move(g.tensors);
  } else {
    SafetensorsFile s = ParseSafetensors(file->bytes(), path, file.get());
    if (model.format.empty()) model.format = "safetensors";
    for (const auto& [k, v] : s.metadata) model.metadata[k] = v;
    tensors = std::move(s.tensors);
  }
  for (Tensor& t : tensors) {
    if (only != nullptr && !only->contains(t.name)) continue;
    model.tensors.push_back(std::move(t));
  }
  model.files.push_back(std::move(file));
}

// model.safetensors.index.json: {"weight_map": {tensor: shard file}}; shards sit beside it.
void AddSharded(Model& model, const fs::path& index) {
  json doc = json::parse(ReadFileBytes(index), nullptr, false);
  if (!doc.is_object() || !doc.contains("weight_map") || !doc["weight_map"].is_object()) {
    throw InputError(fmt::format("{}: needs a weight_map object", index.string()));
  }
  std::map<std::string, std::set<std::string>> shards;
  for (const auto& [tensor, shard] : doc["weight_map"].items()) {
    if (!shard.is_string()) {
      throw InputError(fmt::format("{}: weight_map.{} must be a file name", index.string(), tensor));
    }
    std::string file = shard.get<std::string>();
    fs::path p(file);
    if (file.empty() || p.is_absolute() || file.find("..") != std::string::npos ||
        p.has_parent_path()) {
      throw InputError(fmt::format("{}: weight_map.{}: '{}' is not a file beside the index",
                                   index.string(), tensor, file));
    }
    shards[file].insert(tensor);
  }
  for (const auto& [file, names] : shards) {
    size_t before = model.tensors.size();
    AddFile(model, (index.parent_path() / file).string(), &names);
    if (model.tensors.size() - before != names.size()) {
      std::set<std::string> found;
      for (size_t i = before; i < model.tensors.size(); ++i) found.insert(model.tensors[i].name);
      for (const std::string& n : names) {
        if (!found.contains(n)) {
          throw InputError(fmt::format("{}: weight_map.{}: not in shard {}", index.string(), n, file));
        }
      }
    }
  }
}

std::vector<std::string> FilesWithExtension(const fs::path& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

uint64_t Model::TotalBytes() const {
  uint64_t n = 0;
  for (const Tensor& t : tensors) n += t.bytes;
  return n;
}

Model OpenModel(const std::string& path) {
  Model model;
  model.path = path;
  std::error_code ec;
  fs::path p(path);
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "model.safetensors.index.json")) {
      AddSharded(model, p / "model.safetensors.index.json");
    } else {
      std::vector<std::string> files = FilesWithExtension(p, ".safetensors");
      if (files.empty()) files = FilesWithExtension(p, ".gguf");
      if (files.empty()) {
        throw InputError(fmt::format("{}: no model.safetensors.index.json, .safetensors or .gguf "
                                     "file in this folder", path));
      }
      for (const std::string& f : files) AddFile(model, f);
    }
  } else if (p.filename().string().ends_with(".index.json")) {
    AddSharded(model, p);
  } else {
    AddFile(model, path);
  }
  std::set<std::string> names;
  for (const Tensor& t : model.tensors) {
    if (!names.insert(t.name).second) {
      throw InputError(fmt::format("{}: tensor '{}' is in more than one file", path, t.name));
    }
  }
  return model;
}

}  // namespace kaieval::origin
