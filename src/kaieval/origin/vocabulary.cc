#include "kaieval/origin/vocabulary.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"

namespace kaieval::origin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Ids above this are refused: no tokenizer has ten million tokens, and holes cost memory.
constexpr uint64_t kMaxTokenId = 10'000'000;

void Put(Vocabulary& v, const std::string& token, const json& id, const std::string& where) {
  if (!id.is_number_unsigned() || id.get<uint64_t>() >= kMaxTokenId) {
    throw InputError(fmt::format("{}: {}: id must be an integer in [0, {})", v.source, where, kMaxTokenId));
  }
  uint64_t i = id.get<uint64_t>();
  if (i >= v.by_id.size()) {
    v.by_id.resize(i + 1);
    v.present.resize(i + 1, false);
  }
  if (!v.present[i]) ++v.size;
  v.by_id[i] = token;
  v.present[i] = true;
}

}  // namespace

Vocabulary ReadTokenizerJson(const std::string& path) {
  Vocabulary v;
  v.source = path;
  json doc = json::parse(ReadFileBytes(path), nullptr, false);
  if (!doc.is_object() || !doc.contains("model") || !doc["model"].is_object() ||
      !doc["model"].contains("vocab")) {
    throw InputError(fmt::format("{}: not a tokenizer.json (needs model.vocab)", path));
  }
  const json& vocab = doc["model"]["vocab"];
  if (vocab.is_object()) {
    for (const auto& [token, id] : vocab.items()) Put(v, token, id, "model.vocab." + token);
  } else if (vocab.is_array()) {
    for (size_t i = 0; i < vocab.size(); ++i) {
      const json& e = vocab[i];
      if (!e.is_array() || e.empty() || !e[0].is_string()) {
        throw InputError(fmt::format("{}: model.vocab[{}] must be [token, score]", path, i));
      }
      Put(v, e[0].get<std::string>(), json(i), fmt::format("model.vocab[{}]", i));
    }
  } else {
    throw InputError(fmt::format("{}: model.vocab must be an object or an array", path));
  }
  if (doc.contains("added_tokens") && doc["added_tokens"].is_array()) {
    for (size_t i = 0; i < doc["added_tokens"].size(); ++i) {
      const json& t = doc["added_tokens"][i];
      if (!t.is_object() || !t.contains("content") || !t["content"].is_string() || !t.contains("id")) {
        throw InputError(fmt::format("{}: added_tokens[{}] needs id and content", path, i));
      }
      Put(v, t["content"].get<std::string>(), t["id"], fmt::format("added_tokens[{}]", i));
    }
  }
  return v;
}

std::optional<Vocabulary> ModelVocabulary(const Model& model) {
  fs::path p(model.path);
  fs::path dir = fs::is_directory(p) ? p : p.parent_path();
  if (!dir.empty() && fs::exists(dir / "tokenizer.json")) {
    return ReadTokenizerJson((dir / "tokenizer.json").string());
  }
  if (!model.gguf_tokens.empty()) {
    Vocabulary v;
    v.source = model.path + " (tokenizer.ggml.tokens)";
    v.by_id = model.gguf_tokens;
    v.present.assign(v.by_id.size(), true);
    v.size = v.by_id.size();
    return v;
  }
  return std::nullopt;
}

VocabularyComparison CompareVocabularies(const Vocabulary& candidate, const Vocabulary& reference,
                                         const VocabularyThresholds& thresholds) {
  VocabularyComparison c;
  c.candidate_size = candidate.size;
  c.reference_size = reference.size;
  std::unordered_map<std::string, size_t> ref_ids;
  ref_ids.reserve(reference.size);
  for (size_t i = 0; i < reference.by_id.size(); ++i) {
    if (reference.present[i]) ref_ids.emplace(reference.by_id[i], i);
  }
  for (size_t i = 0; i < candidate.by_id.size(); ++i) {
    if (!candidate.present[i]) continue;
    auto it = ref_ids.find(candidate.by_id[i]);
    if (it == ref_ids.end()) continue;
    ++c.shared;
    if (it->second == i) ++c.same_id;
  }
  while (c.identical_prefix < candidate.by_id.size() && c.identical_prefix < reference.by_id.size() &&
         candidate.present[c.identical_prefix] && reference.present[c.identical_prefix] &&
         candidate.by_id[c.identical_prefix] == reference.by_id[c.identical_prefix]) {
    ++c.identical_prefix;
  }
  c.shared_fraction = c.candidate_size ? static_cast<double>(c.shared) / c.candidate_size : 0;
  c.same_id_fraction = c.shared ? static_cast<double>(c.same_id) / c.shared : 0;
  c.derived = c.same_id >= thresholds.min_same_id &&
              c.same_id_fraction >= thresholds.min_same_id_fraction &&
              c.shared_fraction >= thresholds.min_shared_fraction;
  return c;
}

}  // namespace kaieval::origin
