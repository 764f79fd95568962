// Tokenizer vocabularies (Hugging Face tokenizer.json, GGUF tokenizer.ggml.tokens) and their
// comparison: shared token strings and identical string -> id assignments. Used by the
// comparison; a copied tokenizer keeps most ids, an independent one shares strings only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kaieval/origin/model_files.h"

namespace kaieval::origin {

struct Vocabulary {
  std::string source;                 // the file it came from
  std::vector<std::string> by_id;     // id -> token; holes are empty
  std::vector<bool> present;          // id has a token
  size_t size = 0;                    // tokens present
};

// tokenizer.json's model.vocab (an object for BPE/WordPiece, [token, score] pairs for Unigram)
// plus added_tokens. Throws InputError naming the file and field.
Vocabulary ReadTokenizerJson(const std::string& path);

// The model's vocabulary: tokenizer.json beside (or inside the folder of) the weights, else
// GGUF tokenizer.ggml.tokens; nullopt when there is none.
std::optional<Vocabulary> ModelVocabulary(const Model& model);

struct VocabularyComparison {
  size_t candidate_size = 0, reference_size = 0;
  size_t shared = 0;          // token strings in both
  size_t same_id = 0;         // shared strings with the same id in both
  size_t identical_prefix = 0;  // ids 0..k-1 hold the same strings in both
  double shared_fraction = 0;   // shared / candidate_size
  double same_id_fraction = 0;  // same_id / shared
  bool derived = false;         // see docs/origin.md: a large shared range with identical ids
};

struct VocabularyThresholds {
  size_t min_same_id = 1000;           // at least this many identical assignments
  double min_same_id_fraction = 0.9;   // of the shared strings
  double min_shared_fraction = 0.5;    // of the candidate's vocabulary
};

VocabularyComparison CompareVocabularies(const Vocabulary& candidate, const Vocabulary& reference,
                                         const VocabularyThresholds& thresholds = {});

}  // namespace kaieval::origin
