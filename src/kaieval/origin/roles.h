// Canonical tensor roles: maps a tensor name from any common naming scheme (Llama/Mistral,
// Qwen, GLM/ChatGLM, EXAONE, GGUF, LLaVA/SigLIP/Qwen-VL vision towers) to a component, a layer
// index and a role, so that two models' tensors can be matched. Used by the comparison.
#pragma once

#include <string>

namespace kaieval::origin {

struct TensorRole {
  // "language_model", "embeddings", "lm_head", "vision_encoder", "projector", "audio_encoder"
  std::string component;
  int layer = -1;    // the block index; -1 outside the blocks
  std::string role;  // attn_q, attn_k, attn_v, attn_o, attn_qkv, mlp_gate, mlp_up, mlp_down,
                     // mlp_gate_up, attn_norm, mlp_norm, q_norm, k_norm, final_norm, embed,
                     // lm_head, patch_embed, pos_embed; otherwise "other:<rest of the name>"
  std::string kind;  // "weight", "bias" or another last name part

  // component/layer/role/kind: equal keys are the same tensor in two models.
  std::string Key() const;
};

TensorRole CanonicalRole(const std::string& name);

}  // namespace kaieval::origin
