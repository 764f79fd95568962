#include "kaieval/origin/test_models.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <set>

#include "kaieval/common/error.h"
#include "kaieval/origin/model_files.h"
#include "kaieval/origin/vocabulary.h"
#include "kaieval/origin/weight_writers.h"

namespace kaieval::origin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The axes a hidden-unit permutation acts on (E), per tensor dimension.
enum class Axis { kNone, kHidden, kInter, kVisionHidden, kVisionInter };
enum class Init { kMatrix, kNorm, kBias };

struct GenTensor {
  TensorSpec spec;
  Init init;
  Axis rows, cols;  // cols is the only axis of a vector
  bool vision;      // part of the vision encoder (D takes these from A)
};

std::vector<GenTensor> Layout(const TestModelShape& s) {
  std::vector<GenTensor> out;
  auto add = [&](std::string name, std::vector<uint64_t> shape, Init init, Axis rows, Axis cols,
                 bool vision = false) {
    out.push_back({{std::move(name), s.dtype, std::move(shape)}, init, rows, cols, vision});
  };
  const uint64_t h = s.hidden, in = s.intermediate, kv = s.kv_hidden, vh = s.vision_hidden,
                 vi = s.vision_intermediate;
  if (s.vision) {
    const std::string v = "vision_tower.";
    add(v + "embeddings.patch_embedding.weight", {vh, s.patch_inputs}, Init::kMatrix, Axis::kVisionHidden, Axis::kNone, true);
    for (uint32_t l = 0; l < s.vision_layers; ++l) {
      const std::string p = fmt::format("{}encoder.layers.{}.", v, l);
      for (const char* n : {"layer_norm1", "layer_norm2"}) {
        add(p + n + ".weight", {vh}, Init::kNorm, Axis::kNone, Axis::kVisionHidden, true);
        add(p + n + ".bias", {vh}, Init::kBias, Axis::kNone, Axis::kVisionHidden, true);
      }
      for (const char* n : {"q_proj", "k_proj", "v_proj"}) {
        add(p + "self_attn." + n + ".weight", {vh, vh}, Init::kMatrix, Axis::kNone, Axis::kVisionHidden, true);
        add(p + "self_attn." + n + ".bias", {vh}, Init::kBias, Axis::kNone, Axis::kNone, true);
      }
      add(p + "self_attn.out_proj.weight", {vh, vh}, Init::kMatrix, Axis::kVisionHidden, Axis::kNone, true);
      add(p + "self_attn.out_proj.bias", {vh}, Init::kBias, Axis::kNone, Axis::kVisionHidden, true);
      add(p + "mlp.fc1.weight", {vi, vh}, Init::kMatrix, Axis::kVisionInter, Axis::kVisionHidden, true);
      add(p + "mlp.fc1.bias", {vi}, Init::kBias, Axis::kNone, Axis::kVisionInter, true);
      add(p + "mlp.fc2.weight", {vh, vi}, Init::kMatrix, Axis::kVisionHidden, Axis::kVisionInter, true);
      add(p + "mlp.fc2.bias", {vh}, Init::kBias, Axis::kNone, Axis::kVisionHidden, true);
    }
    add(v + "post_layernorm.weight", {vh}, Init::kNorm, Axis::kNone, Axis::kVisionHidden, true);
    add("multi_modal_projector.linear_1.weight", {h, vh}, Init::kMatrix, Axis::kHidden, Axis::kVisionHidden);
  }
  add("model.embed_tokens.weight", {s.vocab, h}, Init::kMatrix, Axis::kNone, Axis::kHidden);
  for (uint32_t l = 0; l < s.layers; ++l) {
    const std::string p = fmt::format("model.layers.{}.", l);
    add(p + "input_layernorm.weight", {h}, Init::kNorm, Axis::kNone, Axis::kHidden);
    add(p + "self_attn.q_proj.weight", {h, h}, Init::kMatrix, Axis::kNone, Axis::kHidden);
    add(p + "self_attn.k_proj.weight", {kv, h}, Init::kMatrix, Axis::kNone, Axis::kHidden);
    add(p + "self_attn.v_proj.weight", {kv, h}, Init::kMatrix, Axis::kNone, Axis::kHidden);
    add(p + "self_attn.o_proj.weight", {h, h}, Init::kMatrix, Axis::kHidden, Axis::kNone);
    add(p + "post_attention_layernorm.weight", {h}, Init::kNorm, Axis::kNone, Axis::kHidden);
    add(p + "mlp.gate_proj.weight", {in, h}, Init::kMatrix, Axis::kInter, Axis::kHidden);
    add(p + "mlp.up_proj.weight", {in, h}, Init::kMatrix, Axis::kInter, Axis::kHidden);
    add(p + "mlp.down_proj.weight", {h, in}, Init::kMatrix, Axis::kHidden, Axis::kInter);
  }
  add("model.norm.weight", {h}, Init::kNorm, Axis::kNone, Axis::kHidden);
  add("lm_head.weight", {s.vocab, h}, Init::kMatrix, Axis::kNone, Axis::kHidden);
  return out;
}

// A fast seeded stream of approximately normal values (splitmix64; each value the sum of four
// 16-bit uniforms, Irwin-Hall, scaled to unit variance): the benchmark draws billions, and the
// measures need continuous, symmetric, independent values, not exact normality.
class NormalStream {
 public:
  NormalStream(uint64_t seed, const std::string& name) : state_(seed) {
    for (unsigned char c : name) state_ = (state_ ^ c) * 0x100000001b3ULL;
  }
  float Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    // Four uniforms on [0, 65536): mean 131070, sd 65536 / sqrt(3).
    uint32_t sum = static_cast<uint32_t>(z & 0xffff) + static_cast<uint32_t>((z >> 16) & 0xffff) +
                   static_cast<uint32_t>((z >> 32) & 0xffff) + static_cast<uint32_t>(z >> 48);
    return (static_cast<float>(sum) - 131070.0f) * (1.7320508f / 65536.0f);
  }

 private:
  uint64_t state_;
};

float Draw(NormalStream& g, Init init) {
  float x = g.Next();
  return init == Init::kNorm ? 1.0f + 0.02f * x : 0.02f * x;
}

std::vector<float> WholeTensor(uint64_t seed, const GenTensor& t, uint64_t n) {
  NormalStream g(seed, t.spec.name);
  std::vector<float> v(n);
  for (float& x : v) x = Draw(g, t.init);
  return v;
}

std::vector<uint32_t> Permutation(uint64_t seed, uint32_t n) {
  std::vector<uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  std::shuffle(p.begin(), p.end(), std::mt19937_64(seed));
  return p;
}

std::vector<std::string> TestVocabulary(uint64_t seed, uint32_t size) {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  for (int b = 0; b < 256; ++b) tokens.push_back(fmt::format("<0x{:02X}>", b));
  std::set<std::string> seen(tokens.begin(), tokens.end());
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> letter('a', 'z'), length(2, 7);
  while (tokens.size() < size) {
    std::string w = "\xe2\x96\x81";  // "▁", the word-start mark
    for (int i = length(rng); i > 0; --i) w += static_cast<char>(letter(rng));
    if (seen.insert(w).second) tokens.push_back(w);
  }
  tokens.resize(size);
  return tokens;
}

void WriteJson(const fs::path& path, const json& doc) {
  std::ofstream out(path);
  out << doc.dump(1) << "\n";
  if (!out) throw InputError(fmt::format("{}: cannot write", path.string()));
}

// llama.cpp's conversion reorders the rows of attn_q and attn_k within each head for its RoPE
// layout: rows (head, half, i) become (head, i, half). Heads of 16 rows here.
std::vector<float> RopeRowOrder(const std::vector<float>& w, uint64_t rows, uint64_t cols) {
  constexpr uint64_t kHeadDim = 16, kHalf = kHeadDim / 2;
  if (rows % kHeadDim != 0) return w;
  std::vector<float> out(w.size());
  for (uint64_t r = 0; r < rows; ++r) {
    uint64_t head = r / kHeadDim, j = (r % kHeadDim) / 2, half = r % 2;
    uint64_t from = head * kHeadDim + half * kHalf + j;
    std::copy_n(w.begin() + from * cols, cols, out.begin() + r * cols);
  }
  return out;
}

}  // namespace

uint64_t TestModelParameters(const TestModelShape& shape) {
  uint64_t n = 0;
  for (const GenTensor& t : Layout(shape)) {
    uint64_t e = 1;
    for (uint64_t d : t.spec.shape) e *= d;
    n += e;
  }
  return n;
}

std::vector<std::string> MakeTestModels(const std::string& dir, uint64_t seed,
                                        const TestModelShape& shape, const std::string& models) {
  if (shape.dtype != "F32" && shape.dtype != "F16" && shape.dtype != "BF16") {
    throw InputError(fmt::format("make-test-models: dtype {} (F32, F16 or BF16)", shape.dtype));
  }
  const std::vector<GenTensor> layout = Layout(shape);
  std::vector<TensorSpec> specs;
  for (const GenTensor& t : layout) specs.push_back(t.spec);
  const uint64_t seed_a = seed * 10 + 1, seed_b = seed * 10 + 2, seed_c = seed * 10 + 3,
                 seed_e = seed * 10 + 5;
  std::map<Axis, std::vector<uint32_t>> perm = {
      {Axis::kHidden, Permutation(seed_e, shape.hidden)},
      {Axis::kInter, Permutation(seed_e + 1, shape.intermediate)},
      {Axis::kVisionHidden, Permutation(seed_e + 2, shape.vision_hidden)},
      {Axis::kVisionInter, Permutation(seed_e + 3, shape.vision_intermediate)}};
  std::vector<std::string> out;
  for (char model : models) {
    if (std::string("ABCDE").find(model) == std::string::npos) {
      throw InputError(fmt::format("make-test-models: unknown model '{}' (A to E)", model));
    }
    fs::path folder = fs::path(dir) / std::string(1, model);
    fs::create_directories(folder);
    // The fill keeps one stream per tensor (two for B) and, for E, the permuted tensor.
    size_t current = SIZE_MAX;
    std::unique_ptr<NormalStream> main, noise;
    std::vector<float> permuted;
    auto fill = [&](size_t i, uint64_t start, std::span<float> values) {
      const GenTensor& t = layout[i];
      if (i != current) {
        current = i;
        uint64_t s = model == 'C' || (model == 'D' && !t.vision) ? seed_c : seed_a;
        main = std::make_unique<NormalStream>(s, t.spec.name);
        noise = std::make_unique<NormalStream>(seed_b, t.spec.name);
        if (model == 'E') {
          uint64_t rows = t.spec.shape.size() == 2 ? t.spec.shape[0] : 1;
          uint64_t cols = t.spec.shape.back();
          std::vector<float> a = WholeTensor(seed_a, t, rows * cols);
          permuted.assign(a.size(), 0);
          for (uint64_t r = 0; r < rows; ++r) {
            uint64_t pr = t.rows == Axis::kNone ? r : perm[t.rows][r];
            for (uint64_t c = 0; c < cols; ++c) {
              uint64_t pc = t.cols == Axis::kNone ? c : perm[t.cols][c];
              permuted[r * cols + c] = a[pr * cols + pc];
            }
          }
        }
      }
      for (size_t k = 0; k < values.size(); ++k) {
        if (model == 'E') {
          values[k] = permuted[start + k];
        } else {
          values[k] = Draw(*main, t.init);
          if (model == 'B') values[k] += static_cast<float>(shape.noise) * 0.02f * noise->Next();
        }
      }
    };
    WriteSafetensors((folder / "model.safetensors").string(), specs, fill,
                     {{"format", "pt"}, {"kaieval_test_model", std::string(1, model)}});
    json vocab = json::object();
    std::vector<std::string> tokens = TestVocabulary(model == 'C' || model == 'D' ? seed_c : seed_a, shape.vocab);
    for (size_t i = 0; i < tokens.size(); ++i) vocab[tokens[i]] = i;
    WriteJson(folder / "tokenizer.json",
              {{"version", "1.0"}, {"added_tokens", json::array()},
               {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}}}});
    WriteJson(folder / "config.json",
              {{"architectures", {"LlavaForConditionalGeneration"}},
               {"kaieval_test_model", std::string(1, model)},
               {"hidden_size", shape.hidden}, {"num_hidden_layers", shape.layers},
               {"intermediate_size", shape.intermediate}, {"vocab_size", shape.vocab}});
    out.push_back(folder.string());
  }
  return out;
}

void WriteTestGguf(const std::string& model_dir, const std::string& path, uint32_t ggml_type,
                   const std::string& base_model) {
  static const std::vector<std::pair<std::string, std::string>> kRenames = {
      {"model.embed_tokens.", "token_embd."}, {"lm_head.", "output."}, {"model.norm.", "output_norm."},
      {"model.layers.", "blk."}, {"vision_tower.encoder.layers.", "v.blk."},
      {"vision_tower.embeddings.patch_embedding.", "v.patch_embd."},
      {"vision_tower.post_layernorm.", "v.post_ln."}, {"self_attn.q_proj", "attn_q"},
      {"self_attn.k_proj", "attn_k"}, {"self_attn.v_proj", "attn_v"},
      {"self_attn.o_proj", "attn_output"}, {"self_attn.out_proj", "attn_out"},
      {"mlp.gate_proj", "ffn_gate"}, {"mlp.up_proj", "ffn_up"}, {"mlp.down_proj", "ffn_down"},
      {"mlp.fc1", "ffn_up"}, {"mlp.fc2", "ffn_down"}, {"post_attention_layernorm", "ffn_norm"},
      {"input_layernorm", "attn_norm"}, {"layer_norm1", "ln1"}, {"layer_norm2", "ln2"}};
  Model model = OpenModel(model_dir);
  std::vector<GgufTensorSpec> tensors;
  for (const Tensor& t : model.tensors) {
    if (t.name.starts_with("multi_modal_projector.")) continue;
    std::string name = t.name;
    for (const auto& [from, to] : kRenames) {
      if (size_t at = name.find(from); at != std::string::npos) name.replace(at, from.size(), to);
    }
    // Like llama.cpp, rows that are not whole Q8_0 blocks fall back to F16; vectors stay F32.
    uint32_t type = t.rows() < 2 ? kGgmlF32
                    : ggml_type == kGgmlQ8_0 && t.cols() % 32 != 0 ? kGgmlF16
                                                                   : ggml_type;
    GgufTensorSpec g{name, type, t.shape, std::vector<float>(t.elements), ""};
    ReadFloats(t, 0, t.elements, g.values.data());
    if (name.starts_with("blk.") && (name.find(".attn_q.") != std::string::npos ||
                                     name.find(".attn_k.") != std::string::npos)) {
      g.values = RopeRowOrder(g.values, t.rows(), t.cols());
    }
    tensors.push_back(std::move(g));
  }
  std::vector<GgufKv> kvs = {
      {"general.architecture", GgufValueType::kString, "llama"},
      {"general.name", GgufValueType::kString, fs::path(model_dir).filename().string()},
      {"general.alignment", GgufValueType::kU32, 32},
      {"general.file_type", GgufValueType::kU32, ggml_type}};
  if (!base_model.empty()) {
    kvs.push_back({"general.base_model.count", GgufValueType::kU32, 1});
    kvs.push_back({"general.base_model.0.name", GgufValueType::kString, base_model});
  }
  std::optional<Vocabulary> vocab = ModelVocabulary(model);
  if (vocab) kvs.push_back({"tokenizer.ggml.tokens", GgufValueType::kArray, vocab->by_id, GgufValueType::kString});
  std::string bytes = GgufBytes(kvs, tensors);
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw InputError(fmt::format("{}: cannot write", path));
}

}  // namespace kaieval::origin
