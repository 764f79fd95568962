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
  // Safety behaviour of a candidate (for the safety suites): the share of requests holding one
  // of the config's refusal_words that it refuses, deterministically per request; and how many
  // code points of the request it reads for them (0: all), so that a long jailbreak preamble
  // can push the words out of its sight.
  double refusal_rate = 0;
  int64_t refusal_window = 0;
  // Judges (the config's `judges:` list) answer judge prompts with [[n]] / [[A>B]] verdicts
  // (judge_reply.h); this share of their answers carries no verdict, to exercise retries.
  bool judge = false;
  double unparseable_rate = 0;
};

struct RefmodelConfig {
  std::vector<ModelSpec> models;
  std::vector<ModelSpec> judges;
  std::vector<std::string> refusal_words;  // from the file `refusal_words:` names, one per line
};

// Reads and checks the config: known keys only, order in range, unique names, training files
// that exist. Throws InputError naming the file, line and field.
RefmodelConfig LoadRefmodelConfig(const std::filesystem::path& path);

}  // namespace kaieval::refmodel
