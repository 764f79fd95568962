#include "kaieval/lineage/relation.h"

#include <array>

#include "kaieval/lineage/model_id.h"

namespace kaieval::lineage {

std::string_view RelationName(Relation r) {
  static constexpr std::array<std::string_view, kRelationCount> kNames = {
      "none", "finetune", "adapter", "quantized", "merge", "unclassified"};
  const size_t i = static_cast<size_t>(r);
  return i < kNames.size() ? kNames[i] : "none";
}

std::optional<Relation> ParseDeclaredRelation(std::string_view label) {
  if (SameId(label, "finetune") || SameId(label, "fine-tune")) return Relation::kFinetune;
  if (SameId(label, "adapter")) return Relation::kAdapter;
  if (SameId(label, "quantized") || SameId(label, "quantization")) return Relation::kQuantized;
  if (SameId(label, "merge")) return Relation::kMerge;
  return std::nullopt;
}

Relation InferRelation(uint16_t flags, size_t bases) {
  if (bases >= 2) return Relation::kMerge;
  if (flags & kHasAdapterConfig) return Relation::kAdapter;
  if (flags & (kHasGguf | kHasMlx | kHasQuantConfig | kHasQuantMarker)) return Relation::kQuantized;
  if ((flags & kHasWeights) && (flags & kHasTrainingCard)) return Relation::kFinetune;
  return Relation::kUnclassified;
}

}  // namespace kaieval::lineage
