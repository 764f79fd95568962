// Similarity of two same-shaped tensors, streamed in chunks of rows: centred Pearson
// correlation, cosine similarity, mean absolute difference, and the permutation-robust
// "canonical-order Pearson" (docs/origin.md). Called by the comparison once per tensor pair.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "kaieval/origin/tensor.h"

namespace kaieval::origin {

struct MeasureOptions {
  size_t chunk_elements = size_t{1} << 16;  // floats converted at a time, per tensor
  // The canonical-order block: the K rows and K columns with the largest norms, each sorted by
  // norm, in both tensors. 0 turns the measure off.
  uint32_t canonical_block = 256;
  bool release_pages = true;  // drop mapped pages once read (flat memory on huge files)
};

struct PairMeasures {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  uint64_t n = 0;
  double pearson = kNaN;  // NaN when either tensor is constant
  double cosine = kNaN;   // NaN when either tensor is all zeros
  double mad = kNaN;      // mean |a - b|
  double mean_a = kNaN, mean_b = kNaN, sd_a = kNaN, sd_b = kNaN;
  // Canonical-order Pearson over canonical_n = K_rows x K_cols values; NaN for vectors.
  double canonical = kNaN;
  uint64_t canonical_n = 0;
};

// `a` and `b` must be readable and have the same shape (an internal error otherwise).
PairMeasures MeasurePair(const Tensor& a, const Tensor& b, const MeasureOptions& options = {});

}  // namespace kaieval::origin
