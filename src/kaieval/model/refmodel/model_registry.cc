#include "kaieval/model/refmodel/model_registry.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"
#include "kaieval/model/refmodel/code_points.h"

namespace kaieval::refmodel {
namespace {

// The non-empty lines of a training file, without "\r\n" endings or a byte-order mark.
std::vector<std::string> ReadTrainingLines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the training file", path.string()));
  std::vector<std::string> lines;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!IsValidUtf8(line)) {
      throw InputError(
          fmt::format("{}:{}: the training text is not valid UTF-8", path.string(), number));
    }
    if (!line.empty()) lines.push_back(std::move(line));
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", path.string()));
  return lines;
}

}  // namespace

ModelRegistry::ModelRegistry(std::vector<NamedModel> models, std::vector<NamedModel> judges,
                             std::vector<std::string> refusal_words)
    : models_(std::move(models)), judges_(std::move(judges)), refusal_words_(std::move(refusal_words)) {
  std::set<std::string_view> names;
  for (const auto& m : judges_) names.insert(m.name);
  for (const auto& m : models_) {
    if (!names.insert(m.name).second) {
      throw std::invalid_argument(fmt::format("duplicate model name '{}'", m.name));
    }
  }
}

ModelRegistry ModelRegistry::Train(const RefmodelConfig& config) {
  std::map<std::filesystem::path, std::vector<std::string>> files;  // each file read once
  std::vector<NamedModel> models, judges;
  std::vector<ModelSpec> all = config.models;
  all.insert(all.end(), config.judges.begin(), config.judges.end());
  for (const ModelSpec& spec : all) {
    std::string stream;
    for (const auto& path : spec.training) {
      auto it = files.find(path);
      if (it == files.end()) it = files.emplace(path, ReadTrainingLines(path)).first;
      size_t take = it->second.size();
      if (spec.max_training_lines > 0) {
        take = std::min(take, static_cast<size_t>(spec.max_training_lines));
      }
      for (size_t i = 0; i < take; ++i) stream.append(it->second[i]).push_back('\n');
    }
    if (stream.empty()) {
      throw InputError(fmt::format("model '{}': its training files hold no text", spec.name));
    }
    (spec.judge ? judges : models)
        .push_back({spec.name, CharNgramModel::Train(DecodeUtf8(stream), spec.order), spec});
  }
  return ModelRegistry(std::move(models), std::move(judges), config.refusal_words);
}

const NamedModel* ModelRegistry::FindNamed(std::string_view name) const {
  for (const auto* list : {&models_, &judges_}) {
    for (const auto& m : *list) {
      if (m.name == name) return &m;
    }
  }
  return nullptr;
}

const CharNgramModel* ModelRegistry::Find(std::string_view name) const {
  const NamedModel* m = FindNamed(name);
  return m ? &m->model : nullptr;
}

}  // namespace kaieval::refmodel
