#include "kaieval/lineage/model_record.h"

#include <fmt/format.h>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <algorithm>
#include <array>

#include "kaieval/lineage/model_id.h"

namespace kaieval::lineage {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The lower-case extension of a file name (without the dot), at most 15 characters; "" when
// there is none or it is longer.
std::string_view Extension(std::string_view name, char (&buf)[16]) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || name.size() - dot - 1 > sizeof(buf) - 1) return {};
  const size_t n = name.size() - dot - 1;
  for (size_t i = 0; i < n; ++i) {
    const char c = name[dot + 1 + i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(buf, n);
}

bool IsWeightFile(std::string_view name, std::string_view ext) {
  static constexpr std::array<std::string_view, 11> kExtensions = {
      "safetensors", "bin", "gguf", "pt", "pth", "ckpt", "npz", "onnx", "h5", "msgpack", "ggml"};
  bool weights = false;
  for (std::string_view e : kExtensions) weights |= ext == e;
  if (!weights) return false;
  return !(SameId(name, "training_args.bin") || SameId(name, "optimizer.pt") ||
           SameId(name, "scheduler.pt") || SameId(name, "rng_state.pth"));
}

// A compact description of a JSON value for messages.
std::string_view TypeName(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

std::string Quote(std::string_view s) {
  std::string out(s.substr(0, 80));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return "'" + out + (s.size() > 80 ? "...'" : "'");
}

int64_t Count(element e) {
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  if (e.get(i) == SUCCESS) return std::max<int64_t>(i, 0);
  if (e.get(u) == SUCCESS) return INT64_MAX;
  if (e.get(d) == SUCCESS && d >= 0 && d < 9e18) return static_cast<int64_t>(d);
  return -1;
}

void AddBase(ModelRecord& out, std::string_view text, std::string_view field) {
  std::optional<std::string> id = NormaliseModelId(text);
  if (!id) {
    out.problems.push_back(fmt::format("{}: {} is not a model id", field, Quote(text)));
    return;
  }
  for (const auto& b : out.bases) {
    if (SameId(b, *id)) return;
  }
  out.bases.push_back(std::move(*id));
}

void ReadTag(ModelRecord& out, std::string_view tag) {
  static constexpr std::string_view kBase = "base_model:";
  if (tag.size() > kBase.size() && (tag[0] == 'b' || tag[0] == 'B') &&
      SameId(tag.substr(0, kBase.size()), kBase)) {
    std::string_view rest = tag.substr(kBase.size());
    const size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      const std::optional<Relation> r = ParseDeclaredRelation(rest.substr(0, colon));
      if (r && out.declared == Relation::kNone) out.declared = *r;
      rest = rest.substr(colon + 1);
    }
    AddBase(out, rest, "tags");
    return;
  }
  // The marker tags are short: compare a lower-case copy.
  if (tag.size() > 24) return;
  char buf[24];
  for (size_t i = 0; i < tag.size(); ++i) {
    const char c = tag[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view lower(buf, tag.size());
  static constexpr std::array<std::string_view, 7> kQuant = {
      "awq", "gptq", "exl2", "bitsandbytes", "4-bit", "8-bit", "autoawq"};
  static constexpr std::array<std::string_view, 9> kTraining = {
      "trl",       "sft",     "dpo",     "orpo", "generated_from_trainer",
      "autotrain", "axolotl", "unsloth", "grpo"};
  if (lower == "gguf") out.flags |= kHasGguf;
  if (lower == "mlx") out.flags |= kHasMlx;
  for (std::string_view q : kQuant) {
    if (lower == q) out.flags |= kHasQuantMarker;
  }
  for (std::string_view t : kTraining) {
    if (lower == t) out.flags |= kHasTrainingCard;
  }
}

void ReadCard(ModelRecord& out, object card) {
  element base;
  if (card["base_model"].get(base) == SUCCESS) {
    std::string_view text;
    array list;
    if (base.get(text) == SUCCESS) {
      AddBase(out, text, "cardData.base_model");
    } else if (base.get(list) == SUCCESS) {
      size_t i = 0;
      for (element item : list) {
        if (item.get(text) == SUCCESS) {
          AddBase(out, text, "cardData.base_model");
        } else {
          out.problems.push_back(
              fmt::format("cardData.base_model[{}]: expected a string, got {}", i, TypeName(item)));
        }
        ++i;
      }
    } else if (!base.is_null()) {
      out.problems.push_back(
          fmt::format("cardData.base_model: expected a string or a list, got {}", TypeName(base)));
    }
  }
  std::string_view label;
  if (card["base_model_relation"].get(label) == SUCCESS) {
    const std::optional<Relation> r = ParseDeclaredRelation(label);
    if (r && out.declared == Relation::kNone) out.declared = *r;
  }
  element datasets;
  if (card["datasets"].get(datasets) == SUCCESS) {
    array list;
    std::string_view one;
    if ((datasets.get(list) == SUCCESS && list.size() > 0) ||
        (datasets.get(one) == SUCCESS && !one.empty())) {
      out.flags |= kHasTrainingCard;
    }
  }
}

// Sets the file evidence and the fingerprint from "siblings": [{"rfilename", "size",
// "lfs": {"sha256", "size"}}].
void ReadSiblings(ModelRecord& out, array siblings, std::vector<std::string>& keys) {
  keys.clear();
  bool all_known = true;
  for (element s : siblings) {
    object file;
    std::string_view name;
    if (s.get(file) != SUCCESS || file["rfilename"].get(name) != SUCCESS) continue;
    const std::string_view base = BaseName(name);
    char buf[16];
    const std::string_view ext = Extension(base, buf);
    if (ext == "json") {
      if (SameId(base, "adapter_config.json")) out.flags |= kHasAdapterConfig;
      if (SameId(base, "quantize_config.json")) out.flags |= kHasQuantConfig;
      continue;
    }
    if (ext == "gguf") out.flags |= kHasGguf;
    if (!IsWeightFile(base, ext)) continue;
    out.flags |= kHasWeights;
    std::string_view sha;
    element size;
    object lfs;
    if (file["lfs"].get(lfs) == SUCCESS && lfs["sha256"].get(sha) == SUCCESS && !sha.empty()) {
      keys.push_back(fmt::format("s:{}", sha));
    } else if ((file["size"].get(size) == SUCCESS ||
                (file["lfs"].get(lfs) == SUCCESS && lfs["size"].get(size) == SUCCESS)) &&
               Count(size) >= 0) {
      keys.push_back(fmt::format("n:{}:{}", name, Count(size)));
    } else {
      all_known = false;
    }
  }
  if (keys.empty() || !all_known) return;
  out.flags |= kHasFileSizes;
  std::sort(keys.begin(), keys.end());
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  for (const auto& k : keys) XXH3_64bits_update(&state, k.data(), k.size() + 1);  // with '\0'
  out.fingerprint = XXH3_64bits_digest(&state) | 1;  // never 0, which means unknown
}

}  // namespace

void ModelRecord::Clear() {
  id.clear();
  author.clear();
  created_day = kUnknownDay;
  downloads = downloads_all_time = -1;
  flags = 0;
  has_file_list = false;
  declared = Relation::kNone;
  bases.clear();
  fingerprint = 0;
  problems.clear();
  missing.clear();
}

std::string ParseModelRecord(simdjson::dom::parser& parser, std::string_view text,
                             ModelRecord& out) {
  out.Clear();
  element doc;
  const simdjson::error_code error = parser.parse(text.data(), text.size(), false).get(doc);
  if (error != SUCCESS) return fmt::format("not valid JSON ({})", simdjson::error_message(error));
  object model;
  if (doc.get(model) != SUCCESS) return fmt::format("expected an object, got {}", TypeName(doc));
  std::string_view id;
  if (model["id"].get(id) != SUCCESS && model["modelId"].get(id) != SUCCESS) {
    return "id: missing or not a string";
  }
  std::optional<std::string> normal = NormaliseModelId(id);
  if (!normal) return fmt::format("id: {} is not a model id", Quote(id));
  out.id = std::move(*normal);

  std::string_view text_value;
  if (model["author"].get(text_value) == SUCCESS && !text_value.empty()) {
    out.author = text_value;
  } else {
    out.author = ModelOrg(out.id);
  }
  if (model["createdAt"].get(text_value) == SUCCESS) {
    if (std::optional<int32_t> day = ParseIsoDay(text_value))
      out.created_day = *day;
    else
      out.problems.push_back(fmt::format("createdAt: {} is not a date", Quote(text_value)));
  } else {
    out.missing.push_back("createdAt");
  }
  element value;
  if (model["downloads"].get(value) == SUCCESS)
    out.downloads = Count(value);
  else
    out.missing.push_back("downloads");
  if (model["downloadsAllTime"].get(value) == SUCCESS) out.downloads_all_time = Count(value);

  array list;
  if (model["tags"].get(list) == SUCCESS) {
    for (element tag : list) {
      if (tag.get(text_value) == SUCCESS) ReadTag(out, text_value);
    }
  }
  if (model["library_name"].get(text_value) == SUCCESS) {
    if (SameId(text_value, "mlx")) out.flags |= kHasMlx;
    if (SameId(text_value, "gguf")) out.flags |= kHasGguf;
    if (SameId(text_value, "peft")) out.flags |= kHasAdapterConfig;
  }
  object part;
  if (model["cardData"].get(part) == SUCCESS) ReadCard(out, part);
  if (model["config"].get(part) == SUCCESS && part["quantization_config"].error() == SUCCESS) {
    out.flags |= kHasQuantConfig;
  }
  if (model["gguf"].get(part) == SUCCESS) out.flags |= kHasGguf | kHasWeights;
  if (model["safetensors"].get(part) == SUCCESS) out.flags |= kHasWeights;
  thread_local std::vector<std::string> keys;
  if (model["siblings"].get(list) == SUCCESS) {
    out.has_file_list = true;
    ReadSiblings(out, list, keys);
  } else {
    out.missing.push_back("siblings");
  }
  return "";
}

std::optional<int32_t> ParseIsoDay(std::string_view t) {
  auto digits = [&](size_t at, size_t n, int& v) {
    v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (t.size() < 10 || !digits(0, 4, y) || t[4] != '-' || !digits(5, 2, m) || t[7] != '-' ||
      !digits(8, 2, d) || (t.size() > 10 && t[10] != 'T' && t[10] != ' ')) {
    return std::nullopt;
  }
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) {
    return std::nullopt;
  }
  // Days from civil (Howard Hinnant's algorithm).
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string IsoDay(int32_t day) {
  if (day == kUnknownDay) return "";
  const int z = day + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  const int y = yoe + era * 400 + (m <= 2);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

}  // namespace kaieval::lineage
