// Relation types of a derivative to its base model, and the rule that infers one from the
// repo's own files and config rather than its label. Used by the snapshot reader and the counter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kaieval::lineage {

enum class Relation : uint8_t {
  kNone = 0,      // declared: no label; inferred: never
  kFinetune,      // weights changed by training
  kAdapter,       // LoRA or other adapter on top of the base
  kQuantized,     // quantized or converted copy (GGUF, MLX, AWQ, GPTQ, EXL2, bitsandbytes)
  kMerge,         // several bases merged
  kUnclassified,  // weights, but no evidence of training, conversion or adapters
};
inline constexpr size_t kRelationCount = 6;

// "none", "finetune", "adapter", "quantized", "merge", "unclassified".
std::string_view RelationName(Relation r);
// The Hub's labels ("finetune", "adapter", "quantized", "merge"; case-insensitive, "fine-tune"
// and "quantization" accepted); nullopt for anything else.
std::optional<Relation> ParseDeclaredRelation(std::string_view label);

// What the repo's files and config say about it (bits of RepoEvidence::flags).
enum EvidenceFlag : uint16_t {
  kHasWeights = 1 << 0,        // a weight file (.safetensors, .bin, .gguf, .pt, .npz, ...)
  kHasGguf = 1 << 1,           // a .gguf file or the "gguf" field
  kHasMlx = 1 << 2,            // library "mlx" or an "mlx" tag
  kHasQuantConfig = 1 << 3,    // config.quantization_config or quantize_config.json
  kHasQuantMarker = 1 << 4,    // an awq / gptq / exl2 / bitsandbytes / 4-bit / 8-bit marker
  kHasAdapterConfig = 1 << 5,  // adapter_config.json (PEFT)
  kHasTrainingCard = 1 << 6,   // card datasets, or trainer tags (trl, sft, generated_from_trainer)
  kHasFileSizes = 1 << 7,      // every weight file has a size or an LFS sha256
};

// The inferred relation of a repo with `bases` base models, in this order: two or more bases
// -> merge; adapter_config.json -> adapter; GGUF, MLX, a quantization config or marker ->
// quantized; weights with a training card -> finetune; anything else -> unclassified.
Relation InferRelation(uint16_t flags, size_t bases);

}  // namespace kaieval::lineage
