#include "kaieval/origin/safetensors_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "kaieval/common/testing.h"
#include "kaieval/origin/model_files.h"
#include "kaieval/origin/weight_writers.h"

namespace kaieval::origin {
namespace {

using kaieval::testing::InputErrorMessage;

// A file from a header text and `data_bytes` bytes of data.
std::vector<uint8_t> FileBytes(const std::string& header, size_t data_bytes, uint8_t fill = 0) {
  std::vector<uint8_t> out(8);
  uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data_bytes, fill);
  return out;
}

std::string Parse(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> bytes = FileBytes(header, data_bytes);
  return InputErrorMessage([&] { ParseSafetensors(bytes, "m.safetensors"); });
}

TEST(SafetensorsReader, ReadsEveryDTypeAsFloat) {
  std::vector<uint8_t> bytes = FileBytes(
      R"({"__metadata__":{"format":"pt"},)"
      R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},)"
      R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
      R"("h":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},)"
      R"("e4":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[10,12]},)"
      R"("e5":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[12,13]},)"
      R"("i":{"dtype":"I8","shape":[1],"data_offsets":[13,14]},)"
      R"("u":{"dtype":"U8","shape":[1],"data_offsets":[14,15]},)"
      R"("d":{"dtype":"F64","shape":[1],"data_offsets":[15,23]}})",
      23);
  uint8_t* data = bytes.data() + bytes.size() - 23;
  float a = -2.5f;
  double d = 0.125;
  std::memcpy(data, &a, 4);
  const uint8_t rest[] = {0x80, 0x3f, 0x00, 0xc0,  // BF16 1.0, -2.0
                          0x00, 0x3c,              // F16 1.0
                          0x38, 0xfe,              // E4M3 1.0, -448
                          0x3c,                    // E5M2 1.0
                          0xfb, 0xc8};             // I8 -5, U8 200
  std::memcpy(data + 4, rest, sizeof rest);
  std::memcpy(data + 15, &d, 8);
  SafetensorsFile f = ParseSafetensors(bytes, "m.safetensors");
  EXPECT_EQ(f.metadata.at("format"), "pt");
  ASSERT_EQ(f.tensors.size(), 8u);
  std::vector<float> expected = {-2.5f, 1.0f, -2.0f, 1.0f, 1.0f, -448.0f, 1.0f, -5.0f, 200.0f, 0.125f};
  std::vector<float> got;
  for (const Tensor& t : f.tensors) {  // in data order
    std::vector<float> v(t.elements);
    ReadFloats(t, 0, t.elements, v.data());
    got.insert(got.end(), v.begin(), v.end());
  }
  EXPECT_EQ(got, expected);
}

TEST(SafetensorsReader, RefusesLyingHeaders) {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  EXPECT_EQ(Parse(ok, 8), "");
  EXPECT_EQ(Parse(ok, 4),
            "m.safetensors: tensor 'a': data_offsets [0, 8] run past the end of the data (4 bytes)");
  EXPECT_EQ(Parse(ok, 12), "m.safetensors: the tensors cover 8 bytes but the data holds 12");
  EXPECT_EQ(Parse(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
            "m.safetensors: tensor 'a': 8 bytes for shape [3] of F32 (expected 3 x 4)");
  EXPECT_EQ(Parse(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                  R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 12),
            "m.safetensors: tensor 'b' starts at byte 8 of the data, expected 4 (tensors must be "
            "contiguous)");
  EXPECT_EQ(Parse(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                  R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
            "m.safetensors: tensor 'a' appears twice in the header");
  EXPECT_EQ(Parse(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4),
            "m.safetensors: tensor 'a': shape must be a non-negative integer");
  EXPECT_EQ(Parse(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4),
            "m.safetensors: tensor 'a': data_offsets end before they begin");
  EXPECT_EQ(Parse(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,4]}})", 4),
            "m.safetensors: tensor 'a': shape overflows");
  EXPECT_EQ(Parse(R"({"a":1})", 0),
            "m.safetensors: tensor 'a': needs dtype (string), shape (array) and data_offsets ([begin, end])");
  EXPECT_EQ(Parse(R"([1,2])", 0), "m.safetensors: the safetensors header is not a JSON object");
  EXPECT_EQ(Parse(R"({"a":)", 0), "m.safetensors: the safetensors header is not valid JSON");
  EXPECT_EQ(Parse(R"({"__metadata__":{"x":1}})", 0), "m.safetensors: __metadata__.x must be a string");
}

TEST(SafetensorsReader, RefusesShortFilesAndHugeHeaderLengths) {
  std::vector<uint8_t> short_file = {1, 2, 3};
  EXPECT_EQ(InputErrorMessage([&] { ParseSafetensors(short_file, "m"); }),
            "m: too short for a safetensors file (3 bytes)");
  std::vector<uint8_t> huge = FileBytes("{}", 0);
  uint64_t n = 200'000'000;
  std::memcpy(huge.data(), &n, 8);
  EXPECT_EQ(InputErrorMessage([&] { ParseSafetensors(huge, "m"); }),
            "m: header length 200000000 exceeds the limit of 100000000 bytes");
  n = 1000;
  std::memcpy(huge.data(), &n, 8);
  EXPECT_EQ(InputErrorMessage([&] { ParseSafetensors(huge, "m"); }),
            "m: header length 1000 runs past the end of the file (10 bytes)");
}

TEST(SafetensorsReader, UnknownDTypesAreSkippedButStillChecked) {
  std::vector<uint8_t> bytes = FileBytes(
      R"({"i":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"x":{"dtype":"F4","shape":[4],"data_offsets":[8,10]}})", 10);
  SafetensorsFile f = ParseSafetensors(bytes, "m");
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_FALSE(f.tensors[0].readable());
  EXPECT_EQ(f.tensors[1].skipped, "dtype F4 is not read");
  EXPECT_EQ(Parse(R"({"i":{"dtype":"I32","shape":[3],"data_offsets":[0,8]}})", 8),
            "m.safetensors: tensor 'i': 8 bytes for shape [3] of I32 (expected 3 x 4)");
}

TEST(OpenModel, ReadsShardedCheckpointsThroughTheWeightMap) {
  kaieval::testing::ScratchDir dir("origin_shards");
  auto fill = [](size_t i, uint64_t start, std::span<float> out) {
    for (size_t k = 0; k < out.size(); ++k) out[k] = static_cast<float>(10 * i + start + k);
  };
  WriteSafetensors(dir.File("model-00001-of-00002.safetensors"),
                   {{"x.weight", "F32", {2, 2}}, {"y.weight", "BF16", {3}}}, fill);
  WriteSafetensors(dir.File("model-00002-of-00002.safetensors"), {{"z.weight", "F16", {2}}}, fill);
  std::ofstream(dir.File("model.safetensors.index.json"))
      << R"({"metadata":{},"weight_map":{"x.weight":"model-00001-of-00002.safetensors",)"
         R"("y.weight":"model-00001-of-00002.safetensors","z.weight":"model-00002-of-00002.safetensors"}})";
  Model m = OpenModel(dir.path().string());
  EXPECT_EQ(m.format, "safetensors");
  ASSERT_EQ(m.tensors.size(), 3u);
  EXPECT_EQ(m.files.size(), 2u);
  std::vector<float> y(3);
  ReadFloats(m.tensors[1], 0, 3, y.data());
  EXPECT_EQ(y, (std::vector<float>{10, 11, 12}));
  std::ofstream(dir.File("model.safetensors.index.json"))
      << R"({"weight_map":{"x.weight":"../model-00001-of-00002.safetensors"}})";
  EXPECT_NE(InputErrorMessage([&] { OpenModel(dir.path().string()); })
                .find("'../model-00001-of-00002.safetensors' is not a file beside the index"),
            std::string::npos);
  std::ofstream(dir.File("model.safetensors.index.json"))
      << R"({"weight_map":{"w.weight":"model-00002-of-00002.safetensors"}})";
  EXPECT_NE(InputErrorMessage([&] { OpenModel(dir.path().string()); })
                .find("weight_map.w.weight: not in shard model-00002-of-00002.safetensors"),
            std::string::npos);
}

TEST(OpenModel, NamesTheFileWhenItCannotBeRead) {
  EXPECT_EQ(InputErrorMessage([] { OpenModel("/nonexistent/m.safetensors"); }),
            "/nonexistent/m.safetensors: cannot open: No such file or directory");
  kaieval::testing::ScratchDir dir("origin_empty");
  EXPECT_NE(InputErrorMessage([&] { OpenModel(dir.path().string()); }).find("no model.safetensors"),
            std::string::npos);
}

}  // namespace
}  // namespace kaieval::origin
