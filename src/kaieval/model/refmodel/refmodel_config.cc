#include "kaieval/model/refmodel/refmodel_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
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

  ModelSpec Model(const YAML::Node& node, const std::string& field, bool judge = false) const {
    if (!node.IsMap()) Fail(node, field, "expected a map with name, order and training");
    for (const auto& entry : node) {
      auto key = entry.first.as<std::string>();
      bool behaviour = judge ? key == "unparseable_rate"
                             : key == "refusal_rate" || key == "refusal_window";
      if (key != "name" && key != "order" && key != "training" && key != "max_training_lines" &&
          !behaviour) {
        Fail(entry.first, field,
             fmt::format("unknown key '{}' (expected name, order, training, max_training_lines, {})",
                         key, judge ? "unparseable_rate" : "refusal_rate, refusal_window"));
      }
    }
    ModelSpec spec;
    spec.judge = judge;
    if (node["refusal_rate"]) spec.refusal_rate = Number(node["refusal_rate"], field + ".refusal_rate", 0, 1);
    if (node["refusal_window"]) {
      spec.refusal_window = Integer(node["refusal_window"], field + ".refusal_window", 0, INT64_MAX);
    }
    if (node["unparseable_rate"]) {
      spec.unparseable_rate = Number(node["unparseable_rate"], field + ".unparseable_rate", 0, 1);
    }
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
      if (key != "models" && key != "judges" && key != "refusal_words") {
        Fail(entry.first, key, "unknown key (expected models, judges, refusal_words)");
      }
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
    if (const YAML::Node judges = root["judges"]) {
      if (!judges.IsSequence()) Fail(judges, "judges", "expected a list of judge models");
      for (size_t i = 0; i < judges.size(); ++i) {
        std::string field = fmt::format("judges[{}]", i);
        config.judges.push_back(Model(judges[i], field, true));
        if (!names.insert(config.judges.back().name).second) {
          Fail(judges[i]["name"], field + ".name",
               fmt::format("duplicate model name '{}'", config.judges.back().name));
        }
      }
    }
    if (const YAML::Node words = root["refusal_words"]) {
      auto file = path().parent_path() / String(words, "refusal_words");
      std::ifstream in(file);
      if (!in) Fail(words, "refusal_words", fmt::format("cannot read {}", file.string()));
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] != '#') config.refusal_words.push_back(line);
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
