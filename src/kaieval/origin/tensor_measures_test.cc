#include "kaieval/origin/tensor_measures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

namespace kaieval::origin {
namespace {

// A float32 tensor over `values` (kept alive by the caller).
Tensor F32(std::vector<float>& values, std::vector<uint64_t> shape) {
  Tensor t;
  t.name = "t";
  t.type = DType::kF32;
  t.type_name = "F32";
  t.shape = std::move(shape);
  t.elements = values.size();
  t.bytes = values.size() * 4;
  t.data = reinterpret_cast<const uint8_t*>(values.data());
  return t;
}

TEST(MeasurePair, MatchesTheDefinitionsOnSmallVectors) {
  std::vector<float> a = {1, 2, 3, 4}, b = {2, 4, 6, 9};
  PairMeasures m = MeasurePair(F32(a, {4}), F32(b, {4}));
  // Centred Pearson by hand: means 2.5 and 5.25.
  double sab = 0, saa = 0, sbb = 0, dot = 0, na = 0, nb = 0;
  for (int i = 0; i < 4; ++i) {
    sab += (a[i] - 2.5) * (b[i] - 5.25);
    saa += (a[i] - 2.5) * (a[i] - 2.5);
    sbb += (b[i] - 5.25) * (b[i] - 5.25);
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  EXPECT_NEAR(m.pearson, sab / std::sqrt(saa * sbb), 1e-6);
  EXPECT_NEAR(m.cosine, dot / std::sqrt(na * nb), 1e-6);
  EXPECT_NEAR(m.mad, (1 + 2 + 3 + 5) / 4.0, 1e-6);
  EXPECT_TRUE(std::isnan(m.canonical));  // vectors have no canonical order
}

TEST(MeasurePair, NormLikeVectorsKeepTheirCentredCorrelationExact) {
  // Values near 1 with a tiny spread: raw moments would cancel; the shift keeps them exact.
  std::mt19937_64 rng(1);
  std::normal_distribution<float> n(0, 1e-3f);
  std::vector<float> a(100000), b(100000);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = 1 + n(rng);
    b[i] = 1 + 0.6f * (a[i] - 1) + 0.8f * n(rng);
  }
  PairMeasures m = MeasurePair(F32(a, {a.size()}), F32(b, {b.size()}), {.chunk_elements = 4096});
  EXPECT_NEAR(m.pearson, 0.6, 0.01);
  EXPECT_GT(m.cosine, 0.999999);
}

TEST(MeasurePair, CanonicalOrderIgnoresRowAndColumnPermutations) {
  std::mt19937_64 rng(2);
  std::normal_distribution<float> n(0, 1);
  const size_t rows = 300, cols = 200;
  std::vector<float> a(rows * cols), b(rows * cols), c(rows * cols);
  for (float& x : a) x = n(rng);
  for (float& x : c) x = n(rng);
  std::vector<size_t> pr(rows), pc(cols);
  std::iota(pr.begin(), pr.end(), 0);
  std::iota(pc.begin(), pc.end(), 0);
  std::shuffle(pr.begin(), pr.end(), rng);
  std::shuffle(pc.begin(), pc.end(), rng);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < cols; ++k) b[r * cols + k] = a[pr[r] * cols + pc[k]];
  }
  MeasureOptions o{.chunk_elements = 1000, .canonical_block = 64, .release_pages = false};
  PairMeasures permuted = MeasurePair(F32(a, {rows, cols}), F32(b, {rows, cols}), o);
  EXPECT_LT(std::fabs(permuted.pearson) * std::sqrt(rows * cols), 4);
  EXPECT_NEAR(permuted.canonical, 1.0, 1e-9);
  EXPECT_EQ(permuted.canonical_n, 64u * 64u);
  EXPECT_NEAR(permuted.mad, MeasurePair(F32(a, {rows, cols}), F32(c, {rows, cols}), o).mad, 0.05);
  PairMeasures independent = MeasurePair(F32(a, {rows, cols}), F32(c, {rows, cols}), o);
  EXPECT_LT(std::fabs(independent.canonical) * 64, 4);  // ~ N(0, 1/64)
  EXPECT_LT(std::fabs(independent.pearson) * std::sqrt(rows * cols), 4);
}

}  // namespace
}  // namespace kaieval::origin
