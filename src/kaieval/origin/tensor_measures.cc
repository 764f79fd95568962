#include "kaieval/origin/tensor_measures.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::origin {
namespace {

struct Sums {
  double a = 0, b = 0, aa = 0, bb = 0, ab = 0, ad = 0;
};

// Eight float lanes (GCC vector extensions): one AVX register, or two SSE ones.
using V8 = float __attribute__((vector_size(32)));
using I8 = int32_t __attribute__((vector_size(32)));
using U32x8 = uint32_t __attribute__((vector_size(32)));
using U16x8 = uint16_t __attribute__((vector_size(16)));

template <bool kBF16>
inline __attribute__((always_inline)) V8 Load8(const uint8_t* p) {
  if constexpr (kBF16) {
    U16x8 h;
    std::memcpy(&h, p, sizeof h);
    return reinterpret_cast<V8>(__builtin_convertvector(h, U32x8) << 16);
  } else {
    V8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
}
template <bool kBF16>
inline __attribute__((always_inline)) float Load1(const uint8_t* p) {
  if constexpr (kBF16) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
  } else {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
}
inline __attribute__((always_inline)) double Total(V8 v) {
  double t = 0;
  for (int j = 0; j < 8; ++j) t += v[j];
  return t;
}

// Sums of x = a - shift_a, y = b - shift_b over n elements (F32 or BF16 bytes), in float lanes
// per block of 512 flushed to double; with column arrays, also adds each a^2 and b^2 to its
// column. One pass over the bytes, converted in registers. The shift keeps the centred moments
// exact for vectors far from zero (norm weights near 1).
template <bool kBF16, bool kCols>
inline __attribute__((always_inline)) void Kernel(const uint8_t* a, const uint8_t* b, size_t n,
                                                  float shift_a, float shift_b, float* col_a,
                                                  float* col_b, Sums& s) {
  constexpr size_t kBlock = 512, kWidth = kBF16 ? 2 : 4;
  const float shift_diff = shift_a - shift_b;
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t m = std::min(kBlock, n - start);
    V8 sa = {}, sb = {}, saa = {}, sbb = {}, sab = {}, sad = {};
    size_t i = start;
    for (; i + 8 <= start + m; i += 8) {
      V8 ra = Load8<kBF16>(a + kWidth * i), rb = Load8<kBF16>(b + kWidth * i);
      V8 x = ra - shift_a, y = rb - shift_b;
      V8 d = x - y + shift_diff;
      sa += x;
      sb += y;
      saa += x * x;
      sbb += y * y;
      sab += x * y;
      sad += reinterpret_cast<V8>(reinterpret_cast<I8>(d) & 0x7fffffff);
      if constexpr (kCols) {
        V8 ca, cb;
        std::memcpy(&ca, col_a + i, sizeof ca);
        std::memcpy(&cb, col_b + i, sizeof cb);
        ca += ra * ra;
        cb += rb * rb;
        std::memcpy(col_a + i, &ca, sizeof ca);
        std::memcpy(col_b + i, &cb, sizeof cb);
      }
    }
    for (; i < start + m; ++i) {
      float ra = Load1<kBF16>(a + kWidth * i), rb = Load1<kBF16>(b + kWidth * i);
      float x = ra - shift_a, y = rb - shift_b;
      sa[0] += x;
      sb[0] += y;
      saa[0] += x * x;
      sbb[0] += y * y;
      sab[0] += x * y;
      sad[0] += std::fabs(x - y + shift_diff);
      if constexpr (kCols) {
        col_a[i] += ra * ra;
        col_b[i] += rb * rb;
      }
    }
    s.a += Total(sa);
    s.b += Total(sb);
    s.aa += Total(saa);
    s.bb += Total(sbb);
    s.ab += Total(sab);
    s.ad += Total(sad);
  }
}

// The entry points, cloned for AVX2+FMA and the x86-64 baseline. Columns may be null.
__attribute__((target_clones("arch=haswell", "default")))
void AccumulateF32(const uint8_t* a, const uint8_t* b, size_t n, float shift_a, float shift_b,
                   float* col_a, float* col_b, Sums& s) {
  if (col_a != nullptr) {
    Kernel<false, true>(a, b, n, shift_a, shift_b, col_a, col_b, s);
  } else {
    Kernel<false, false>(a, b, n, shift_a, shift_b, nullptr, nullptr, s);
  }
}

__attribute__((target_clones("arch=haswell", "default")))
void AccumulateBF16(const uint8_t* a, const uint8_t* b, size_t n, float* col_a, float* col_b,
                    Sums& s) {
  if (col_a != nullptr) {
    Kernel<true, true>(a, b, n, 0, 0, col_a, col_b, s);
  } else {
    Kernel<true, false>(a, b, n, 0, 0, nullptr, nullptr, s);
  }
}

void Accumulate(const float* a, const float* b, size_t n, float shift_a, float shift_b, Sums& s) {
  AccumulateF32(reinterpret_cast<const uint8_t*>(a), reinterpret_cast<const uint8_t*>(b), n,
                shift_a, shift_b, nullptr, nullptr, s);
}

// Pearson correlation from centred sums (the shift cancels out).
double PearsonFromSums(const Sums& s, double n) {
  double va = s.aa - s.a * s.a / n, vb = s.bb - s.b * s.b / n;
  if (va <= 0 || vb <= 0) return PairMeasures::kNaN;
  return std::clamp((s.ab - s.a * s.b / n) / std::sqrt(va * vb), -1.0, 1.0);
}

// Indices of the k largest values, largest first (ties by index, so the order is total).
// NaN norms (a corrupt tensor) rank last, so that the order stays a strict weak order.
std::vector<uint32_t> TopByNorm(const std::vector<double>& norms, size_t k) {
  std::vector<uint32_t> idx(norms.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto key = [&](uint32_t i) {
    return std::isnan(norms[i]) ? -std::numeric_limits<double>::infinity() : norms[i];
  };
  auto larger = [&](uint32_t x, uint32_t y) { return key(x) != key(y) ? key(x) > key(y) : x < y; };
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
  // Matrices of the same F32 or BF16 type are read straight from the mapping; everything else
  // is converted a chunk at a time.
  const bool direct = matrix && a.type == b.type && (a.type == DType::kF32 || a.type == DType::kBF16);
  std::vector<float> buf_a(direct ? 0 : std::min<uint64_t>(chunk, m.n)), buf_b(buf_a.size());
  std::vector<double> rows_a, rows_b, cols_total_a, cols_total_b;
  std::vector<float> cols_a, cols_b;  // this chunk's column sums, flushed into the totals
  if (canonical) {
    rows_a.resize(rows);
    rows_b.resize(rows);
    cols_a.assign(cols, 0.0f);
    cols_b.assign(cols, 0.0f);
    cols_total_a.assign(cols, 0.0);
    cols_total_b.assign(cols, 0.0);
  }
  float shift_a = 0, shift_b = 0;
  Sums total;
  // Pages are released every few MB, from a little before the last release: the kernel's
  // fault-around maps up to 64 KB behind a new fault, which would otherwise stay mapped.
  const uint64_t element_bytes = std::max<uint64_t>(1, Layout(a.type).bytes / Layout(a.type).elements);
  const uint64_t release_step = (uint64_t{8} << 20) / element_bytes;
  const uint64_t release_margin = ((uint64_t{128} << 10) / element_bytes + 31) / 32 * 32;
  uint64_t released = 0;
  for (uint64_t start = 0; start < m.n; start += chunk) {
    const size_t count = static_cast<size_t>(std::min<uint64_t>(chunk, m.n - start));
    if (!direct) {
      ReadFloats(a, start, count, buf_a.data());
      ReadFloats(b, start, count, buf_b.data());
    }
    if (start == 0 && !matrix) {  // vectors: shift by the first chunk's means
      shift_a = static_cast<float>(std::accumulate(buf_a.begin(), buf_a.begin() + count, 0.0) / count);
      shift_b = static_cast<float>(std::accumulate(buf_b.begin(), buf_b.begin() + count, 0.0) / count);
    }
    if (matrix) {
      float* ca = canonical ? cols_a.data() : nullptr;
      float* cb = canonical ? cols_b.data() : nullptr;
      const uint64_t width = direct ? Layout(a.type).bytes : 4;
      for (size_t r = 0; r < count / cols; ++r) {
        const uint8_t* pa = direct ? a.data + (start + r * cols) * width
                                   : reinterpret_cast<const uint8_t*>(buf_a.data() + r * cols);
        const uint8_t* pb = direct ? b.data + (start + r * cols) * width
                                   : reinterpret_cast<const uint8_t*>(buf_b.data() + r * cols);
        Sums row;
        if (direct && a.type == DType::kBF16) {
          AccumulateBF16(pa, pb, cols, ca, cb, row);
        } else {
          AccumulateF32(pa, pb, cols, 0, 0, ca, cb, row);
        }
        if (canonical) {
          rows_a[start / cols + r] = row.aa;
          rows_b[start / cols + r] = row.bb;
        }
        total.a += row.a, total.b += row.b, total.aa += row.aa, total.bb += row.bb;
        total.ab += row.ab, total.ad += row.ad;
      }
      for (uint64_t c = 0; canonical && c < cols; ++c) {
        cols_total_a[c] += cols_a[c];
        cols_total_b[c] += cols_b[c];
        cols_a[c] = cols_b[c] = 0.0f;
      }
    } else {
      Accumulate(buf_a.data(), buf_b.data(), count, shift_a, shift_b, total);
    }
    const uint64_t done = start + count;
    if (options.release_pages && (done - released >= release_step || done == m.n)) {
      const uint64_t from = done == m.n ? 0 : released > release_margin ? released - release_margin : 0;
      Release(a, from, done - from);
      Release(b, from, done - from);
      released = done;
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
    m.canonical = CanonicalPearson(a, b, rows_a, rows_b, cols_total_a, cols_total_b, options.canonical_block,
                                   &m.canonical_n);
    if (options.release_pages) {
      Release(a, 0, m.n);
      Release(b, 0, m.n);
    }
  }
  return m;
}

}  // namespace kaieval::origin
