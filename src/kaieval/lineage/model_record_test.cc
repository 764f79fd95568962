// Relation inference on constructed repos (one test per rule), declared labels, bad values,
// fingerprints and ids.
#include "kaieval/lineage/model_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kaieval/lineage/model_id.h"

namespace kaieval::lineage {
namespace {

using nlohmann::json;

json Repo(const std::string& id, std::vector<std::pair<std::string, int64_t>> files,
          json extra = json::object()) {
  json siblings = json::array();
  for (const auto& [name, size] : files) siblings.push_back({{"rfilename", name}, {"size", size}});
  json m = {{"id", id}, {"siblings", siblings}, {"cardData", {{"base_model", "acme/base-7b"}}}};
  m.update(extra);
  return m;
}

struct Parsed {
  std::string error;
  ModelRecord record;
};

Parsed ParseText(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  Parsed p;
  p.error = ParseModelRecord(parser, std::string_view(padded.data(), padded.size()), p.record);
  return p;
}
Parsed Parse(const json& j) { return ParseText(j.dump()); }

Relation Infer(const json& j) {
  const Parsed p = Parse(j);
  EXPECT_EQ(p.error, "");
  return InferRelation(p.record.flags, p.record.bases.size());
}

TEST(InferRelation, GgufFileIsQuantized) {
  EXPECT_EQ(Infer(Repo("u/m-GGUF", {{"m-Q4_K_M.gguf", 4000}})), Relation::kQuantized);
}

TEST(InferRelation, GgufFieldIsQuantized) {
  EXPECT_EQ(Infer(Repo("u/m", {{"README.md", 1}}, {{"gguf", {{"total", 7}}}})),
            Relation::kQuantized);
}

TEST(InferRelation, MlxLayoutIsQuantizedEvenWhenLabelledFinetune) {
  const json repo =
      Repo("mlx-community/m-4bit", {{"model.safetensors", 900}, {"config.json", 2}},
           {{"library_name", "mlx"}, {"tags", {"mlx", "base_model:finetune:acme/base-7b"}}});
  const Parsed p = Parse(repo);
  EXPECT_EQ(p.record.declared, Relation::kFinetune);
  EXPECT_EQ(InferRelation(p.record.flags, 1), Relation::kQuantized);
}

TEST(InferRelation, QuantizationConfigIsQuantized) {
  EXPECT_EQ(Infer(Repo("u/m-bnb", {{"model.safetensors", 900}},
                       {{"config", {{"quantization_config", {{"load_in_4bit", true}}}}}})),
            Relation::kQuantized);
  EXPECT_EQ(Infer(Repo("u/m-gptq", {{"model.safetensors", 900}, {"quantize_config.json", 1}})),
            Relation::kQuantized);
}

TEST(InferRelation, AwqGptqExl2MarkersAreQuantized) {
  for (const char* tag : {"awq", "gptq", "exl2", "4-bit"}) {
    EXPECT_EQ(Infer(Repo("u/m", {{"model.safetensors", 900}}, {{"tags", {tag}}})),
              Relation::kQuantized)
        << tag;
  }
}

TEST(InferRelation, AdapterConfigIsAdapter) {
  EXPECT_EQ(Infer(Repo("u/lora", {{"adapter_config.json", 5}, {"adapter_model.safetensors", 80}})),
            Relation::kAdapter);
}

TEST(InferRelation, SeveralBasesAreAMerge) {
  json repo = Repo("u/merge", {{"model.safetensors", 900}});
  repo["cardData"]["base_model"] = {"acme/base-7b", "other/base-7b"};
  const Parsed p = Parse(repo);
  EXPECT_EQ(p.record.bases.size(), 2u);
  EXPECT_EQ(InferRelation(p.record.flags, 2), Relation::kMerge);
  // One base named twice (card and tag, different case) is one base, not a merge.
  json same = Repo("u/not-merge", {{"model.safetensors", 900}},
                   {{"tags", {"base_model:ACME/Base-7B", "trl"}}});
  EXPECT_EQ(Infer(same), Relation::kFinetune);
}

TEST(InferRelation, WeightsWithTrainingCardAreFinetune) {
  EXPECT_EQ(Infer(Repo("u/sft", {{"model.safetensors", 900}}, {{"tags", {"trl", "sft"}}})),
            Relation::kFinetune);
  json card = Repo("u/sft2", {{"model.safetensors", 900}});
  card["cardData"]["datasets"] = {"ko-instruct"};
  EXPECT_EQ(Infer(card), Relation::kFinetune);
}

TEST(InferRelation, WeightsWithoutEvidenceAreUnclassified) {
  EXPECT_EQ(Infer(Repo("u/copy", {{"model.safetensors", 900}})), Relation::kUnclassified);
  // training_args.bin is not a weight file, and no weights means no finetune.
  EXPECT_EQ(Infer(Repo("u/empty", {{"training_args.bin", 9}}, {{"tags", {"trl"}}})),
            Relation::kUnclassified);
}

TEST(ModelRecord, DeclaredRelationFromTagThenCard) {
  json repo =
      Repo("u/m", {{"model.safetensors", 900}}, {{"tags", {"base_model:adapter:acme/base-7b"}}});
  repo["cardData"]["base_model_relation"] = "quantized";
  EXPECT_EQ(Parse(repo).record.declared, Relation::kAdapter);
  repo["tags"] = json::array();
  EXPECT_EQ(Parse(repo).record.declared, Relation::kQuantized);
  repo["cardData"].erase("base_model_relation");
  EXPECT_EQ(Parse(repo).record.declared, Relation::kNone);
}

TEST(ModelRecord, BaseModelsNormalised) {
  json repo = Repo("u/m", {});
  repo["cardData"]["base_model"] = "https://huggingface.co/Acme/Base-7B/";
  const Parsed p = Parse(repo);
  ASSERT_EQ(p.record.bases.size(), 1u);
  EXPECT_EQ(p.record.bases[0], "Acme/Base-7B");
}

TEST(ModelRecord, NonStringBaseModelReportedAndSkipped) {
  json repo = Repo("u/m", {});
  repo["cardData"]["base_model"] = json::array({"acme/base-7b", 42, "bad id!"});
  const Parsed p = Parse(repo);
  EXPECT_EQ(p.error, "");
  ASSERT_EQ(p.record.bases.size(), 1u);
  ASSERT_EQ(p.record.problems.size(), 2u);
  EXPECT_EQ(p.record.problems[0], "cardData.base_model[1]: expected a string, got a number");
  EXPECT_EQ(p.record.problems[1], "cardData.base_model: 'bad id!' is not a model id");
  repo["cardData"]["base_model"] = json{{"a", 1}};
  EXPECT_EQ(Parse(repo).record.problems.at(0),
            "cardData.base_model: expected a string or a list, got an object");
}

TEST(ModelRecord, UnusableLines) {
  EXPECT_EQ(ParseText("{\"id\": ").error.substr(0, 16), "not valid JSON (");
  EXPECT_EQ(ParseText("[1,2]").error, "expected an object, got an array");
  EXPECT_EQ(ParseText("{\"author\":\"x\"}").error, "id: missing or not a string");
  EXPECT_EQ(ParseText("{\"id\":\"a b/c\"}").error, "id: 'a b/c' is not a model id");
  EXPECT_EQ(ParseText("{\"id\":\"a/b/c\"}").error, "id: 'a/b/c' is not a model id");
}

TEST(ModelRecord, MissingOptionalFieldsAreNoted) {
  const Parsed p = Parse(json{{"id", "u/m"}});
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.record.author, "u");
  EXPECT_EQ(p.record.downloads, -1);
  EXPECT_FALSE(p.record.has_file_list);
  EXPECT_EQ(p.record.missing, (std::vector<std::string>{"createdAt", "downloads", "siblings"}));
}

TEST(ModelRecord, FingerprintIgnoresOrderAndNonWeightFiles) {
  const auto a =
      Parse(Repo("u/a", {{"a.safetensors", 10}, {"b.safetensors", 20}, {"README.md", 1}}));
  const auto b =
      Parse(Repo("v/b", {{"b.safetensors", 20}, {"a.safetensors", 10}, {"README.md", 7}}));
  const auto c = Parse(Repo("w/c", {{"b.safetensors", 21}, {"a.safetensors", 10}}));
  EXPECT_NE(a.record.fingerprint, 0u);
  EXPECT_EQ(a.record.fingerprint, b.record.fingerprint);
  EXPECT_NE(a.record.fingerprint, c.record.fingerprint);
  // A weight file without a size: no fingerprint, so never a duplicate.
  const auto d = Parse(json{{"id", "u/d"}, {"siblings", {{{"rfilename", "m.safetensors"}}}}});
  EXPECT_EQ(d.record.fingerprint, 0u);
}

TEST(ModelRecord, LfsShaMakesRenamedCopiesEqual) {
  auto repo = [](const std::string& id, const std::string& name) {
    return json{{"id", id},
                {"siblings", {{{"rfilename", name}, {"lfs", {{"sha256", "ab12"}, {"size", 5}}}}}}};
  };
  EXPECT_EQ(Parse(repo("u/a", "x.gguf")).record.fingerprint,
            Parse(repo("v/b", "renamed.gguf")).record.fingerprint);
}

TEST(ModelRecord, Dates) {
  EXPECT_EQ(ParseIsoDay("1970-01-01"), 0);
  EXPECT_EQ(ParseIsoDay("2025-08-01T09:00:00.000Z"), 20301);
  EXPECT_EQ(IsoDay(20301), "2025-08-01");
  EXPECT_EQ(ParseIsoDay("2024-02-29"), 19782);
  EXPECT_FALSE(ParseIsoDay("2025-02-29"));
  EXPECT_FALSE(ParseIsoDay("2025-13-01"));
  EXPECT_FALSE(ParseIsoDay("2025-1-01"));
  EXPECT_FALSE(ParseIsoDay("2025-01-01x"));
}

TEST(ModelId, Normalisation) {
  EXPECT_EQ(NormaliseModelId(" https://huggingface.co/Org/Name// "), "Org/Name");
  EXPECT_EQ(NormaliseModelId("hf.co/org/name"), "org/name");
  EXPECT_EQ(NormaliseModelId("gpt2"), "gpt2");
  EXPECT_FALSE(NormaliseModelId(""));
  EXPECT_EQ(NormaliseModelId("org/"), "org");
  EXPECT_FALSE(NormaliseModelId("/name"));
  EXPECT_FALSE(NormaliseModelId("org/na me"));
  EXPECT_FALSE(NormaliseModelId("org/../x"));
  EXPECT_FALSE(NormaliseModelId("org/-x"));
  EXPECT_FALSE(NormaliseModelId("org/\xed\x95\x9c"));
  EXPECT_TRUE(SameId("Org/Name", "org/NAME"));
  EXPECT_EQ(ModelOrg("org/name"), "org");
  EXPECT_EQ(ModelOrg("gpt2"), "");
}

}  // namespace
}  // namespace kaieval::lineage
