#include "kaieval/origin/weight_writers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "kaieval/common/error.h"
#include "kaieval/origin/dtype.h"
#include "kaieval/origin/tensor.h"

namespace kaieval::origin {
namespace {

using nlohmann::json;

template <typename T>
void Put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof v);
  out.append(b, sizeof v);
}

void PutString(std::string& out, const std::string& s) {
  Put<uint64_t>(out, s.size());
  out += s;
}

void Encode(std::string& out, std::span<const float> v, const std::string& dtype) {
  const size_t at = out.size(), width = dtype == "F32" ? 4 : 2;
  out.resize(at + v.size() * width);
  char* p = out.data() + at;
  if (width == 4) {
    std::memcpy(p, v.data(), v.size() * 4);
    return;
  }
  const bool bf16 = dtype == "BF16";
  for (size_t i = 0; i < v.size(); ++i) {
    uint16_t h = bf16 ? FloatToBFloat16(v[i]) : FloatToHalf(v[i]);
    std::memcpy(p + 2 * i, &h, 2);
  }
}

void PutValue(std::string& out, GgufValueType type, const json& v, GgufValueType item,
              GgufValueType inner) {
  switch (type) {
    case GgufValueType::kU8: Put(out, v.get<uint8_t>()); break;
    case GgufValueType::kI8: Put(out, v.get<int8_t>()); break;
    case GgufValueType::kU16: Put(out, v.get<uint16_t>()); break;
    case GgufValueType::kI16: Put(out, v.get<int16_t>()); break;
    case GgufValueType::kU32: Put(out, v.get<uint32_t>()); break;
    case GgufValueType::kI32: Put(out, v.get<int32_t>()); break;
    case GgufValueType::kF32: Put(out, v.get<float>()); break;
    case GgufValueType::kBool: Put<uint8_t>(out, v.get<bool>() ? 1 : 0); break;
    case GgufValueType::kString: PutString(out, v.get<std::string>()); break;
    case GgufValueType::kU64: Put(out, v.get<uint64_t>()); break;
    case GgufValueType::kI64: Put(out, v.get<int64_t>()); break;
    case GgufValueType::kF64: Put(out, v.get<double>()); break;
    case GgufValueType::kArray:
      Put(out, static_cast<uint32_t>(item));
      Put<uint64_t>(out, v.size());
      for (const json& x : v) PutValue(out, item, x, inner, GgufValueType::kU8);
      break;
  }
}

std::string TensorData(const GgufTensorSpec& t) {
  std::string out;
  switch (t.type) {
    case kGgmlF32: Encode(out, t.values, "F32"); break;
    case kGgmlF16: Encode(out, t.values, "F16"); break;
    case kGgmlBF16: Encode(out, t.values, "BF16"); break;
    case kGgmlQ8_0:
      for (size_t b = 0; b + 32 <= t.values.size(); b += 32) {
        float amax = 0;
        for (size_t i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(t.values[b + i]));
        float d = amax / 127.0f, inv = d > 0 ? 1.0f / d : 0.0f;
        Put(out, FloatToHalf(d));
        for (size_t i = 0; i < 32; ++i) {
          Put(out, static_cast<int8_t>(std::lround(t.values[b + i] * inv)));
        }
      }
      break;
    default: out = t.raw;
  }
  return out;
}

}  // namespace

void WriteSafetensors(const std::string& path, const std::vector<TensorSpec>& tensors,
                      const TensorFill& fill, const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::vector<uint64_t> counts;
  for (const TensorSpec& t : tensors) {
    uint64_t n = 0;
    CountElements(t.shape, &n);
    uint64_t bytes = n * (t.dtype == "F32" ? 4 : 2);
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    counts.push_back(n);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::ofstream out(path, std::ios::binary);
  std::string prefix;
  Put<uint64_t>(prefix, text.size());
  out << prefix << text;
  constexpr uint64_t kChunk = uint64_t{1} << 20;
  std::vector<float> values;
  std::string bytes;
  for (size_t i = 0; i < tensors.size(); ++i) {
    for (uint64_t start = 0; start < counts[i]; start += kChunk) {
      values.assign(std::min(kChunk, counts[i] - start), 0.0f);
      fill(i, start, values);
      bytes.clear();
      Encode(bytes, values, tensors[i].dtype);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
  }
  out.close();
  if (!out) throw InputError(fmt::format("{}: cannot write", path));
}

std::string GgufBytes(const std::vector<GgufKv>& kvs, const std::vector<GgufTensorSpec>& tensors,
                      uint32_t alignment) {
  std::string out = "GGUF";
  Put<uint32_t>(out, 3);
  Put<uint64_t>(out, tensors.size());
  Put<uint64_t>(out, kvs.size());
  for (const GgufKv& kv : kvs) {
    PutString(out, kv.key);
    Put(out, static_cast<uint32_t>(kv.type));
    PutValue(out, kv.type, kv.value, kv.item, kv.inner);
  }
  std::vector<std::string> data;
  uint64_t offset = 0;
  for (const GgufTensorSpec& t : tensors) {
    PutString(out, t.name);
    Put<uint32_t>(out, static_cast<uint32_t>(t.shape.size()));
    for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) Put<uint64_t>(out, *it);
    Put<uint32_t>(out, t.type);
    Put<uint64_t>(out, offset);
    data.push_back(TensorData(t));
    offset += (data.back().size() + alignment - 1) / alignment * alignment;
  }
  out.append((alignment - out.size() % alignment) % alignment, '\0');
  for (std::string& d : data) {
    d.append((alignment - d.size() % alignment) % alignment, '\0');
    out += d;
  }
  return out;
}

}  // namespace kaieval::origin
