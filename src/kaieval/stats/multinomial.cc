#include "kaieval/stats/multinomial.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "kaieval/common/error.h"

namespace kaieval::stats {
namespace {

// log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(sqrt(2 pi))]: the tail of Stirling's series,
// exact below 10 and from the series' next three terms above.
double StirlingTail(double k) {
  if (k < 10) {
    return std::lgamma(k + 1) - (k + 0.5) * std::log(k + 1) + (k + 1) -
           0.5 * std::log(2 * std::numbers::pi);
  }
  const double k1 = k + 1, k1sq = k1 * k1;
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k1sq) / k1sq) / k1;
}

// Binomial(n, p) for p <= 0.5 and n * p < 10: walks the cumulative distribution from 0.
uint64_t Inversion(std::mt19937_64& rng, uint64_t n, double p) {
  const double q = 1 - p;
  const double s = p / q;
  const double a = (static_cast<double>(n) + 1) * s;
  const double p0 = std::exp(static_cast<double>(n) * std::log1p(-p));  // q^n
  while (true) {
    double u = UniformDouble(rng);
    double pk = p0;
    uint64_t k = 0;
    // Rounding can leave u above the whole (numerically summed) distribution; then pk decays
    // to 0 or k passes n, and the draw starts over. The mass past k = 110 + n p is below 1e-60.
    while (u > pk && k <= n && pk > 0) {
      u -= pk;
      ++k;
      pk *= a / static_cast<double>(k) - s;
    }
    if (u <= pk && k <= n) return k;
  }
}

// Binomial(n, p) for p <= 0.5 and n * p >= 10: Hörmann (1993), "The generation of binomial
// random variates", algorithm BTRS. A draw is accepted by the squeeze, or by comparing
// log(v) with log(f(k) / f(mode)) written through Stirling's series.
uint64_t TransformedRejection(std::mt19937_64& rng, uint64_t n, double p) {
  const double nd = static_cast<double>(n);
  const double q = 1 - p;
  const double spq = std::sqrt(nd * p * q);
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = nd * p + 0.5;
  const double alpha = (2.83 + 5.1 / b) * spq;
  const double vr = 0.92 - 4.2 / b;
  const double r = p / q;
  const double m = std::floor((nd + 1) * p);
  double mode_terms = NAN;  // computed on the first draw the squeeze does not accept
  while (true) {
    const double u = UniformDouble(rng) - 0.5;
    double v = UniformDouble(rng);
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (!(k >= 0 && k <= nd)) continue;  // also rejects NaN when us == 0
    if (us >= 0.07 && v <= vr) return static_cast<uint64_t>(k);
    v = std::log(v * alpha / (a / (us * us) + b));
    if (std::isnan(mode_terms)) {
      mode_terms = (m + 0.5) * std::log((m + 1) / (r * (nd - m + 1))) + StirlingTail(m) +
                   StirlingTail(nd - m);
    }
    const double bound = mode_terms + (nd + 1) * std::log((nd - m + 1) / (nd - k + 1)) +
                         (k + 0.5) * std::log(r * (nd - k + 1) / (k + 1)) - StirlingTail(k) -
                         StirlingTail(nd - k);
    if (v <= bound) return static_cast<uint64_t>(k);
  }
}

}  // namespace

uint64_t DrawBinomial(std::mt19937_64& rng, uint64_t n, double p) {
  if (!(p >= 0 && p <= 1)) throw InputError("DrawBinomial: p is not in [0, 1]");
  if (n == 0 || p == 0) return 0;
  if (p == 1) return n;
  if (p > 0.5) return n - DrawBinomial(rng, n, 1 - p);
  if (static_cast<double>(n) * p < 10) return Inversion(rng, n, p);
  return TransformedRejection(rng, n, p);
}

void DrawMultinomial(std::mt19937_64& rng, std::span<const uint64_t> counts,
                     std::span<uint64_t> drawn) {
  if (counts.size() != drawn.size()) {
    throw InputError("DrawMultinomial: counts and drawn differ in size");
  }
  uint64_t population = 0;
  for (uint64_t c : counts) {
    if (c > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - population) {
      throw InputError("DrawMultinomial: the counts sum to more than 2^63 - 1");
    }
    population += c;
  }
  uint64_t draws = population;
  for (size_t k = 0; k < counts.size(); ++k) {
    const uint64_t c = counts[k];
    uint64_t x = 0;
    if (draws == 0 || c == 0) {
      x = 0;
    } else if (c >= population) {
      x = draws;  // the last cell with items takes what is left
    } else {
      x = DrawBinomial(rng, draws, static_cast<double>(c) / static_cast<double>(population));
    }
    drawn[k] = x;
    draws -= x;
    population -= c;
  }
}

}  // namespace kaieval::stats
