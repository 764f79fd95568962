#include "kaieval/lineage/snapshot_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "kaieval/common/error.h"
#include "kaieval/lineage/model_id.h"
#include "kaieval/lineage/model_record.h"

namespace kaieval::lineage {
namespace {

enum class Kind : uint8_t { kRoot, kGguf, kMlx, kAwq, kAdapter, kMerge, kFinetune, kPlainCopy };

struct GenNode {
  uint32_t root;
  uint8_t depth;
  Kind kind;
  int32_t created;
  uint64_t files;  // seed of the file list: equal seeds and kinds give identical files
};

std::string Hex(uint64_t a, uint64_t b) {
  return fmt::format("{:016x}{:016x}{:016x}{:016x}", a, b, a ^ b, a + b);
}

// The "siblings" array of a repo of `kind` whose files come from `seed`.
void Siblings(fmt::memory_buffer& out, Kind kind, uint64_t seed, bool empty) {
  const uint64_t size = 1'000'000'000 + seed % 9'000'000'000;
  fmt::format_to(std::back_inserter(out),
                 R"([{{"rfilename":".gitattributes","size":1519}},)"
                 R"({{"rfilename":"README.md","size":{}}})",
                 800 + seed % 4000);
  if (empty) {
    fmt::format_to(std::back_inserter(out), R"(,{{"rfilename":"config.json","size":700}}])");
    return;
  }
  switch (kind) {
    case Kind::kGguf:
      fmt::format_to(std::back_inserter(out),
                     R"(,{{"rfilename":"model-Q{}_K_M.gguf","size":{},"lfs":{{"sha256":"{}"}}}}])",
                     2 + seed % 7, size / 3, Hex(seed, size));
      return;
    case Kind::kAdapter:
      fmt::format_to(std::back_inserter(out),
                     R"(,{{"rfilename":"adapter_config.json","size":650}},)"
                     R"({{"rfilename":"adapter_model.safetensors","size":{}}}])",
                     size / 50);
      return;
    case Kind::kAwq:
      fmt::format_to(std::back_inserter(out),
                     R"(,{{"rfilename":"config.json","size":1100}},)"
                     R"({{"rfilename":"quantize_config.json","size":170}},)"
                     R"({{"rfilename":"model.safetensors","size":{}}}])",
                     size / 4);
      return;
    default:
      fmt::format_to(std::back_inserter(out),
                     R"(,{{"rfilename":"config.json","size":800}},)"
                     R"({{"rfilename":"model-00001-of-00002.safetensors","size":{}}},)"
                     R"({{"rfilename":"model-00002-of-00002.safetensors","size":{}}}])",
                     size, size / 2 + seed % 1000);
  }
}

class Generator {
 public:
  Generator(const GeneratorOptions& options, std::ostream& out)
      : options_(options), out_(out), rng_(options.seed) {}

  GeneratorSummary Run() {
    for (size_t r = 0; r < options_.root_count; ++r) {
      std::string id =
          r < options_.roots.size() ? options_.roots[r] : fmt::format("org-{}/model-{}", r, r);
      std::optional<std::string> normal = NormaliseModelId(id);
      if (!normal || ModelOrg(*normal).empty()) {
        throw InputError(fmt::format("--root: '{}' is not ORG/NAME", id));
      }
      ids_.push_back(*normal);
      nodes_.push_back(
          {static_cast<uint32_t>(r), 0, Kind::kRoot, kFirstDay + int32_t(r % 30) * 3, rng_()});
      // Popular roots get more of the direct attention: a Zipf-like share.
      for (size_t t = 0; t < 40 / (r + 1) + 1; ++t)
        root_tickets_.push_back(static_cast<uint32_t>(r));
      Write(static_cast<uint32_t>(r), {}, false, false, 5000000 / (r + 1));
    }
    for (size_t i = options_.root_count; i < options_.models; ++i) Derivative(i);
    summary_.models = nodes_.size();
    return summary_;
  }

 private:
  static constexpr int32_t kFirstDay = 20301;  // 2025-08-01
  static constexpr int32_t kLastDay = 20473;   // 2026-01-20

  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  uint32_t PickParent() {
    uint32_t parent = Uniform() < 0.5 || tickets_.empty()
                          ? root_tickets_[Below(root_tickets_.size())]
                          : tickets_[Below(tickets_.size())];
    if (nodes_[parent].depth >= options_.max_depth) parent = nodes_[parent].root;
    return parent;
  }

  void Derivative(size_t i) {
    uint32_t parent = PickParent();
    const GenNode& p = nodes_[parent];
    GenNode n{p.root, static_cast<uint8_t>(p.depth + 1), Kind::kFinetune, 0, rng_()};
    std::string uploader =
        fmt::format("user{}", static_cast<size_t>(std::pow(Uniform(), 2.5) *
                                                  static_cast<double>(options_.models / 4 + 10)));
    bool farm = false, duplicate = false, mislabel = false;
    const double kind = Uniform(), q = options_.quantized_share;
    if (kind < q) {
      const double k = Uniform();
      n.kind = k < 0.5 ? Kind::kGguf : k < 0.8 ? Kind::kMlx : Kind::kAwq;
      mislabel = Uniform() < 0.3;
      ++summary_.quantized;
    } else if (kind < q + 0.15) {
      n.kind = Kind::kAdapter;
    } else if (kind < q + 0.2) {
      n.kind = Kind::kMerge;
    } else if (kind < q + 0.23) {
      n.kind = Kind::kPlainCopy;  // weights, no training card
    }
    const double role = Uniform();
    if (role < 0.03) {
      uploader = std::string(ModelOrg(ids_[n.root]));
      ++summary_.affiliated;
    } else if (role < 0.12 && n.kind != Kind::kMerge) {
      // Farms: a few accounts mass-produce GGUF copies of one root, each a different file.
      // They work for the less popular roots, where a farm moves the count most.
      n.root = static_cast<uint32_t>(options_.root_count - 1 -
                                     Below(std::min<size_t>(options_.root_count, 2)));
      parent = n.root;
      n.depth = 1;
      n.kind = Kind::kGguf;
      uploader = fmt::format("quantfarm-{}", n.root);
      farm = true;
      ++summary_.farm_uploads;
    } else if (role < 0.16 && parent >= options_.root_count &&
               nodes_[parent].kind != Kind::kMerge) {
      n.kind = nodes_[parent].kind;  // a re-upload of the parent's files
      n.files = nodes_[parent].files;
      duplicate = true;
      ++summary_.duplicates;
    }
    const bool no_weights = !farm && !duplicate && Uniform() < 0.03;
    const bool unused = !no_weights && Uniform() < 0.03;
    summary_.no_weights += no_weights;
    summary_.unused_old += unused;
    summary_.mislabelled += mislabel;
    const int32_t start = std::min(std::max(nodes_[parent].created + 1, kFirstDay), kLastDay);
    n.created =
        unused ? start : std::min<int32_t>(kLastDay, start + static_cast<int32_t>(Below(120)));
    nodes_.push_back(n);
    ids_.push_back(fmt::format("{}/{}-{}-{}", uploader,
                               ids_[n.root].substr(ids_[n.root].find('/') + 1), KindName(n.kind),
                               i));
    const uint32_t self = static_cast<uint32_t>(nodes_.size() - 1);
    std::vector<uint32_t> bases{parent};
    if (n.kind == Kind::kMerge) {
      const uint32_t other = PickParent();
      if (other != parent && nodes_[other].depth < options_.max_depth) {
        bases.push_back(other);  // the merge sits below the deeper of its bases
        nodes_.back().depth = n.depth =
            std::max(n.depth, static_cast<uint8_t>(nodes_[other].depth + 1));
      }
    }
    summary_.max_depth = std::max<int>(summary_.max_depth, n.depth);
    const int64_t downloads =
        unused ? 0
        : Uniform() < 0.1
            ? 0
            : static_cast<int64_t>(std::exp(std::normal_distribution<double>(3, 2)(rng_)));
    Write(self, bases, no_weights, mislabel, downloads);
    tickets_.push_back(parent);
    tickets_.push_back(self);
  }

  static std::string_view KindName(Kind k) {
    switch (k) {
      case Kind::kGguf:
        return "GGUF";
      case Kind::kMlx:
        return "mlx-4bit";
      case Kind::kAwq:
        return "AWQ";
      case Kind::kAdapter:
        return "lora";
      case Kind::kMerge:
        return "merge";
      case Kind::kPlainCopy:
        return "copy";
      default:
        return "sft";
    }
  }

  void Write(uint32_t self, const std::vector<uint32_t>& bases, bool empty, bool mislabel,
             int64_t downloads) {
    const GenNode& n = nodes_[self];
    const std::string& id = ids_[self];
    buf_.clear();
    auto o = std::back_inserter(buf_);
    fmt::format_to(o, R"({{"id":"{}","author":"{}","createdAt":"{}T09:00:00.000Z",)", id,
                   ModelOrg(id), IsoDay(n.created));
    fmt::format_to(o, R"("downloads":{},"downloadsAllTime":{},"likes":{},)", downloads,
                   downloads * 3, downloads / 50);
    std::string_view relation =
        n.kind == Kind::kGguf || n.kind == Kind::kMlx || n.kind == Kind::kAwq ? "quantized"
        : n.kind == Kind::kAdapter                                            ? "adapter"
        : n.kind == Kind::kMerge                                              ? "merge"
                                                                              : "finetune";
    if (mislabel) relation = "finetune";
    std::string_view library = n.kind == Kind::kGguf      ? "gguf"
                               : n.kind == Kind::kMlx     ? "mlx"
                               : n.kind == Kind::kAdapter ? "peft"
                                                          : "transformers";
    fmt::format_to(o, R"("library_name":"{}","tags":["{}")", library, library);
    if (n.kind == Kind::kAwq) fmt::format_to(o, R"(,"awq","4-bit")");
    if (n.kind == Kind::kFinetune && self % 5 != 0) fmt::format_to(o, R"(,"trl","sft")");
    for (uint32_t b : bases) fmt::format_to(o, R"(,"base_model:{}:{}")", relation, ids_[b]);
    fmt::format_to(o, "],");
    if (n.kind != Kind::kRoot) {
      fmt::format_to(o, R"("cardData":{{"base_model":)");
      if (bases.size() == 1) {
        fmt::format_to(o, R"("{}")", ids_[bases[0]]);
      } else {
        fmt::format_to(o, R"(["{}","{}"])", ids_[bases[0]], ids_[bases[1]]);
      }
      if (n.kind == Kind::kFinetune && self % 5 < 3)
        fmt::format_to(o, R"(,"datasets":["ko-instruct"])");
      fmt::format_to(o, "}},");
    }
    fmt::format_to(o, R"("siblings":)");
    Siblings(buf_, n.kind, n.files, empty);
    fmt::format_to(o, "}}\n");
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  }

  const GeneratorOptions& options_;
  std::ostream& out_;
  std::mt19937_64 rng_;
  std::vector<GenNode> nodes_;
  std::vector<std::string> ids_;
  std::vector<uint32_t> tickets_, root_tickets_;
  fmt::memory_buffer buf_;
  GeneratorSummary summary_;
};

}  // namespace

GeneratorSummary GenerateSnapshot(const GeneratorOptions& options, std::ostream& out) {
  if (options.root_count == 0 || options.root_count > options.models) {
    throw InputError(fmt::format("--roots: {}; expected between 1 and --models ({})",
                                 options.root_count, options.models));
  }
  if (options.max_depth < 1 || options.max_depth > 50)
    throw InputError("--depth: expected 1 to 50");
  if (!(options.quantized_share >= 0 && options.quantized_share <= 0.7)) {
    throw InputError("quantized share: expected 0 to 0.7");
  }
  return Generator(options, out).Run();
}

}  // namespace kaieval::lineage
