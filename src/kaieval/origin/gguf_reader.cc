#include "kaieval/origin/gguf_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "kaieval/common/error.h"

namespace kaieval::origin {
namespace {

using nlohmann::json;

// A bounds-checked little-endian cursor over the file.
class Cursor {
 public:
  Cursor(std::span<const uint8_t> bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  template <typename T>
  T Read(const char* what) {
    Need(sizeof(T), what);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string ReadString(const char* what) {
    uint64_t len = Read<uint64_t>(what);
    Need(len, what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
    pos_ += len;
    return s;
  }
  void Need(uint64_t n, const char* what) const {
    if (n > bytes_.size() - pos_) {
      throw InputError(fmt::format("{}: truncated at byte {}: {} needs {} more bytes, {} left",
                                   name_, pos_, what, n, bytes_.size() - pos_));
    }
  }
  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::span<const uint8_t> bytes_;
  const std::string& name_;
  uint64_t pos_ = 0;
};

json ReadValue(Cursor& c, uint32_t type, const std::string& key, const std::string& name,
               int depth) {
  switch (static_cast<GgufValueType>(type)) {
    case GgufValueType::kU8: return c.Read<uint8_t>("a u8 value");
    case GgufValueType::kI8: return c.Read<int8_t>("an i8 value");
    case GgufValueType::kU16: return c.Read<uint16_t>("a u16 value");
    case GgufValueType::kI16: return c.Read<int16_t>("an i16 value");
    case GgufValueType::kU32: return c.Read<uint32_t>("a u32 value");
    case GgufValueType::kI32: return c.Read<int32_t>("an i32 value");
    case GgufValueType::kF32: return c.Read<float>("an f32 value");
    case GgufValueType::kBool: {
      uint8_t b = c.Read<uint8_t>("a bool value");
      if (b > 1) throw InputError(fmt::format("{}: {}: bool value {} is neither 0 nor 1", name, key, b));
      return b == 1;
    }
    case GgufValueType::kString: return c.ReadString("a string value");
    case GgufValueType::kU64: return c.Read<uint64_t>("a u64 value");
    case GgufValueType::kI64: return c.Read<int64_t>("an i64 value");
    case GgufValueType::kF64: return c.Read<double>("an f64 value");
    case GgufValueType::kArray: {
      if (depth >= kMaxGgufArrayDepth) {
        throw InputError(fmt::format("{}: {}: arrays nested deeper than {}", name, key,
                                     kMaxGgufArrayDepth));
      }
      uint32_t item_type = c.Read<uint32_t>("an array's type");
      uint64_t count = c.Read<uint64_t>("an array's length");
      // Every item takes at least one byte, so a longer count is a lie about the file's size.
      if (count > c.remaining()) {
        throw InputError(fmt::format("{}: {}: array of {} items is longer than the file", name,
                                     key, count));
      }
      json arr = json::array();
      for (uint64_t i = 0; i < count; ++i) arr.push_back(ReadValue(c, item_type, key, name, depth + 1));
      return arr;
    }
  }
  throw InputError(fmt::format("{}: {}: unknown metadata value type {}", name, key, type));
}

DType GgmlDType(uint32_t type) {
  switch (type) {
    case kGgmlF32: return DType::kF32;
    case kGgmlF16: return DType::kF16;
    case kGgmlQ8_0: return DType::kQ8_0;
    case kGgmlI8: return DType::kI8;
    case kGgmlF64: return DType::kF64;
    case kGgmlBF16: return DType::kBF16;
    default: return DType::kUnsupported;
  }
}

}  // namespace

std::string GgmlTypeName(uint32_t type) {
  static const char* const kNames[] = {
      "F32", "F16", "Q4_0", "Q4_1", "type 4", "type 5", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
      "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
      "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
  if (type < std::size(kNames)) return kNames[type];
  return fmt::format("type {}", type);
}

GgufFile ParseGguf(std::span<const uint8_t> bytes, const std::string& name, const MappedFile* file) {
  Cursor c(bytes, name);
  c.Need(4, "the magic");
  if (std::memcmp(bytes.data(), "GGUF", 4) != 0) {
    throw InputError(fmt::format("{}: not a GGUF file (magic is not 'GGUF')", name));
  }
  c.Read<uint32_t>("the magic");
  GgufFile out;
  out.version = c.Read<uint32_t>("the version");
  if (out.version != 2 && out.version != 3) {
    throw InputError(fmt::format("{}: GGUF version {} is not supported (2 or 3)", name, out.version));
  }
  uint64_t tensor_count = c.Read<uint64_t>("the tensor count");
  uint64_t kv_count = c.Read<uint64_t>("the metadata count");
  // A key-value takes at least 13 bytes and a tensor info at least 28.
  if (kv_count > c.remaining() / 13 || tensor_count > c.remaining() / 28) {
    throw InputError(fmt::format("{}: {} metadata entries and {} tensors cannot fit in {} bytes",
                                 name, kv_count, tensor_count, bytes.size()));
  }
  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string key = c.ReadString("a metadata key");
    uint32_t type = c.Read<uint32_t>("a metadata value type");
    if (out.metadata.contains(key)) {
      throw InputError(fmt::format("{}: metadata key '{}' appears twice", name, key));
    }
    out.metadata[key] = ReadValue(c, type, key, name, 0);
  }
  if (out.metadata.contains("general.alignment")) {
    const json& a = out.metadata["general.alignment"];
    uint64_t v = a.is_number_unsigned() ? a.get<uint64_t>() : 0;
    if (v == 0 || (v & (v - 1)) != 0 || v > (1u << 30)) {
      throw InputError(fmt::format("{}: general.alignment must be a power of two", name));
    }
    out.alignment = static_cast<uint32_t>(v);
  }
  std::vector<uint64_t> offsets;
  std::set<std::string> names;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    Tensor t;
    t.name = c.ReadString("a tensor name");
    if (!names.insert(t.name).second) {
      throw InputError(fmt::format("{}: tensor '{}' appears twice", name, t.name));
    }
    uint32_t dims = c.Read<uint32_t>("a tensor's dimension count");
    if (dims == 0 || dims > 4) {
      throw InputError(fmt::format("{}: tensor '{}' has {} dimensions (1 to 4)", name, t.name, dims));
    }
    std::vector<uint64_t> ne(dims);
    for (uint32_t d = 0; d < dims; ++d) ne[d] = c.Read<uint64_t>("a tensor dimension");
    t.shape.assign(ne.rbegin(), ne.rend());
    uint32_t type = c.Read<uint32_t>("a tensor type");
    offsets.push_back(c.Read<uint64_t>("a tensor offset"));
    if (!CountElements(t.shape, &t.elements)) {
      throw InputError(fmt::format("{}: tensor '{}': shape overflows", name, t.name));
    }
    t.type = GgmlDType(type);
    t.type_name = GgmlTypeName(type);
    t.file = file;
    if (t.type == DType::kUnsupported) {
      t.skipped = fmt::format("GGML type {} is not read", t.type_name);
    } else if (t.type == DType::kQ8_0 && ne[0] % 32 != 0) {
      throw InputError(fmt::format("{}: tensor '{}': Q8_0 rows of {} are not whole blocks of 32",
                                   name, t.name, ne[0]));
    }
    out.tensors.push_back(std::move(t));
  }
  uint64_t data_start = (c.pos() + out.alignment - 1) / out.alignment * out.alignment;
  uint64_t data_size = bytes.size() >= data_start ? bytes.size() - data_start : 0;
  std::vector<std::pair<uint64_t, uint64_t>> used;  // (begin, end) of the tensors we size
  for (size_t i = 0; i < out.tensors.size(); ++i) {
    Tensor& t = out.tensors[i];
    if (offsets[i] % out.alignment != 0) {
      throw InputError(fmt::format("{}: tensor '{}': offset {} is not a multiple of the alignment {}",
                                   name, t.name, offsets[i], out.alignment));
    }
    if (t.type == DType::kUnsupported) continue;
    BlockLayout layout = Layout(t.type);
    uint64_t blocks = t.elements / layout.elements;
    if (blocks > UINT64_MAX / layout.bytes) {
      throw InputError(fmt::format("{}: tensor '{}': size overflows", name, t.name));
    }
    t.bytes = blocks * layout.bytes;
    if (offsets[i] > data_size || t.bytes > data_size - offsets[i]) {
      throw InputError(fmt::format("{}: tensor '{}' ({} bytes at data offset {}) runs past the end "
                                   "of the file (data holds {} bytes)",
                                   name, t.name, t.bytes, offsets[i], data_size));
    }
    t.data = t.bytes == 0 ? bytes.data() : bytes.data() + data_start + offsets[i];
    used.emplace_back(offsets[i], offsets[i] + t.bytes);
  }
  std::sort(used.begin(), used.end());
  for (size_t i = 1; i < used.size(); ++i) {
    if (used[i].first < used[i - 1].second) {
      throw InputError(fmt::format("{}: two tensors overlap at data offset {}", name, used[i].first));
    }
  }
  return out;
}

}  // namespace kaieval::origin
