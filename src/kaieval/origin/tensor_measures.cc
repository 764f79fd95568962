#include "kaieval/origin/tensor_measures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::origin {
namespace {

struct Sums {
  double a = 0, b = 0, aa = 0, bb = 0, ab = 0, ad = 0;
};

// Sums of x = a - shift_a, y = b - shift_b over n values, in 8 float lanes per block of 512 so
// that the compiler vectorises it, flushed to double after each block. The shift keeps the
// centred moments exact for vectors far from zero (norm weights near 1).
void Accumulate(const float* a, const float* b, size_t n, float shift_a, float shift_b, Sums& s) {
  constexpr size_t kLanes = 8, kBlock = 512;
  const float shift_diff = shift_a - shift_b;
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t m = std::min(kBlock, n - start);
    float sa[kLanes] = {}, sb[kLanes] = {}, saa[kLanes] = {}, sbb[kLanes] = {}, sab[kLanes] = {},
          sad[kLanes] = {};
    const float* pa = a + start;
    const float* pb = b + start;
    size_t i = 0;
    for (; i + kLanes <= m; i += kLanes) {
      for (size_t j = 0; j < kLanes; ++j) {
        float x = pa[i + j] - shift_a, y = pb[i + j] - shift_b;
        sa[j] += x;
        sb[j] += y;
        saa[j] += x * x;
        sbb[j] += y * y;
        sab[j] += x * y;
        sad[j] += std::fabs(x - y + shift_diff);
      }
    }
    for (; i < m; ++i) {
      float x = pa[i] - shift_a, y = pb[i] - shift_b;
      sa[0] += x;
      sb[0] += y;
      saa[0] += x * x;
      sbb[0] += y * y;
      sab[0] += x * y;
      sad[0] += std::fabs(x - y + shift_diff);
    }
    for (size_t j = 0; j < kLanes; ++j) {
      s.a += sa[j];
      s.b += sb[j];
      s.aa += saa[j];
      s.bb += sbb[j];
      s.ab += sab[j];
      s.ad += sad[j];
    }
  }
}

void AddSquares(const float* x, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] += x[i] * x[i];
}

// Pearson correlation from centred sums (the shift cancels out).
double PearsonFromSums(const Sums& s, double n) {
  double va = s.aa - s.a * s.a / n, vb = s.bb - s.b * s.b / n;
  if (va <= 0 || vb <= 0) return PairMeasures::kNaN;
  return std::clamp((s.ab - s.a * s.b / n) / std::sqrt(va * vb), -1.0, 1.0);
}

// Indices of the k largest values, largest first (ties by index, so the order is total).
std::vector<uint32_t> TopByNorm(const std::vector<double>& norms, size_t k) {
  std::vector<uint32_t> idx(norms.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto larger = [&](uint32_t x, uint32_t y) {
    return norms[x] != norms[y] ? norms[x] > norms[y] : x < y;
  };
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), larger);
  idx.resize(k);
  return idx;
}

// Pearson over the K x K block of the largest-norm rows and columns of each tensor, each in
// descending norm order. Any permutation of rows and columns leaves it unchanged.
double CanonicalPearson(const Tensor& a, const Tensor& b, const std::vector<double>& rows_a,
                        const std::vector<double>& rows_b, const std::vector<double>& cols_a,
                        const std::vector<double>& cols_b, size_t k, uint64_t* n_out) {
  const size_t kr = std::min<size_t>(k, rows_a.size()), kc = std::min<size_t>(k, cols_a.size());
  std::vector<uint32_t> ra = TopByNorm(rows_a, kr), rb = TopByNorm(rows_b, kr);
  std::vector<uint32_t> ca = TopByNorm(cols_a, kc), cb = TopByNorm(cols_b, kc);
  const uint64_t cols = a.cols();
  std::vector<float> row_a(cols), row_b(cols), ga(kc), gb(kc);
  Sums s;
  for (size_t r = 0; r < kr; ++r) {
    ReadFloats(a, ra[r] * cols, cols, row_a.data());
    ReadFloats(b, rb[r] * cols, cols, row_b.data());
    for (size_t c = 0; c < kc; ++c) {
      ga[c] = row_a[ca[c]];
      gb[c] = row_b[cb[c]];
    }
    Accumulate(ga.data(), gb.data(), kc, 0, 0, s);
  }
  *n_out = kr * kc;
  return PearsonFromSums(s, static_cast<double>(kr * kc));
}

void Release(const Tensor& t, uint64_t first_element, uint64_t count) {
  if (t.file == nullptr) return;
  BlockLayout layout = Layout(t.type);
  t.file->Release(t.data + first_element / layout.elements * layout.bytes,
                  count / layout.elements * layout.bytes);
}

}  // namespace

PairMeasures MeasurePair(const Tensor& a, const Tensor& b, const MeasureOptions& options) {
  if (!a.readable() || !b.readable() || a.shape != b.shape) {
    throw Error(ExitCode::kInternal, fmt::format("MeasurePair: {} and {} cannot be compared",
                                                 a.name, b.name));
  }
  PairMeasures m;
  m.n = a.elements;
  if (m.n == 0) return m;
  const bool matrix = a.rows() > 1;
  const uint64_t rows = a.rows(), cols = a.cols();
  // Whole rows per chunk for matrices (row and column norms); whole Q8_0 blocks for vectors.
  const uint64_t chunk_rows = matrix ? std::max<uint64_t>(1, options.chunk_elements / cols) : 1;
  const uint64_t chunk = matrix ? chunk_rows * cols
                                : std::max<uint64_t>(32, options.chunk_elements / 32 * 32);
  const bool canonical = matrix && options.canonical_block > 0;
  std::vector<float> buf_a(std::min<uint64_t>(chunk, m.n)), buf_b(buf_a.size());
  std::vector<double> rows_a, rows_b;
  std::vector<float> cols_a, cols_b;
  if (canonical) {
    rows_a.resize(rows);
    rows_b.resize(rows);
    cols_a.assign(cols, 0.0f);
    cols_b.assign(cols, 0.0f);
  }
  float shift_a = 0, shift_b = 0;
  Sums total;
  for (uint64_t start = 0; start < m.n; start += chunk) {
    const size_t count = static_cast<size_t>(std::min<uint64_t>(chunk, m.n - start));
    ReadFloats(a, start, count, buf_a.data());
    ReadFloats(b, start, count, buf_b.data());
    if (start == 0 && !matrix) {  // vectors: shift by the first chunk's means
      shift_a = static_cast<float>(std::accumulate(buf_a.begin(), buf_a.begin() + count, 0.0) / count);
      shift_b = static_cast<float>(std::accumulate(buf_b.begin(), buf_b.begin() + count, 0.0) / count);
    }
    if (canonical) {
      for (size_t r = 0; r < count / cols; ++r) {
        Sums row;
        Accumulate(buf_a.data() + r * cols, buf_b.data() + r * cols, cols, 0, 0, row);
        rows_a[start / cols + r] = row.aa;
        rows_b[start / cols + r] = row.bb;
        AddSquares(buf_a.data() + r * cols, cols, cols_a.data());
        AddSquares(buf_b.data() + r * cols, cols, cols_b.data());
        total.a += row.a, total.b += row.b, total.aa += row.aa, total.bb += row.bb;
        total.ab += row.ab, total.ad += row.ad;
      }
    } else {
      Accumulate(buf_a.data(), buf_b.data(), count, shift_a, shift_b, total);
    }
    if (options.release_pages) {
      Release(a, start, count);
      Release(b, start, count);
    }
  }
  const double n = static_cast<double>(m.n);
  m.pearson = PearsonFromSums(total, n);
  m.mad = total.ad / n;
  m.mean_a = shift_a + total.a / n;
  m.mean_b = shift_b + total.b / n;
  m.sd_a = std::sqrt(std::max(0.0, total.aa / n - (total.a / n) * (total.a / n)));
  m.sd_b = std::sqrt(std::max(0.0, total.bb / n - (total.b / n) * (total.b / n)));
  // Raw moments back from the shifted sums: sum (x + c)^2 = sum x^2 + 2 c sum x + n c^2.
  double raw_aa = total.aa + 2.0 * shift_a * total.a + n * shift_a * shift_a;
  double raw_bb = total.bb + 2.0 * shift_b * total.b + n * shift_b * shift_b;
  double raw_ab = total.ab + shift_b * total.a + shift_a * total.b + n * shift_a * shift_b;
  if (raw_aa > 0 && raw_bb > 0) m.cosine = std::clamp(raw_ab / std::sqrt(raw_aa * raw_bb), -1.0, 1.0);
  if (canonical) {
    std::vector<double> ca(cols_a.begin(), cols_a.end()), cb(cols_b.begin(), cols_b.end());
    m.canonical = CanonicalPearson(a, b, rows_a, rows_b, ca, cb, options.canonical_block,
                                   &m.canonical_n);
  }
  return m;
}

}  // namespace kaieval::origin
