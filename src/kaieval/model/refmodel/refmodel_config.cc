#include "kaieval/model/refmodel/refmodel_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "kaieval/common/error.h"
#include "kaieval/common/yaml_reader.h"
#include "kaieval/model/refmodel/char_ngram_model.h"

namespace kaieval::refmodel {
namespace {

// Error messages say "<file>:<line>: <field>: <problem>".
class ConfigReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  ModelSpec Model(const YAML::Node& node, const std::string& field) const {
    if (!node.IsMap()) Fail(node, field, "expected a map with name, order and training");
    for (const auto& entry : node) {
      auto key = entry.first.as<std::string>();
      if (key != "name" && key != "order" && key != "training" && key != "max_training_lines") {
        Fail(entry.first, field,
             fmt::format("unknown key '{}' (expected name, order, training, max_training_lines)",
                         key));
      }
    }
    ModelSpec spec;
    if (!node["name"]) Fail(node, field + ".name", "missing");
    spec.name = String(node["name"], field + ".name");
    if (!node["order"]) Fail(node, field + ".order", "missing");
    spec.order =
        static_cast<int>(Integer(node["order"], field + ".order", 1, CharNgramModel::kMaxOrder));
    if (node["max_training_lines"]) {
      spec.max_training_lines =
          Integer(node["max_training_lines"], field + ".max_training_lines", 0, INT64_MAX);
    }
    const YAML::Node training = node["training"];
    if (!training || !training.IsSequence() || training.size() == 0) {
      Fail(training ? training : node, field + ".training",
           "expected a non-empty list of text files");
    }
    for (size_t i = 0; i < training.size(); ++i) {
      std::string file_field = fmt::format("{}.training[{}]", field, i);
      auto file = path().parent_path() / String(training[i], file_field);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec)) {
        Fail(training[i], file_field, fmt::format("no such file: {}", file.string()));
      }
      spec.training.push_back(file);
    }
    return spec;
  }

  RefmodelConfig Config(const YAML::Node& root) const {
    if (!root.IsMap()) Fail(root, "(top level)", "expected a map with the key 'models'");
    for (const auto& entry : root) {
      auto key = entry.first.as<std::string>();
      if (key != "models") Fail(entry.first, key, "unknown key (expected 'models')");
    }
    const YAML::Node models = root["models"];
    if (!models || !models.IsSequence() || models.size() == 0) {
      Fail(models ? models : root, "models", "expected a non-empty list of models");
    }
    RefmodelConfig config;
    std::set<std::string> names;
    for (size_t i = 0; i < models.size(); ++i) {
      std::string field = fmt::format("models[{}]", i);
      config.models.push_back(Model(models[i], field));
      if (!names.insert(config.models.back().name).second) {
        Fail(models[i]["name"], field + ".name",
             fmt::format("duplicate model name '{}'", config.models.back().name));
      }
    }
    return config;
  }

};

}  // namespace

RefmodelConfig LoadRefmodelConfig(const std::filesystem::path& path) {
  ConfigReader reader(path);
  return reader.Config(reader.Load("refmodel config"));
}

}  // namespace kaieval::refmodel
