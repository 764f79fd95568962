// `kaieval origin ...`: originality evidence from weight files. `compare` checks a candidate
// against reference models (text table or --json, docs/origin.md), `baseline` builds the null
// distribution from independent model pairs, `inspect` lists a file's tensors and provenance,
// `make-test-models` / `make-test-gguf` write the generated models of the tests and the demo.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "kaieval/common/error.h"
#include "kaieval/origin/gguf_reader.h"
#include "kaieval/origin/origin_compare.h"
#include "kaieval/origin/origin_report.h"
#include "kaieval/origin/roles.h"
#include "kaieval/origin/test_models.h"

namespace kaieval::cli {
namespace {

using nlohmann::json;

struct CompareArgs {
  std::string candidate;
  std::vector<std::string> references;
  std::string baseline, out;
  bool json = false, progress = false;
  origin::OriginOptions options;
  uint32_t canonical_block = 256;
};

void Compare(CompareArgs& a) {
  a.options.measure.canonical_block = a.canonical_block;
  a.options.progress = a.progress;
  if (!a.baseline.empty()) a.options.baseline = origin::ReadBaseline(a.baseline);
  origin::OriginReport report = origin::CompareModels(a.candidate, a.references, a.options);
  std::string text = origin::OriginReportJson(report).dump(1, ' ', false, json::error_handler_t::replace);
  if (!a.out.empty()) {
    std::ofstream out(a.out);
    out << text << "\n";
    if (!out) throw InputError(fmt::format("{}: cannot write", a.out));
  }
  if (a.json) {
    std::printf("%s\n", text.c_str());
  } else {
    std::printf("%s", origin::OriginReportText(report).c_str());
  }
}

struct BaselineArgs {
  std::vector<std::string> models;
  std::string out;
  bool all_pairs = false;
  uint32_t canonical_block = 256;
};

void Baseline(const BaselineArgs& a) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (a.all_pairs) {
    for (size_t i = 0; i < a.models.size(); ++i) {
      for (size_t j = i + 1; j < a.models.size(); ++j) pairs.emplace_back(a.models[i], a.models[j]);
    }
  } else {
    if (a.models.size() % 2 != 0) {
      throw InputError("origin baseline: give models in pairs (A1 B1 A2 B2 ...) or use --all-pairs");
    }
    for (size_t i = 0; i < a.models.size(); i += 2) pairs.emplace_back(a.models[i], a.models[i + 1]);
  }
  if (pairs.empty()) throw InputError("origin baseline: needs at least two independent models");
  origin::MeasureOptions m;
  m.canonical_block = a.canonical_block;
  origin::NullBaseline b = origin::BuildBaseline(pairs, m);
  origin::WriteBaseline(b, a.out);
  std::printf("baseline: %zu pairs, %zu matrices -> %s\n", b.pairs.size(), b.samples.size(), a.out.c_str());
}

void Inspect(const std::string& path, bool as_json) {
  origin::Model m = origin::OpenModel(path);
  json tensors = json::array();
  for (const origin::Tensor& t : m.tensors) {
    origin::TensorRole r = origin::CanonicalRole(t.name);
    tensors.push_back({{"name", t.name}, {"type", t.type_name}, {"shape", t.shape},
                       {"component", r.component}, {"layer", r.layer}, {"role", r.role},
                       {"skipped", t.skipped.empty() ? json(nullptr) : json(t.skipped)}});
  }
  json doc = {{"path", path}, {"format", m.format}, {"files", m.files.size()},
              {"bytes", m.TotalBytes()}, {"metadata", m.metadata}, {"provenance", m.provenance},
              {"tensors", tensors}};
  if (as_json) {
    std::printf("%s\n", doc.dump(1, ' ', false, json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("%s: %s, %zu file(s), %zu tensors, %llu bytes\n", path.c_str(), m.format.c_str(),
              m.files.size(), m.tensors.size(), static_cast<unsigned long long>(m.TotalBytes()));
  for (const auto& [k, v] : m.provenance.items()) {
    std::printf("provenance: %s = %s\n", k.c_str(), v.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  }
  for (const json& t : tensors) {
    std::printf("  %-56s %-6s %-18s %s/%d/%s%s\n", t["name"].get<std::string>().c_str(),
                t["type"].get<std::string>().c_str(), t["shape"].dump().c_str(),
                t["component"].get<std::string>().c_str(), t["layer"].get<int>(),
                t["role"].get<std::string>().c_str(), t["skipped"].is_null() ? "" : "  (skipped)");
  }
}

uint32_t GgmlTypeFromName(const std::string& name) {
  if (name == "F32") return origin::kGgmlF32;
  if (name == "F16") return origin::kGgmlF16;
  if (name == "BF16") return origin::kGgmlBF16;
  if (name == "Q8_0") return origin::kGgmlQ8_0;
  throw InputError(fmt::format("origin make-test-gguf: --type {} (F32, F16, BF16 or Q8_0)", name));
}

}  // namespace

void RegisterOriginCommand(CLI::App& app) {
  CLI::App* origin = app.add_subcommand("origin", "Originality evidence from weight files");
  origin->require_subcommand(1);

  auto c = std::make_shared<CompareArgs>();
  CLI::App* compare = origin->add_subcommand("compare", "Compare a candidate's weights with reference models");
  compare->add_option("candidate", c->candidate, "Candidate: .safetensors, .gguf, a folder or an index.json")->required();
  compare->add_option("references", c->references, "Reference models")->required();
  compare->add_flag("--json", c->json, "Print the report as JSON (docs/origin.md)");
  compare->add_option("--out", c->out, "Also write the JSON report to this file");
  compare->add_option("--baseline", c->baseline, "Null distribution from `kaieval origin baseline`");
  compare->add_option("--derived-z", c->options.derived_z, "z at which a matrix is flagged")->capture_default_str();
  compare->add_option("--inconclusive-z", c->options.inconclusive_z, "A component's median z above this is not original")
      ->capture_default_str();
  compare->add_option("--derived-fraction", c->options.derived_fraction, "Share of flagged matrices for a derived component")
      ->capture_default_str();
  compare->add_option("--min-compared", c->options.min_compared_fraction, "Share of parameters a reference must cover")
      ->capture_default_str();
  compare->add_option("--canonical-block", c->canonical_block, "Rows and columns in the canonical-order block (0: off)")
      ->capture_default_str();
  compare->add_option("--threads", c->options.threads, "Tensor pairs measured in parallel")->capture_default_str();
  compare->add_flag("--progress", c->progress, "Progress bar on stderr");
  compare->callback([c] { Compare(*c); });

  auto b = std::make_shared<BaselineArgs>();
  CLI::App* baseline = origin->add_subcommand("baseline", "Null distribution from independent model pairs");
  baseline->add_option("models", b->models, "Independent models, in pairs (A1 B1 A2 B2 ...)")->required();
  baseline->add_option("--out", b->out, "The baseline file to write")->required();
  baseline->add_flag("--all-pairs", b->all_pairs, "Use every pair of the models given");
  baseline->add_option("--canonical-block", b->canonical_block, "As for compare")->capture_default_str();
  baseline->callback([b] { Baseline(*b); });

  auto inspect_path = std::make_shared<std::string>();
  auto inspect_json = std::make_shared<bool>(false);
  CLI::App* inspect = origin->add_subcommand("inspect", "List a model's tensors, roles and provenance");
  inspect->add_option("path", *inspect_path, "A model file or folder")->required();
  inspect->add_flag("--json", *inspect_json, "As JSON");
  inspect->callback([inspect_path, inspect_json] { Inspect(*inspect_path, *inspect_json); });

  struct MakeArgs {
    std::string dir, models = "ABCDE";
    uint64_t seed = 1;
    bool no_vision = false;
    origin::TestModelShape shape;
  };
  auto m = std::make_shared<MakeArgs>();
  CLI::App* make = origin->add_subcommand("make-test-models",
      "Write generated models A (random), B (A + noise), C (independent), D (C + A's vision encoder), E (A permuted)");
  make->add_option("dir", m->dir, "Output folder (one subfolder per model)")->required();
  make->add_option("--seed", m->seed, "Seed")->capture_default_str();
  make->add_option("--models", m->models, "Which of A-E to write")->capture_default_str();
  make->add_option("--hidden", m->shape.hidden, "Hidden size")->capture_default_str();
  make->add_option("--layers", m->shape.layers, "Language model layers")->capture_default_str();
  make->add_option("--intermediate", m->shape.intermediate, "MLP size")->capture_default_str();
  make->add_option("--kv-hidden", m->shape.kv_hidden, "Rows of k_proj and v_proj")->capture_default_str();
  make->add_option("--vocab", m->shape.vocab, "Vocabulary size")->capture_default_str();
  make->add_option("--vision-hidden", m->shape.vision_hidden, "Vision encoder width")->capture_default_str();
  make->add_option("--vision-layers", m->shape.vision_layers, "Vision encoder layers")->capture_default_str();
  make->add_option("--vision-intermediate", m->shape.vision_intermediate, "Vision MLP size")->capture_default_str();
  make->add_flag("--no-vision", m->no_vision, "Language model only");
  make->add_option("--dtype", m->shape.dtype, "F32, F16 or BF16")->capture_default_str();
  make->add_option("--noise", m->shape.noise, "B's noise relative to the weights' scale")->capture_default_str();
  make->callback([m] {
    m->shape.vision = !m->no_vision;
    for (const std::string& f : origin::MakeTestModels(m->dir, m->seed, m->shape, m->models)) {
      std::printf("%s\n", f.c_str());
    }
  });

  struct GgufArgs {
    std::string model, out, type = "F16", base_model;
  };
  auto g = std::make_shared<GgufArgs>();
  CLI::App* gguf = origin->add_subcommand("make-test-gguf", "Render a generated model as a GGUF file");
  gguf->add_option("model", g->model, "A folder written by make-test-models")->required();
  gguf->add_option("out", g->out, "The .gguf file to write")->required();
  gguf->add_option("--type", g->type, "Matrix type: F32, F16, BF16 or Q8_0")->capture_default_str();
  gguf->add_option("--base-model", g->base_model, "Written as general.base_model.0.name");
  gguf->callback([g] { origin::WriteTestGguf(g->model, g->out, GgmlTypeFromName(g->type), g->base_model); });
}

}  // namespace kaieval::cli
