// ModelRegistry: the trained models one reference server serves, by name. Built at start-up from
// a RefmodelConfig (training happens here), read-only afterwards and shared by request threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kaieval/model/refmodel/char_ngram_model.h"
#include "kaieval/model/refmodel/refmodel_config.h"

namespace kaieval::refmodel {

struct NamedModel {
  std::string name;
  CharNgramModel model;
  ModelSpec behaviour;  // its refusal and judge settings (refmodel_config.h)
};

class ModelRegistry {
 public:
  // Names must be unique (std::invalid_argument otherwise); the order is kept for listings.
  explicit ModelRegistry(std::vector<NamedModel> models, std::vector<NamedModel> judges = {},
                         std::vector<std::string> refusal_words = {});

  // Reads every training file once and trains each model on its stream: the lines of its files
  // (the first max_training_lines of each), each followed by "\n"; empty lines are skipped.
  // Throws InputError for unreadable or non-UTF-8 files and for an empty training text.
  static ModelRegistry Train(const RefmodelConfig& config);

  const CharNgramModel* Find(std::string_view name) const;
  // A candidate or a judge by name.
  const NamedModel* FindNamed(std::string_view name) const;
  // The candidates (judges are served too, but are not candidates).
  const std::vector<NamedModel>& models() const { return models_; }
  const std::vector<NamedModel>& judges() const { return judges_; }
  const std::vector<std::string>& refusal_words() const { return refusal_words_; }

 private:
  std::vector<NamedModel> models_;
  std::vector<NamedModel> judges_;
  std::vector<std::string> refusal_words_;
};

}  // namespace kaieval::refmodel
