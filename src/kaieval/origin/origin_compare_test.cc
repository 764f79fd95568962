#include "kaieval/origin/origin_compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "kaieval/common/testing.h"
#include "kaieval/origin/gguf_reader.h"
#include "kaieval/origin/origin_report.h"
#include "kaieval/origin/test_models.h"

namespace kaieval::origin {
namespace {

// The five generated models, written once for all tests of this file.
struct Models {
  kaieval::testing::ScratchDir dir{"origin_models"};
  std::map<char, std::string> path;
  Models() {
    std::vector<std::string> folders = MakeTestModels(dir.path().string(), 7);
    for (size_t i = 0; i < folders.size(); ++i) path["ABCDE"[i]] = folders[i];
  }
};
const Models& TestModels() {
  static Models models;
  return models;
}

const ComponentEvidence& Component(const ReferenceEvidence& r, const std::string& name) {
  for (const ComponentEvidence& c : r.components) {
    if (c.component == name) return c;
  }
  ADD_FAILURE() << "no component " << name;
  static ComponentEvidence none;
  return none;
}

std::map<std::string, std::string> Verdicts(const ReferenceEvidence& r) {
  std::map<std::string, std::string> v;
  for (const ComponentEvidence& c : r.components) v[c.component] = c.verdict;
  return v;
}

TEST(CompareModels, FineTuneIsDerivedInEveryComponent) {
  const Models& m = TestModels();
  OriginReport r = CompareModels(m.path.at('B'), {m.path.at('A')});
  EXPECT_EQ(r.verdict, "derived");
  EXPECT_EQ(r.null_used, "analytic");
  ASSERT_EQ(r.references.size(), 1u);
  const ReferenceEvidence& ref = r.references[0];
  EXPECT_DOUBLE_EQ(ref.compared_fraction, 1.0);
  for (const auto& [component, verdict] : Verdicts(ref)) EXPECT_EQ(verdict, "derived") << component;
  for (const TensorEvidence& t : ref.tensors) {
    if (t.vector) continue;
    EXPECT_GT(t.measures.pearson, 0.98) << t.name;  // noise is 10% of the weights' scale
    EXPECT_TRUE(t.flagged) << t.name;
  }
  ASSERT_TRUE(ref.vocabulary.has_value());
  EXPECT_TRUE(ref.vocabulary->derived);
  EXPECT_EQ(ref.vocabulary->same_id, 1200u);
}

TEST(CompareModels, IndependentModelIsOriginalThoughItsNormsLookAlike) {
  const Models& m = TestModels();
  OriginReport r = CompareModels(m.path.at('C'), {m.path.at('A')});
  EXPECT_EQ(r.verdict, "original");
  EXPECT_TRUE(r.derived.empty());
  const ReferenceEvidence& ref = r.references[0];
  EXPECT_EQ(ref.verdict, "original");
  for (const auto& [component, verdict] : Verdicts(ref)) EXPECT_EQ(verdict, "original") << component;
  // The failure mode of the public accusation: norm weights near 1 have cosine ~1 between
  // unrelated models, while their centred correlation is near 0.
  const ComponentEvidence& lm = Component(ref, "language_model");
  EXPECT_GT(lm.vector_median_cosine, 0.999);
  EXPECT_LT(std::fabs(lm.vector_median_pearson), 0.3);
  for (const TensorEvidence& t : ref.tensors) {
    EXPECT_FALSE(t.flagged) << t.name << " z " << t.z;
  }
  ASSERT_TRUE(ref.vocabulary.has_value());
  EXPECT_FALSE(ref.vocabulary->derived);
  EXPECT_EQ(ref.vocabulary->same_id, 259u);  // <unk>, <s>, </s> and the 256 byte tokens
}

TEST(CompareModels, ReusedVisionEncoderIsTheOnlyDerivedComponent) {
  const Models& m = TestModels();
  OriginReport r = CompareModels(m.path.at('D'), {m.path.at('A'), m.path.at('C')});
  EXPECT_EQ(r.verdict, "derived");
  std::map<std::string, std::string> against_a = Verdicts(r.references[0]);
  EXPECT_EQ(against_a["vision_encoder"], "derived");
  for (const char* c : {"language_model", "embeddings", "lm_head", "projector"}) {
    EXPECT_EQ(against_a[c], "original") << c;
  }
  // Against C, whose language model D carries, everything but the vision encoder is derived.
  std::map<std::string, std::string> against_c = Verdicts(r.references[1]);
  EXPECT_EQ(against_c["vision_encoder"], "original");
  EXPECT_EQ(against_c["language_model"], "derived");
  std::vector<std::string> from_a;
  for (const DerivedFinding& d : r.derived) {
    if (d.reference == m.path.at('A')) from_a.push_back(d.component);
  }
  EXPECT_EQ(from_a, std::vector<std::string>{"vision_encoder"});
}

TEST(CompareModels, PermutedHiddenUnitsHidFromPearsonButNotFromTheCanonicalOrder) {
  const Models& m = TestModels();
  OriginReport r = CompareModels(m.path.at('E'), {m.path.at('A')});
  EXPECT_EQ(r.verdict, "derived");
  const ReferenceEvidence& ref = r.references[0];
  EXPECT_EQ(Component(ref, "language_model").verdict, "derived");
  EXPECT_EQ(Component(ref, "vision_encoder").verdict, "derived");
  size_t hidden_from_pearson = 0;
  for (const TensorEvidence& t : ref.tensors) {
    if (t.vector) continue;
    EXPECT_GT(t.measures.canonical, 0.999) << t.name;
    if (t.role.role == "mlp_gate" || t.role.role == "attn_q") {  // input columns permuted
      EXPECT_LT(std::fabs(t.pearson_score.z), 6) << t.name;
      ++hidden_from_pearson;
    }
  }
  EXPECT_EQ(hidden_from_pearson, 6u);  // two layers of the language model, two of the vision encoder
}

TEST(CompareModels, CopiedNormWeightsAloneAreNeverEvidence) {
  // A model with C's matrices and A's exact norm and bias vectors.
  const Models& m = TestModels();
  Model a = OpenModel(m.path.at('A')), c = OpenModel(m.path.at('C'));
  std::map<std::string, const Tensor*> from_a;
  for (const Tensor& t : a.tensors) from_a[t.name] = &t;
  for (Tensor& t : c.tensors) {
    if (t.rows() < 2) t = *from_a[t.name];
  }
  ReferenceEvidence r = CompareWithReference(c, a, {});
  EXPECT_EQ(r.verdict, "original");
  for (const ComponentEvidence& comp : r.components) {
    EXPECT_EQ(comp.verdict, "original") << comp.component;
    if (comp.vectors > 0) EXPECT_NEAR(comp.vector_median_pearson, 1.0, 1e-9) << comp.component;
  }
}

TEST(CompareModels, GgufRenderingMatchesItsSourceAcrossNamingSchemes) {
  const Models& m = TestModels();
  kaieval::testing::ScratchDir dir("origin_gguf");
  std::string gguf = dir.File("a-q8_0.gguf");
  WriteTestGguf(m.path.at('A'), gguf, kGgmlQ8_0, "kaieval-test-A");
  OriginReport r = CompareModels(gguf, {m.path.at('A'), m.path.at('C')});
  EXPECT_EQ(r.verdict, "derived");
  EXPECT_EQ(r.candidate_provenance["general.base_model.0.name"], "kaieval-test-A");
  const ReferenceEvidence& ref = r.references[0];
  EXPECT_EQ(Component(ref, "language_model").verdict, "derived");
  EXPECT_EQ(Component(ref, "vision_encoder").verdict, "derived");
  EXPECT_EQ(Component(ref, "embeddings").verdict, "derived");
  EXPECT_GT(ref.compared_fraction, 0.9);  // all but the projector
  // attn_q and attn_k rows are in llama.cpp's RoPE order: Pearson sees only the rows that stay
  // in place (1 in 8); the canonical order sees the whole tensor, less the rows and columns
  // whose norms are so close that Q8_0 rounding swaps them (0.77-0.89 here, z ~ 50).
  size_t reordered = 0;
  for (const TensorEvidence& t : ref.tensors) {
    if (t.role.component == "language_model" && (t.role.role == "attn_q" || t.role.role == "attn_k")) {
      EXPECT_LT(t.measures.pearson, 0.3) << t.name;
      EXPECT_GT(t.measures.canonical, 0.7) << t.name;
      EXPECT_GT(t.canonical_score.z, 40) << t.name;
      EXPECT_TRUE(t.flagged) << t.name;
      ++reordered;
    } else if (!t.vector) {
      EXPECT_GT(t.measures.pearson, 0.99) << t.name;  // Q8_0 rounding only
    }
  }
  EXPECT_EQ(reordered, 4u);
  EXPECT_TRUE(ref.vocabulary->derived);
  EXPECT_EQ(r.references[1].verdict, "original");
}

TEST(CompareModels, BaselineFromIndependentPairsGivesEmpiricalPValues) {
  const Models& m = TestModels();
  kaieval::testing::ScratchDir dir("origin_null");
  TestModelShape shape;
  std::vector<std::string> x = MakeTestModels(dir.File("x"), 101, shape, "AC");
  std::vector<std::string> y = MakeTestModels(dir.File("y"), 102, shape, "AC");
  NullBaseline baseline = BuildBaseline({{x[0], x[1]}, {y[0], y[1]}, {x[0], y[1]}});
  EXPECT_EQ(baseline.pairs.size(), 3u);
  OriginOptions options;
  options.baseline = baseline;
  OriginReport derived = CompareModels(m.path.at('B'), {m.path.at('A')}, options);
  EXPECT_EQ(derived.null_used, "baseline");
  EXPECT_EQ(derived.verdict, "derived");
  // Each matrix role has 6 baseline values (2 layers x 3 pairs); a derived matrix beats all.
  std::map<std::string, int> per_class;
  for (const NullSample& s : baseline.samples) ++per_class[s.role_class];
  EXPECT_EQ(per_class["language_model/attn_q"], 6);
  for (const TensorEvidence& t : derived.references[0].tensors) {
    if (t.vector) continue;
    int n = per_class[t.role.component + "/" + t.role.role];
    if (n < 5) n = static_cast<int>(baseline.samples.size());  // pooled
    EXPECT_DOUBLE_EQ(t.pearson_score.p, 1.0 / (n + 1)) << t.name;
    EXPECT_GT(t.pearson_score.z, 6) << t.name;
  }
  OriginReport original = CompareModels(m.path.at('C'), {m.path.at('A')}, options);
  EXPECT_EQ(original.verdict, "original");
}

TEST(CompareModels, DifferentShapesAreNotComparableAndSoInconclusive) {
  const Models& m = TestModels();
  kaieval::testing::ScratchDir dir("origin_shape");
  TestModelShape wide;
  wide.hidden = 96;
  wide.kv_hidden = 48;
  wide.vision = false;
  std::vector<std::string> w = MakeTestModels(dir.path().string(), 3, wide, "A");
  OriginReport r = CompareModels(w[0], {m.path.at('A')});
  EXPECT_EQ(r.references[0].verdict, "not_comparable");
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_LT(r.references[0].compared_fraction, 0.1);
}

TEST(OriginReportJson, CarriesVerdictComponentsTensorsVectorsAndHeatmap) {
  const Models& m = TestModels();
  nlohmann::json j = OriginReportJson(CompareModels(m.path.at('D'), {m.path.at('A')}));
  EXPECT_EQ(j["kind"], "kaieval-origin-report");
  EXPECT_EQ(j["verdict"], "derived");
  EXPECT_EQ(j["null"]["used"], "analytic");
  ASSERT_EQ(j["derived"].size(), 1u);
  EXPECT_EQ(j["derived"][0]["component"], "vision_encoder");
  const nlohmann::json& ref = j["references"][0];
  for (const nlohmann::json& t : ref["tensors"]) {
    EXPECT_GE(t["shape"].size(), 2u);
    for (const char* f : {"layer", "role", "pearson", "cosine", "mad", "canonical", "z"}) {
      EXPECT_TRUE(t.contains(f)) << f;
    }
  }
  for (const nlohmann::json& v : ref["vectors"]) EXPECT_EQ(v["shape"].size(), 1u);
  bool vision_map = false;
  for (const nlohmann::json& h : ref["heatmap"]) {
    EXPECT_EQ(h["z"].size(), h["layers"].size());
    if (h["component"] == "vision_encoder") {
      vision_map = true;
      EXPECT_EQ(h["layers"], nlohmann::json({-1, 0, 1}));
    }
  }
  EXPECT_TRUE(vision_map);
  std::string text = OriginReportText(CompareModels(m.path.at('D'), {m.path.at('A')}));
  EXPECT_NE(text.find("derived: vision_encoder from"), std::string::npos) << text;
}

}  // namespace
}  // namespace kaieval::origin
