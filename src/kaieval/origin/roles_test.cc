#include "kaieval/origin/roles.h"

#include <gtest/gtest.h>

namespace kaieval::origin {
namespace {

std::string Key(const std::string& name) { return CanonicalRole(name).Key(); }

TEST(CanonicalRole, SameTensorAcrossNamingSchemesHasOneKey) {
  const std::string q = "language_model/3/attn_q/weight";
  EXPECT_EQ(Key("model.layers.3.self_attn.q_proj.weight"), q);  // Llama, Qwen, Mistral
  EXPECT_EQ(Key("blk.3.attn_q.weight"), q);                     // GGUF
  EXPECT_EQ(Key("transformer.h.3.attn.attention.q_proj.weight"), q);  // EXAONE
  EXPECT_EQ(Key("language_model.model.layers.3.self_attn.q_proj.weight"), q);  // LLaVA wrapper
  const std::string down = "language_model/0/mlp_down/weight";
  EXPECT_EQ(Key("model.layers.0.mlp.down_proj.weight"), down);
  EXPECT_EQ(Key("blk.0.ffn_down.weight"), down);
  EXPECT_EQ(Key("transformer.h.0.mlp.c_proj.weight"), down);
  EXPECT_EQ(Key("transformer.encoder.layers.0.mlp.dense_4h_to_h.weight"), down);  // ChatGLM
  EXPECT_EQ(Key("transformer.h.0.mlp.c_fc_0.weight"), "language_model/0/mlp_gate/weight");
  EXPECT_EQ(Key("transformer.h.0.mlp.c_fc_1.weight"), "language_model/0/mlp_up/weight");
  EXPECT_EQ(Key("transformer.h.0.attn.attention.out_proj.weight"), "language_model/0/attn_o/weight");
  EXPECT_EQ(Key("transformer.encoder.layers.5.self_attention.dense.weight"), "language_model/5/attn_o/weight");
  EXPECT_EQ(Key("transformer.encoder.layers.5.self_attention.query_key_value.bias"),
            "language_model/5/attn_qkv/bias");
  EXPECT_EQ(Key("model.layers.2.mlp.gate_up_proj.weight"), "language_model/2/mlp_gate_up/weight");  // GLM-4
  EXPECT_EQ(Key("model.layers.1.post_attention_layernorm.weight"), "language_model/1/mlp_norm/weight");
  EXPECT_EQ(Key("blk.1.ffn_norm.weight"), "language_model/1/mlp_norm/weight");
  EXPECT_EQ(Key("transformer.h.1.ln_2.weight"), "language_model/1/mlp_norm/weight");
  EXPECT_EQ(Key("model.layers.1.self_attn.q_norm.weight"), "language_model/1/q_norm/weight");  // Qwen3
}

TEST(CanonicalRole, EmbeddingsHeadAndFinalNorm) {
  EXPECT_EQ(Key("model.embed_tokens.weight"), "embeddings/-1/embed/weight");
  EXPECT_EQ(Key("token_embd.weight"), "embeddings/-1/embed/weight");
  EXPECT_EQ(Key("transformer.wte.weight"), "embeddings/-1/embed/weight");
  EXPECT_EQ(Key("transformer.embedding.word_embeddings.weight"), "embeddings/-1/embed/weight");
  EXPECT_EQ(Key("lm_head.weight"), "lm_head/-1/lm_head/weight");
  EXPECT_EQ(Key("output.weight"), "lm_head/-1/lm_head/weight");
  EXPECT_EQ(Key("transformer.output_layer.weight"), "lm_head/-1/lm_head/weight");
  EXPECT_EQ(Key("model.norm.weight"), "language_model/-1/final_norm/weight");
  EXPECT_EQ(Key("output_norm.weight"), "language_model/-1/final_norm/weight");
  EXPECT_EQ(Key("transformer.ln_f.weight"), "language_model/-1/final_norm/weight");
}

TEST(CanonicalRole, VisionEncoderAndProjectorAreComponentsOfTheirOwn) {
  EXPECT_EQ(Key("vision_tower.vision_model.encoder.layers.4.self_attn.k_proj.weight"),
            "vision_encoder/4/attn_k/weight");
  EXPECT_EQ(Key("v.blk.4.attn_k.weight"), "vision_encoder/4/attn_k/weight");
  EXPECT_EQ(Key("visual.blocks.4.attn.qkv.weight"), "vision_encoder/4/attn_qkv/weight");  // Qwen-VL
  EXPECT_EQ(Key("visual.blocks.4.attn.proj.weight"), "vision_encoder/4/attn_o/weight");
  EXPECT_EQ(Key("vision_tower.encoder.layers.0.mlp.fc1.weight"), "vision_encoder/0/mlp_up/weight");
  EXPECT_EQ(Key("v.blk.0.ffn_up.weight"), "vision_encoder/0/mlp_up/weight");
  EXPECT_EQ(Key("vision_tower.encoder.layers.0.layer_norm1.bias"), "vision_encoder/0/attn_norm/bias");
  EXPECT_EQ(Key("v.blk.0.ln1.bias"), "vision_encoder/0/attn_norm/bias");
  EXPECT_EQ(Key("vision_tower.embeddings.patch_embedding.weight"), "vision_encoder/-1/patch_embed/weight");
  EXPECT_EQ(Key("v.patch_embd.weight"), "vision_encoder/-1/patch_embed/weight");
  EXPECT_EQ(Key("multi_modal_projector.linear_1.weight"), "projector/-1/proj:linear_1/weight");
  EXPECT_EQ(Key("visual.merger.mlp.0.weight"), "projector/0/proj:/weight");
  EXPECT_EQ(CanonicalRole("model.layers.0.self_attn.rotary_emb.inv_freq").role, "other:self_attn.rotary_emb");
}

}  // namespace
}  // namespace kaieval::origin
