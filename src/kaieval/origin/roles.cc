#include "kaieval/origin/roles.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

namespace kaieval::origin {
namespace {

std::vector<std::string> Split(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool IsIndex(const std::string& s) {
  return !s.empty() && s.size() < 7 && std::all_of(s.begin(), s.end(), ::isdigit);
}

// Role of a block tensor, from the last name part before .weight/.bias (and its parent).
const std::map<std::string, std::string>& BlockRoles() {
  static const std::map<std::string, std::string> roles = {
      {"q_proj", "attn_q"}, {"attn_q", "attn_q"}, {"query", "attn_q"}, {"wq", "attn_q"},
      {"k_proj", "attn_k"}, {"attn_k", "attn_k"}, {"key", "attn_k"}, {"wk", "attn_k"},
      {"v_proj", "attn_v"}, {"attn_v", "attn_v"}, {"value", "attn_v"}, {"wv", "attn_v"},
      {"o_proj", "attn_o"}, {"out_proj", "attn_o"}, {"attn_output", "attn_o"},
      {"attn_out", "attn_o"}, {"wo", "attn_o"},
      {"qkv", "attn_qkv"}, {"qkv_proj", "attn_qkv"}, {"query_key_value", "attn_qkv"},
      {"attn_qkv", "attn_qkv"}, {"c_attn", "attn_qkv"}, {"W_pack", "attn_qkv"},
      {"gate_proj", "mlp_gate"}, {"ffn_gate", "mlp_gate"}, {"c_fc_0", "mlp_gate"}, {"w1", "mlp_gate"},
      {"up_proj", "mlp_up"}, {"ffn_up", "mlp_up"}, {"c_fc_1", "mlp_up"}, {"w3", "mlp_up"},
      {"fc1", "mlp_up"},
      {"down_proj", "mlp_down"}, {"ffn_down", "mlp_down"}, {"dense_4h_to_h", "mlp_down"},
      {"w2", "mlp_down"}, {"fc2", "mlp_down"},
      {"gate_up_proj", "mlp_gate_up"}, {"dense_h_to_4h", "mlp_gate_up"},
      {"input_layernorm", "attn_norm"}, {"attn_norm", "attn_norm"}, {"ln_1", "attn_norm"},
      {"ln1", "attn_norm"}, {"layer_norm1", "attn_norm"}, {"norm1", "attn_norm"},
      {"attention_norm", "attn_norm"},
      {"post_attention_layernorm", "mlp_norm"}, {"ffn_norm", "mlp_norm"}, {"ln_2", "mlp_norm"},
      {"ln2", "mlp_norm"}, {"layer_norm2", "mlp_norm"}, {"norm2", "mlp_norm"},
      {"q_norm", "q_norm"}, {"attn_q_norm", "q_norm"}, {"q_layernorm", "q_norm"},
      {"k_norm", "k_norm"}, {"attn_k_norm", "k_norm"}, {"k_layernorm", "k_norm"},
  };
  return roles;
}

// Roles outside the blocks.
const std::map<std::string, std::string>& GlobalRoles() {
  static const std::map<std::string, std::string> roles = {
      {"embed_tokens", "embed"}, {"wte", "embed"}, {"word_embeddings", "embed"},
      {"token_embd", "embed"}, {"tok_embeddings", "embed"}, {"embed_in", "embed"},
      {"lm_head", "lm_head"}, {"output_layer", "lm_head"}, {"embed_out", "lm_head"},
      {"norm", "final_norm"}, {"ln_f", "final_norm"}, {"final_layernorm", "final_norm"},
      {"output_norm", "final_norm"}, {"final_layer_norm", "final_norm"},
      {"post_layernorm", "final_norm"}, {"post_ln", "final_norm"},
      {"patch_embedding", "patch_embed"}, {"patch_embd", "patch_embed"},
      {"patch_embed", "patch_embed"}, {"proj", "patch_embed"},
      {"position_embedding", "pos_embed"}, {"position_embd", "pos_embed"},
      {"pos_embed", "pos_embed"},
  };
  return roles;
}

bool Contains(const std::vector<std::string>& parts, size_t end, std::initializer_list<const char*> words) {
  for (size_t i = 0; i < end; ++i) {
    for (const char* w : words) {
      if (parts[i].find(w) != std::string::npos) return true;
    }
  }
  return false;
}

std::string Join(const std::vector<std::string>& parts, size_t begin, size_t end) {
  std::string s;
  for (size_t i = begin; i < end; ++i) s += (s.empty() ? "" : ".") + parts[i];
  return s;
}

}  // namespace

std::string TensorRole::Key() const { return fmt::format("{}/{}/{}/{}", component, layer, role, kind); }

TensorRole CanonicalRole(const std::string& name) {
  std::vector<std::string> parts = Split(name);
  TensorRole r;
  size_t end = parts.size();
  if (end > 1) {
    r.kind = parts[end - 1];
    --end;
  }
  size_t index = end;
  for (size_t i = 0; i < end; ++i) {
    if (IsIndex(parts[i])) {
      index = i;
      break;
    }
  }
  // The component comes from the prefix, before the block index.
  const bool projector =
      Contains(parts, index, {"projector", "merger", "mm_proj", "connector", "aligner"}) ||
      (!parts.empty() && (parts[0] == "mm" || parts[0] == "mlp1"));
  const bool vision =
      Contains(parts, index, {"vision", "visual", "vit", "image_encoder", "siglip"}) ||
      (!parts.empty() && parts[0] == "v");
  const bool audio = Contains(parts, index, {"audio", "whisper"});
  r.component = projector ? "projector" : vision ? "vision_encoder" : audio ? "audio_encoder"
                                                                             : "language_model";
  if (projector) {
    if (index < end) r.layer = std::stoi(parts[index]);
    r.role = "proj:" + Join(parts, index < end ? index + 1 : 1, end);
    return r;
  }
  if (index < end) {
    r.layer = std::stoi(parts[index]);
    const std::string& last = parts[end - 1];
    const std::string parent = end >= 2 ? parts[end - 2] : "";
    const bool in_attn = parent.find("attn") != std::string::npos ||
                         parent.find("attention") != std::string::npos;
    auto it = BlockRoles().find(last);
    if (it != BlockRoles().end()) {
      r.role = it->second;
    } else if ((last == "dense" || last == "proj" || last == "c_proj") && in_attn) {
      r.role = "attn_o";
    } else if (last == "c_proj" && parent == "mlp") {
      r.role = "mlp_down";
    } else {
      r.role = "other:" + Join(parts, index + 1, end);
    }
    return r;
  }
  const std::string last = end >= 1 ? parts[end - 1] : "";
  auto it = GlobalRoles().find(last);
  if (name == "output.weight" || name == "output.bias") {
    r.role = "lm_head";
  } else if (it != GlobalRoles().end() && !(last == "proj" && !vision)) {
    r.role = it->second;
  } else {
    r.role = "other:" + Join(parts, 0, end);
  }
  if (!vision && !audio) {
    if (r.role == "embed") r.component = "embeddings";
    if (r.role == "lm_head") r.component = "lm_head";
  }
  return r;
}

}  // namespace kaieval::origin
