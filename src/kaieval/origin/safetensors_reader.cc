#include "kaieval/origin/safetensors_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "kaieval/common/error.h"

namespace kaieval::origin {
namespace {

using nlohmann::json;

// Sizes of the safetensors dtypes kaieval does not convert, so their offsets are still checked.
uint32_t OtherDTypeSize(const std::string& dtype) {
  if (dtype == "BOOL") return 1;
  if (dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "I64" || dtype == "U64") return 8;
  return 0;
}

json ParseHeader(std::span<const uint8_t> header, const std::string& name) {
  if (header.empty() || header[0] != '{') {
    throw InputError(fmt::format("{}: the safetensors header is not a JSON object", name));
  }
  std::set<std::string> seen;
  std::string duplicate;
  auto on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && duplicate.empty() &&
        !seen.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json doc = json::parse(header.begin(), header.end(), on_event, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw InputError(fmt::format("{}: the safetensors header is not valid JSON", name));
  }
  if (!duplicate.empty()) {
    throw InputError(fmt::format("{}: tensor '{}' appears twice in the header", name, duplicate));
  }
  return doc;
}

uint64_t NonNegative(const json& v, const std::string& where) {
  if (!v.is_number_unsigned()) throw InputError(where + " must be a non-negative integer");
  return v.get<uint64_t>();
}

}  // namespace

SafetensorsFile ParseSafetensors(std::span<const uint8_t> bytes, const std::string& name,
                                 const MappedFile* file) {
  if (bytes.size() < 8) {
    throw InputError(fmt::format("{}: too short for a safetensors file ({} bytes)", name,
                                 bytes.size()));
  }
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = header_len << 8 | bytes[i];
  if (header_len > kMaxSafetensorsHeaderBytes) {
    throw InputError(fmt::format("{}: header length {} exceeds the limit of {} bytes", name,
                                 header_len, kMaxSafetensorsHeaderBytes));
  }
  if (header_len > bytes.size() - 8) {
    throw InputError(fmt::format("{}: header length {} runs past the end of the file ({} bytes)",
                                 name, header_len, bytes.size()));
  }
  json doc = ParseHeader(bytes.subspan(8, header_len), name);
  std::span<const uint8_t> data = bytes.subspan(8 + header_len);

  SafetensorsFile out;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // (begin, end) per tensor, header order
  for (const auto& [key, entry] : doc.items()) {
    std::string where = fmt::format("{}: tensor '{}'", name, key);
    if (key == "__metadata__") {
      if (!entry.is_object()) throw InputError(fmt::format("{}: __metadata__ must be an object", name));
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) {
          throw InputError(fmt::format("{}: __metadata__.{} must be a string", name, k));
        }
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() ||
        !entry.contains("shape") || !entry["shape"].is_array() || !entry.contains("data_offsets") ||
        !entry["data_offsets"].is_array() || entry["data_offsets"].size() != 2) {
      throw InputError(where + ": needs dtype (string), shape (array) and data_offsets ([begin, end])");
    }
    Tensor t;
    t.name = key;
    t.type_name = entry["dtype"].get<std::string>();
    t.file = file;
    for (const json& d : entry["shape"]) t.shape.push_back(NonNegative(d, where + ": shape"));
    if (!CountElements(t.shape, &t.elements)) throw InputError(where + ": shape overflows");
    uint64_t begin = NonNegative(entry["data_offsets"][0], where + ": data_offsets");
    uint64_t end = NonNegative(entry["data_offsets"][1], where + ": data_offsets");
    if (end < begin) throw InputError(where + ": data_offsets end before they begin");
    if (end > data.size()) {
      throw InputError(fmt::format("{}: data_offsets [{}, {}] run past the end of the data ({} bytes)",
                                   where, begin, end, data.size()));
    }
    t.bytes = end - begin;
    uint32_t element_size = 0;
    if (auto type = SafetensorsDType(t.type_name)) {
      t.type = *type;
      element_size = Layout(t.type).bytes;
    } else {
      element_size = OtherDTypeSize(t.type_name);
      t.skipped = fmt::format("dtype {} is not read", t.type_name);
    }
    if (element_size != 0 && (t.elements > UINT64_MAX / element_size ||
                              t.elements * element_size != t.bytes)) {
      throw InputError(fmt::format("{}: {} bytes for shape {} of {} (expected {} x {})", where,
                                   t.bytes, t.ShapeString(), t.type_name, t.elements, element_size));
    }
    t.data = t.skipped.empty() ? data.data() + begin : nullptr;
    ranges.emplace_back(begin, end);
    out.tensors.push_back(std::move(t));
  }
  // The tensors must tile the data exactly: sorted by offset, no gap, no overlap, no tail.
  std::vector<size_t> order(out.tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranges[a] < ranges[b]; });
  uint64_t expected = 0;
  for (size_t i : order) {
    if (ranges[i].first != expected) {
      throw InputError(fmt::format("{}: tensor '{}' starts at byte {} of the data, expected {} "
                                   "(tensors must be contiguous)",
                                   name, out.tensors[i].name, ranges[i].first, expected));
    }
    expected = ranges[i].second;
  }
  if (expected != data.size()) {
    throw InputError(fmt::format("{}: the tensors cover {} bytes but the data holds {}", name,
                                 expected, data.size()));
  }
  std::vector<Tensor> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back(std::move(out.tensors[i]));
  out.tensors = std::move(sorted);
  return out;
}

}  // namespace kaieval::origin
