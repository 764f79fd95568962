// Generated models for the tests, the demo and the benchmark: small Llama-shaped language
// models with a vision encoder, written as safetensors with a tokenizer.json, in five variants
// (A random; B = A + small noise; C independent; D = C's language model with A's vision
// encoder; E = A with permuted hidden units), and a GGUF rendering of one of them.
// Called by `kaieval origin make-test-models`, the tests and bench/origin.sh.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kaieval::origin {

struct TestModelShape {
  uint32_t hidden = 64, layers = 2, intermediate = 128, kv_hidden = 32, vocab = 1200;
  uint32_t vision_hidden = 48, vision_layers = 2, vision_intermediate = 96, patch_inputs = 48;
  bool vision = true;
  std::string dtype = "BF16";  // F32, F16 or BF16
  double noise = 0.1;          // B's noise, relative to the weights' scale (0.02)
};

// Writes DIR/<X>/model.safetensors, tokenizer.json and config.json for each letter X of
// `models` (any of "ABCDE"); returns the folders. Deterministic in `seed`. E is built tensor by
// tensor in memory, the others are streamed (the benchmark writes 4 GB models with "AB").
std::vector<std::string> MakeTestModels(const std::string& dir, uint64_t seed,
                                        const TestModelShape& shape = {},
                                        const std::string& models = "ABCDE");

// The parameter count of one model of this shape.
uint64_t TestModelParameters(const TestModelShape& shape);

// Renders a model folder written by MakeTestModels as one GGUF v3 file with llama.cpp's tensor
// names (blk.N.attn_q ...; vision tensors as v.blk.N...; the projector left out, as llama.cpp
// puts it in a separate mmproj file), `ggml_type` (F32, F16, BF16 or Q8_0) for matrices and F32
// for vectors, tokenizer.ggml.tokens and general.base_model.* keys naming `base_model`. Like
// llama.cpp's converter it reorders the rows of attn_q and attn_k within each head (heads of 16).
void WriteTestGguf(const std::string& model_dir, const std::string& path, uint32_t ggml_type,
                   const std::string& base_model = "");

}  // namespace kaieval::origin
