#include "kaieval/origin/gguf_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kaieval/common/testing.h"
#include "kaieval/origin/weight_writers.h"

namespace kaieval::origin {
namespace {

using kaieval::testing::InputErrorMessage;
using nlohmann::json;

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Sample() {
  std::vector<GgufKv> kvs = {
      {"general.architecture", GgufValueType::kString, "llama"},
      {"general.alignment", GgufValueType::kU32, 64},
      {"general.base_model.count", GgufValueType::kU32, 1},
      {"general.base_model.0.name", GgufValueType::kString, "Base-7B"},
      {"u8", GgufValueType::kU8, 200}, {"i8", GgufValueType::kI8, -3},
      {"u16", GgufValueType::kU16, 60000}, {"i16", GgufValueType::kI16, -30000},
      {"i32", GgufValueType::kI32, -7}, {"f32", GgufValueType::kF32, 0.5},
      {"b", GgufValueType::kBool, true}, {"u64", GgufValueType::kU64, 1ULL << 40},
      {"i64", GgufValueType::kI64, -(1LL << 40)}, {"f64", GgufValueType::kF64, 0.25},
      {"tokenizer.ggml.tokens", GgufValueType::kArray, {"a", "b", "c"}, GgufValueType::kString},
      {"nested", GgufValueType::kArray, json::array({json::array({1, 2}), json::array({3})}),
       GgufValueType::kArray, GgufValueType::kI32}};
  std::vector<float> m(64);
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<float>(i) / 8 - 4;
  std::vector<GgufTensorSpec> tensors = {
      {"blk.0.attn_q.weight", kGgmlQ8_0, {2, 32}, m, ""},
      {"blk.0.attn_norm.weight", kGgmlF32, {4}, {1, 2, 3, 4}, ""},
      {"blk.0.ffn_up.weight", kGgmlBF16, {2, 2}, {1, -1, 0.5, 2}, ""},
      {"blk.0.ffn_down.weight", kGgmlF16, {1, 2}, {0.25, -8}, ""},
      {"blk.0.ffn_gate.weight", 12 /* Q4_K */, {1, 256}, {}, std::string(144, '\1')}};
  return GgufBytes(kvs, tensors, 64);
}

TEST(GgufReader, ReadsMetadataOfEveryTypeAndTensors) {
  std::string bytes = Sample();
  GgufFile f = ParseGguf(Span(bytes), "m.gguf");
  EXPECT_EQ(f.version, 3u);
  EXPECT_EQ(f.alignment, 64u);
  EXPECT_EQ(f.metadata["general.base_model.0.name"], "Base-7B");
  EXPECT_EQ(f.metadata["u8"], 200);
  EXPECT_EQ(f.metadata["i16"], -30000);
  EXPECT_EQ(f.metadata["u64"], 1ULL << 40);
  EXPECT_EQ(f.metadata["i64"], -(1LL << 40));
  EXPECT_EQ(f.metadata["f32"], 0.5);
  EXPECT_EQ(f.metadata["b"], true);
  EXPECT_EQ(f.metadata["tokenizer.ggml.tokens"], json({"a", "b", "c"}));
  EXPECT_EQ(f.metadata["nested"], json::parse("[[1,2],[3]]"));
  ASSERT_EQ(f.tensors.size(), 5u);
  const Tensor& q = f.tensors[0];
  EXPECT_EQ(q.shape, (std::vector<uint64_t>{2, 32}));
  std::vector<float> v(64);
  ReadFloats(q, 0, 64, v.data());
  for (size_t i = 0; i < 64; ++i) EXPECT_NEAR(v[i], static_cast<float>(i) / 8 - 4, 0.02) << i;
  std::vector<float> w(4);
  ReadFloats(f.tensors[2], 0, 4, w.data());
  EXPECT_EQ(w, (std::vector<float>{1, -1, 0.5, 2}));
  ReadFloats(f.tensors[3], 0, 2, w.data());
  EXPECT_EQ(w[0], 0.25f);
  EXPECT_EQ(w[1], -8.0f);
  EXPECT_FALSE(f.tensors[4].readable());
  EXPECT_EQ(f.tensors[4].skipped, "GGML type Q4_K is not read");
  for (const Tensor& t : f.tensors) {
    if (t.readable()) EXPECT_EQ((t.data - Span(bytes).data()) % 64, 0) << t.name;
  }
}

TEST(GgufReader, EveryTruncationIsAnInputErrorNamingTheFile) {
  std::string bytes = Sample();
  // The file ends with the F16 tensor (4 bytes padded to 64) and the unsized Q4_K one (144
  // bytes padded to 192): any cut before the F16 tensor's last byte loses data that is read.
  const size_t end_of_read_data = bytes.size() - 192 - 60;
  for (size_t cut = 0; cut < end_of_read_data; cut += 7) {
    std::string msg = InputErrorMessage([&] { ParseGguf(Span(bytes.substr(0, cut)), "m.gguf"); });
    EXPECT_TRUE(msg.starts_with("m.gguf: ")) << cut << ": " << msg;
  }
}

TEST(GgufReader, RefusesLies) {
  std::string bytes = Sample();
  std::string bad = bytes;
  bad[0] = 'X';
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(bad), "m"); }), "m: not a GGUF file (magic is not 'GGUF')");
  bad = bytes;
  bad[4] = 9;
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(bad), "m"); }), "m: GGUF version 9 is not supported (2 or 3)");
  bad = bytes;
  uint64_t huge = 1ULL << 60;
  std::memcpy(bad.data() + 16, &huge, 8);  // the metadata count
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(bad), "m"); }).substr(0, 28),
            "m: 1152921504606846976 metad");
  // A duplicate key and an unknown value type.
  std::string dup = GgufBytes({{"k", GgufValueType::kU8, 1}, {"k", GgufValueType::kU8, 2}}, {});
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(dup), "m"); }), "m: metadata key 'k' appears twice");
  std::string unknown = GgufBytes({{"k", GgufValueType::kU8, 1}}, {});
  unknown[24 + 8 + 1] = 99;  // the value type after the key "k"
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(unknown), "m"); }), "m: k: unknown metadata value type 99");
  std::string align = GgufBytes({{"general.alignment", GgufValueType::kU32, 48}}, {});
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(align), "m"); }),
            "m: general.alignment must be a power of two");
  // A tensor whose data would run past the end.
  std::string past = GgufBytes({}, {{"t", kGgmlF32, {8}, std::vector<float>(8), ""}});
  past.resize(past.size() - 4);
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(past), "m"); }),
            "m: tensor 't' (32 bytes at data offset 0) runs past the end of the file (data holds 28 bytes)");
}

TEST(GgufReader, DeeplyNestedArraysAreRefused) {
  json v = 1;
  std::string bytes = "GGUF";
  auto put = [&](auto x) { bytes.append(reinterpret_cast<const char*>(&x), sizeof x); };
  put(uint32_t{3});
  put(uint64_t{0});
  put(uint64_t{1});
  put(uint64_t{1});
  bytes += "k";
  put(uint32_t{9});
  for (int i = 0; i < 20; ++i) {
    put(uint32_t{9});
    put(uint64_t{1});
  }
  EXPECT_EQ(InputErrorMessage([&] { ParseGguf(Span(bytes), "m"); }), "m: k: arrays nested deeper than 8");
}

}  // namespace
}  // namespace kaieval::origin
