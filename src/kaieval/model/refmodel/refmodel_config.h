// The reference model server's config (examples/refmodel/models.yaml): the models to serve, each
// with its n-gram order and training text. Read by `kaieval refmodel serve` before training.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kaieval::refmodel {

struct ModelSpec {
  std::string name;                             // the model id clients send
  int order = 0;                                // n-gram order, 1..CharNgramModel::kMaxOrder
  std::vector<std::filesystem::path> training;  // resolved against the config's folder
  int64_t max_training_lines = 0;               // first N lines of each file; 0 = all
};

struct RefmodelConfig {
  std::vector<ModelSpec> models;
};

// Reads and checks the config: known keys only, order in range, unique names, training files
// that exist. Throws InputError naming the file, line and field.
RefmodelConfig LoadRefmodelConfig(const std::filesystem::path& path);

}  // namespace kaieval::refmodel
